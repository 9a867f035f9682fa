import Foundation

/// An HTTP request as the ESI client sends it.
public struct ClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Seconds the whole exchange may take.
    public var timeout: TimeInterval
    /// The largest body taken, after decompression: a larger answer is cut off and fails with
    /// ``HTTPClientError/Kind-swift.enum/tooLarge``, so no server can make this process hold more.
    public var maximumBody: Int

    public init(
        method: String = "GET",
        url: String,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil,
        timeout: TimeInterval = 30,
        maximumBody: Int = 32 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maximumBody = maximumBody
    }
}

/// An HTTP answer: status, headers (names as sent), and the body, already un-gzipped.
public struct ClientResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The protocol version curl used, e.g. 1.1 or 2.
    public var httpVersion: String

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        self.headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// A request that got no HTTP answer.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case timedOut
        case couldNotConnect
        case cancelled
        /// The body was larger than the request's ``ClientRequest/maximumBody``.
        case tooLarge
        case other
    }

    public var kind: Kind
    public var description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
