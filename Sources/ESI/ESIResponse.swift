import Foundation
import Vocabulary

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
        // One pass over the headers; this runs for every answer.
        for (name, value) in response.headers {
            switch name.lowercased() {
            case "etag": self.etag = value
            case "last-modified": self.lastModified = parseHTTPDate(value)
            case "expires": self.expires = parseHTTPDate(value)
            // Numbers in their plausible ranges or none: a hostile `X-Pages: 99999999` must not
            // become a billion requests, nor `Retry-After: -5` a pause that ended before it began.
            case "x-pages": self.pages = bounded(value, 1...1_000)
            case "x-esi-error-limit-remain": self.errorLimitRemain = bounded(value, 0...10_000)
            case "x-esi-error-limit-reset": self.errorLimitReset = bounded(value, 0...86_400)
            case "x-ratelimit-group": self.rateLimitGroup = value
            case "x-ratelimit-remaining": self.rateLimitRemaining = bounded(value, 0...10_000_000)
            case "retry-after": self.retryAfter = bounded(value, 0...86_400)
            default: continue
            }
        }
    }
}

/// A header's integer if it is one and within `range`, else nil (the header is then ignored).
func bounded(_ text: String, _ range: ClosedRange<Int>) -> Int? {
    Int(text.trimmingCharacters(in: .whitespaces)).flatMap { range.contains($0) ? $0 : nil }
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
    /// Trying again would not help (the answer was over the size limit).
    public var isFinal = false

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

/// Parses an HTTP date in the one form ESI sends (RFC 7231's IMF-fixdate,
/// `Sun, 06 Nov 1994 08:49:37 GMT`). Hand-written: a DateFormatter costs far more, on every answer.
public func parseHTTPDate(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), bytes[26...28].elementsEqual("GMT".utf8) else {
        return nil
    }
    func number(_ range: Range<Int>) -> Int? {
        var value = 0
        for byte in bytes[range] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    let monthName = String(decoding: bytes[8..<11], as: UTF8.self)
    guard let day = number(5..<7), let monthIndex = months.firstIndex(of: monthName), let year = number(12..<16),
        let hour = number(17..<19), let minute = number(20..<22), let second = number(23..<25),
        hour < 24, minute < 60, second < 61, let days = CivilDate.days(year: year, month: monthIndex + 1, day: day)
    else { return nil }
    return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
}
