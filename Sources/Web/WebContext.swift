import Foundation
import Hummingbird

/// What a handler knows of a request beyond Hummingbird's own: who asks (found by
/// ``SessionMiddleware``), and the query and form fields, read and checked once by
/// ``InputMiddleware`` so no handler parses or trusts them itself.
package struct WebContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The logged-in caller; nil for a visitor.
    var caller: WebApp.Caller?
    /// The query's fields (`+` and `%xx` decoded).
    var query: [String: String] = [:]
    /// A POST's form fields (`application/x-www-form-urlencoded`).
    var form: [String: String] = [:]

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The path parameter `name` as a character id; 404 when it is not one (no page has it).
    func characterID(_ name: String = "character") throws -> Int64 {
        guard let id = self.parameters.get(name, as: Int64.self) else { throw HTTPError(.notFound) }
        return id
    }

    /// The path parameter `name` (the router matched it, so it is there).
    func segment(_ name: String) -> String { self.parameters.get(name) ?? "" }
}

extension Request {
    /// Whether the caller wants JSON (the API) rather than a page.
    var isAPI: Bool { self.uri.path == "/api" || self.uri.path.hasPrefix("/api/") }
}

extension Response {
    static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html.text))
        )
    }

    /// `value` as JSON with sorted keys and ISO 8601 dates, as docs/openapi-web.yaml describes.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return self.json(bytes: try encoder.encode(value), status: status)
    }

    /// A JSON document already encoded.
    static func json(bytes: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// A file to save: `filename` in the Content-Disposition header.
    static func download(_ bytes: some Sequence<UInt8>, contentType: String, filename: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType, .contentDisposition: "attachment; filename=\"\(filename)\""],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// 303 See Other by default: after a form, the browser GETs the next page.
    static func redirect(_ location: String, status: HTTPResponse.Status = .seeOther) -> Response {
        Response(status: status, headers: [.location: location])
    }

    /// Adds a cookie to set (or, with `maxAge` 0, to clear).
    func settingCookie(_ cookie: Cookie) -> Response {
        var response = self
        response.setCookie(cookie)
        return response
    }
}
