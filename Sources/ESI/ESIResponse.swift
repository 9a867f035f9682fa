import Foundation

/// What ESI's headers say about an answer: caching, paging and the limits it counts against.
public struct ESIHeaders: Sendable, Equatable {
    public var etag: String?
    public var lastModified: Date?
    public var expires: Date?
    public var pages: Int?
    /// `X-Esi-Error-Limit-Remain` and `-Reset` (seconds) on routes without a rate-limit group.
    public var errorLimitRemain: Int?
    public var errorLimitReset: Int?
    /// `X-Ratelimit-Group`, `-Remaining` on routes with one.
    public var rateLimitGroup: String?
    public var rateLimitRemaining: Int?
    /// `Retry-After` (seconds) on a 429.
    public var retryAfter: Int?

    public init() {}

    public init(_ response: ClientResponse) {
        self.etag = response.header("ETag")
        self.lastModified = response.header("Last-Modified").flatMap(parseHTTPDate)
        self.expires = response.header("Expires").flatMap(parseHTTPDate)
        self.pages = response.header("X-Pages").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        self.errorLimitRemain = response.header("X-Esi-Error-Limit-Remain").flatMap { Int($0) }
        self.errorLimitReset = response.header("X-Esi-Error-Limit-Reset").flatMap { Int($0) }
        self.rateLimitGroup = response.header("X-Ratelimit-Group")
        self.rateLimitRemaining = response.header("X-Ratelimit-Remaining").flatMap { Int($0) }
        self.retryAfter = response.header("Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}

/// The answer to one ESI request after retries: an HTTP status with its body, or no answer.
public struct ESIResponse: Sendable {
    /// nil when no HTTP answer came (timeout, refused connection).
    public var status: Int?
    public var headers: ESIHeaders
    public var body: [UInt8]
    /// Why there was no answer, or why the answer is unusable, in words.
    public var problem: String?
    /// How many requests it took (1 without retries).
    public var attempts: Int
    /// The parsed body of a 200.
    public var json: JSONDocument?

    public init(
        status: Int?,
        headers: ESIHeaders,
        body: [UInt8],
        problem: String?,
        attempts: Int,
        json: JSONDocument? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.problem = problem
        self.attempts = attempts
        self.json = json
    }

    public var isSuccess: Bool { self.status.map { (200..<300).contains($0) } ?? false }
}

/// A parsed JSON value (Foundation's immutable arrays, dictionaries, strings and numbers).
public struct JSONDocument: @unchecked Sendable {
    public let value: Any

    public init?(parsing body: [UInt8]) {
        guard let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else {
            return nil
        }
        self.value = value
    }

    public init(value: Any) { self.value = value }

    /// The elements when the value is an array of objects.
    public var objects: [[String: Any]] { (self.value as? [[String: Any]]) ?? [] }
}

/// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, the only form ESI sends).
public func parseHTTPDate(_ text: String) -> Date? {
    httpDateFormat.withLock { formatter in formatter.date(from: text) }
}

private let httpDateFormat = LockedFormatter()

/// DateFormatter is not thread-safe; one shared instance behind a lock is cheaper than one per call.
private final class LockedFormatter: @unchecked Sendable {
    private let lock = NSLock()
    private let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter
    }()

    func withLock<T>(_ body: (DateFormatter) -> T) -> T {
        self.lock.lock()
        defer { self.lock.unlock() }
        return body(self.formatter)
    }
}
