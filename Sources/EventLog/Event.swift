import Foundation

/// What came of one fetch.
public enum Outcome: String, Sendable, Hashable, CaseIterable, Codable {
    /// A 200 with a body: the payload is the data.
    case fetched
    /// A 304: the data is unchanged; the payload is the one confirmed.
    case notModified = "not_modified"
    /// An error status or no answer; the payload, if any, is the error body.
    case failed
}

/// A stream of the log: one per character, plus named public streams (structures, names, ...).
public struct Stream: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static func character(_ id: Int64) -> Stream { Stream(rawValue: "character:\(id)") }
    public static func `public`(_ name: String) -> Stream { Stream(rawValue: "public:\(name)") }

    /// The character id of a character stream.
    public var characterID: Int64? {
        guard self.rawValue.hasPrefix("character:") else { return nil }
        return Int64(self.rawValue.dropFirst("character:".count))
    }

    public var description: String { self.rawValue }
}

/// Where an event's payload comes from.
public enum PayloadSource: Sendable, Equatable {
    /// No payload (a failure without a body).
    case none
    /// Raw bytes to store (a response body or an error body).
    case bytes([UInt8])
    /// A payload already in the log, confirmed by a 304.
    case existing(PayloadHash)
}

/// An event to append: the envelope of one fetch and its payload.
public struct NewEvent: Sendable, Equatable {
    public var stream: Stream
    public var section: String
    public var route: String
    /// Path and query parameters of the request, as a JSON object (keys sorted for stable output).
    public var parameters: [String: String]
    public var outcome: Outcome
    public var httpStatus: Int?
    public var error: String?
    public var etag: String?
    public var lastModified: Date?
    public var expires: Date?
    public var pages: Int?
    public var fetchedAt: Date
    public var payload: PayloadSource
    /// The ESI compatibility date the request asked for, `YYYY-MM-DD`.
    public var compatibilityDate: String?

    public init(
        stream: Stream,
        section: String,
        route: String,
        parameters: [String: String] = [:],
        outcome: Outcome,
        httpStatus: Int? = nil,
        error: String? = nil,
        etag: String? = nil,
        lastModified: Date? = nil,
        expires: Date? = nil,
        pages: Int? = nil,
        fetchedAt: Date,
        payload: PayloadSource,
        compatibilityDate: String? = nil
    ) {
        self.stream = stream
        self.section = section
        self.route = route
        self.parameters = parameters
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.error = error
        self.etag = etag
        self.lastModified = lastModified
        self.expires = expires
        self.pages = pages
        self.fetchedAt = fetchedAt
        self.payload = payload
        self.compatibilityDate = compatibilityDate
    }
}

/// An event as stored: its position, envelope and payload reference.
public struct RecordedEvent: Sendable, Equatable {
    public var position: Int64
    public var stream: Stream
    public var section: String
    public var route: String
    public var parameters: [String: String]
    public var outcome: Outcome
    public var httpStatus: Int?
    public var error: String?
    public var etag: String?
    public var lastModified: Date?
    public var expires: Date?
    public var pages: Int?
    public var fetchedAt: Date
    public var recordedAt: Date
    public var payloadHash: PayloadHash?
    public var payloadSize: Int?
    public var compatibilityDate: String?
}

/// The positions an append occupies.
public struct AppendResult: Sendable, Equatable {
    /// Positions of the appended events, in the order given.
    public var positions: ClosedRange<Int64>
    /// True when the key had been used before: nothing was written and the positions are the
    /// first append's.
    public var wasDuplicate: Bool
}
