import Foundation

/// A request as the app sees it: independent of the HTTP server, so pages are tested directly
/// and over real sockets alike.
public struct WebRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]
    public var body: [UInt8]

    public init(
        method: String = "GET",
        path: String,
        query: [String: String] = [:],
        headers: [String: String] = [:],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }) { $1 }
        self.body = body
    }

    public var cookies: [String: String] {
        var cookies = [String: String]()
        for part in (self.headers["cookie"] ?? "").split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2 { cookies[pair[0]] = pair[1] }
        }
        return cookies
    }

    /// The form fields of a form-encoded body.
    public var form: [String: String] { parseFormEncoded(String(decoding: self.body, as: UTF8.self)) }

    /// The path's parts: `/characters/5/assets` is `["characters", "5", "assets"]`.
    var parts: [String] { self.path.split(separator: "/").map(String.init) }

    /// Whether the caller wants JSON (the API) rather than a page.
    var isAPI: Bool { self.path == "/api" || self.path.hasPrefix("/api/") }
}

public struct WebResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func page(_ html: HTML, status: Int = 200) -> WebResponse {
        WebResponse(
            status: status,
            headers: [("Content-Type", "text/html; charset=utf-8")],
            body: Array(html.text.utf8)
        )
    }

    public static func json<T: Encodable>(_ value: T, status: Int = 200) -> WebResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return WebResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body))
    }

    public static func redirect(_ location: String, status: Int = 303) -> WebResponse {
        WebResponse(status: status, headers: [("Location", location)])
    }

    public func header(_ name: String) -> String? {
        self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var text: String { String(decoding: self.body, as: UTF8.self) }
}

/// `a=1&b=two+words` as a dictionary (the last value of a repeated name wins).
public func parseFormEncoded(_ text: String) -> [String: String] {
    var fields = [String: String]()
    for pair in text.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map {
            $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
        }
        guard let name = parts.first, !name.isEmpty else { continue }
        fields[name] = parts.count > 1 ? parts[1] : ""
    }
    return fields
}
