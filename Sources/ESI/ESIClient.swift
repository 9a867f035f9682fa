import Foundation

/// Keeps requests inside ESI's limits. The sync engine's implementation shares one budget between
/// all workers; the client asks before every request and reports every answer.
public protocol ESIBudget: Sendable {
    /// Returns when a request of the rate-limit `group` (nil: an error-limited route) for
    /// `characterID` may be sent; throws when the caller should give up (cancellation).
    func admit(group: String?, characterID: Int64?) async throws
    /// Learns from an answer; `status` is nil when none came.
    func observe(status: Int?, headers: ESIHeaders, group: String?, characterID: Int64?)
}

/// A budget that never waits (tools and tests that talk to one route now and then).
public struct UnlimitedBudget: ESIBudget {
    public init() {}
    public func admit(group: String?, characterID: Int64?) async throws {}
    public func observe(status: Int?, headers: ESIHeaders, group: String?, characterID: Int64?) {}
}

/// One ESI request.
public struct ESIRequest: Sendable {
    public var method = "GET"
    /// The concrete path, e.g. `/characters/2112000001/assets`.
    public var path: String
    public var query: [(String, String)] = []
    public var body: [UInt8]?
    public var accessToken: String?
    public var etag: String?
    /// The route's rate-limit group, if it has one (from the route table).
    public var group: String?
    /// The character whose token the request carries (its rate-limit bucket).
    public var characterID: Int64?

    public init(
        method: String = "GET",
        path: String,
        query: [(String, String)] = [],
        body: [UInt8]? = nil,
        accessToken: String? = nil,
        etag: String? = nil,
        group: String? = nil,
        characterID: Int64? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.accessToken = accessToken
        self.etag = etag
        self.group = group
        self.characterID = characterID
    }
}

/// How an ESI client reaches ESI.
public struct ESIConfiguration: Sendable {
    public var baseURL: String
    /// Sent as `X-Compatibility-Date`: the shape of the answers this program was written for.
    public var compatibilityDate = "2025-12-16"
    /// Seconds one request may take.
    public var timeout: TimeInterval = 30
    /// Retries of 502, 503, 504, timeouts and malformed bodies, with jittered backoff.
    public var retries = 2
    /// The first backoff in seconds; each retry doubles it, with ±50 % jitter.
    public var backoff: TimeInterval = 0.5
    /// The largest answer taken (ESI's largest, a page of 1,000 assets, is a few hundred KB): a
    /// larger one fails the fetch with a reason that says so, and is not retried.
    public var maximumBody = 16 << 20

    public static let tranquility = "https://esi.evetech.net"

    public init(baseURL: String = ESIConfiguration.tranquility) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }
}

/// ESI over the shared HTTP client: adds the compatibility date, the token and the ETag, keeps to
/// the budget, and retries what ESI says is worth retrying. Knows nothing of the database.
public struct ESIClient: Sendable {
    public let http: HTTPClient
    public let configuration: ESIConfiguration
    public let budget: any ESIBudget

    public init(http: HTTPClient, configuration: ESIConfiguration, budget: any ESIBudget = UnlimitedBudget()) {
        self.http = http
        self.configuration = configuration
        self.budget = budget
    }

    /// Sends `request`, retrying 502/503/504, timeouts and bodies that are not JSON.
    public func send(_ request: ESIRequest) async throws -> ESIResponse {
        var attempt = 0
        while true {
            attempt += 1
            try await self.budget.admit(group: request.group, characterID: request.characterID)
            var response = await self.sendOnce(request)
            response.attempts = attempt
            self.budget.observe(
                status: response.status,
                headers: response.headers,
                group: request.group,
                characterID: request.characterID
            )
            guard attempt <= self.configuration.retries, isRetryable(response) else { return response }
            let delay = self.configuration.backoff * pow(2, Double(attempt - 1)) * Double.random(in: 0.5...1.5)
            try await Task.sleep(for: .seconds(delay))
        }
    }

    private func sendOnce(_ request: ESIRequest) async -> ESIResponse {
        var headers = [("Accept", "application/json"), ("X-Compatibility-Date", self.configuration.compatibilityDate)]
        if let token = request.accessToken { headers.append(("Authorization", "Bearer \(token)")) }
        if let etag = request.etag { headers.append(("If-None-Match", etag)) }
        if request.body != nil { headers.append(("Content-Type", "application/json")) }
        var url = self.configuration.baseURL + request.path
        if !request.query.isEmpty {
            url += "?" + request.query.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
        }
        do {
            let answer = try await self.http.send(
                ClientRequest(
                    method: request.method,
                    url: url,
                    headers: headers,
                    body: request.body,
                    timeout: self.configuration.timeout,
                    maximumBody: self.configuration.maximumBody
                )
            )
            var response = ESIResponse(
                status: answer.status,
                headers: ESIHeaders(answer),
                body: answer.body,
                problem: nil,
                attempts: 1
            )
            if answer.status == 200 {
                // A full parse: a truncated body must never pass for data. Callers reuse the result.
                response.json = JSONDocument(parsing: answer.body)
                if response.json == nil {
                    response.problem = "the answer is not valid JSON (\(answer.body.count) bytes)"
                }
            } else if answer.status >= 400 {
                response.problem = errorMessage(status: answer.status, body: answer.body)
            }
            return response
        } catch let error as HTTPClientError {
            var response = ESIResponse(
                status: nil,
                headers: ESIHeaders(),
                body: [],
                problem: error.description,
                attempts: 1
            )
            response.isFinal = error.kind == .tooLarge
            return response
        } catch {
            return ESIResponse(status: nil, headers: ESIHeaders(), body: [], problem: "\(error)", attempts: 1)
        }
    }
}

/// Worth another try: ESI or its CDN had a bad moment, or the body came truncated.
func isRetryable(_ response: ESIResponse) -> Bool {
    guard !response.isFinal else { return false }
    return switch response.status {
    case nil: true
    case 502, 503, 504: true
    case 200: response.problem != nil
    default: false
    }
}

/// ESI's `{"error": "..."}`, or the first words of an HTML page from a CDN.
func errorMessage(status: Int, body: [UInt8]) -> String {
    if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
        let message = object["error"] as? String
    {
        return "HTTP \(status): \(message)"
    }
    let text = String(decoding: body.prefix(200), as: UTF8.self)
    if text.contains("<html") || text.contains("<HTML") { return "HTTP \(status) (an HTML page, not ESI's JSON)" }
    return text.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(text)"
}

/// `text` percent-encoded for a query string or form value (RFC 3986 unreserved characters kept).
public func percentEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? text
}

extension CharacterSet {
    static let urlQueryValueAllowed: CharacterSet = {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()
}
