import Foundation
import Postgres

/// Envelopes for the readers that go through the log's history: the projectors (in log order, by
/// stream, or at given positions) and the audit index. Read from the stored rows, not the
/// `eventlog.events` view: the view builds a JSON object of each character stream's parameters
/// and names the outcome for every row, work a rebuild of millions of events should not do only
/// to parse it back (docs/event-log.md, "On disk").
extension EventStore {
    /// An event's envelope without what only the sync reads again (ETag, Last-Modified, Expires,
    /// pages).
    public struct Envelope: Sendable {
        public var position: Int64
        public var stream: Stream
        public var section: String
        public var parameters: [String: String]
        public var outcome: Outcome
        public var httpStatus: Int?
        public var error: String?
        public var fetchedAt: Date
        public var payloadHash: PayloadHash?
        /// The raw size of the payload (0 without one).
        public var payloadSize: Int64

        public init(
            position: Int64,
            stream: Stream,
            section: String,
            parameters: [String: String],
            outcome: Outcome,
            httpStatus: Int?,
            error: String? = nil,
            fetchedAt: Date,
            payloadHash: PayloadHash?,
            payloadSize: Int64
        ) {
            self.position = position
            self.stream = stream
            self.section = section
            self.parameters = parameters
            self.outcome = outcome
            self.httpStatus = httpStatus
            self.error = error
            self.fetchedAt = fetchedAt
            self.payloadHash = payloadHash
            self.payloadSize = payloadSize
        }
    }

    /// Events after `position`, up to `last`, at most `limit`, in log order.
    public static func envelopes(
        after position: Int64,
        through last: Int64 = .max,
        limit: Int,
        on connection: PostgresConnection
    ) throws -> [Envelope] {
        try self.envelopes(
            where: "e.position > \(position) AND e.position <= \(last) ORDER BY e.position LIMIT \(Int64(limit))",
            on: connection
        )
    }

    /// The events at `positions` (those that exist), in log order.
    public static func envelopes(at positions: [Int64], on connection: PostgresConnection) throws -> [Envelope] {
        try self.envelopes(where: "e.position = ANY(\(positions)) ORDER BY e.position", on: connection)
    }

    /// The events of some streams up to a position, ordered by stream and position.
    public static func envelopes(
        streams: [String],
        through last: Int64,
        on connection: PostgresConnection
    ) throws -> [Envelope] {
        try self.envelopes(
            where: "s.name = ANY(\(streams)) AND e.position <= \(last) ORDER BY s.name, e.position",
            on: connection
        )
    }

    /// The events of character streams after `position`, up to `last`, in log order.
    public static func characterEnvelopes(
        after position: Int64,
        through last: Int64,
        on connection: PostgresConnection
    ) throws -> [Envelope] {
        try self.envelopes(
            where: """
                e.position > \(position) AND e.position <= \(last) AND s.character_id IS NOT NULL ORDER BY e.position
                """,
            on: connection
        )
    }

    /// Every stream that has events, by name (one probe of the stream index per stream).
    public static func streamsWithEvents(on connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT s.name FROM eventlog.streams s
            WHERE EXISTS (SELECT FROM eventlog.entries e WHERE e.stream_id = s.id) ORDER BY s.name
            """
        ).map { try $0.get(0, as: String.self) }
    }

    private static func envelopes(
        where condition: PostgresQuery,
        on connection: PostgresConnection
    ) throws
        -> [Envelope]
    {
        try connection.query(
            """
            SELECT e.position, s.name, rt.section, e.parameters::text, e.outcome, e.http_status, e.error, e.fetched_at,
                   e.payload_hash, coalesce(e.payload_size, 0), s.character_id
            FROM eventlog.entries e JOIN eventlog.streams s ON s.id = e.stream_id
            JOIN eventlog.routes rt ON rt.id = e.route_id
            WHERE \(condition)
            """
        ).map { row in
            // Parameters are stored only when they are not the stream's own (a character stream's
            // `character_id`); the stream's own are made here, without a JSON round trip.
            let parameters =
                try row.get(3, as: String?.self).map(parseParameters)
                ?? (try row.get(10, as: Int64?.self)).map { ["character_id": String($0)] } ?? [:]
            return Envelope(
                position: try row.get(0),
                stream: Stream(rawValue: try row.get(1)),
                section: try row.get(2),
                parameters: parameters,
                outcome: Outcome(storedCode: try row.get(4, as: Int16.self)),
                httpStatus: try row.get(5, as: Int?.self),
                error: try row.get(6),
                fetchedAt: try row.get(7),
                payloadHash: try row.get(8, as: ByteA?.self).flatMap { PayloadHash(bytes: $0.bytes) },
                payloadSize: try row.get(9)
            )
        }
    }
}

/// Parses the log's parameter objects, flat `{"name": "value", ...}` written by the sync; anything
/// less plain goes through JSONSerialization. Hand-written because every event has one.
public func parseParameters(_ text: String) -> [String: String] {
    guard !text.contains("\\") else {
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
    }
    var result = [String: String]()
    let parts = text.split(separator: "\"", omittingEmptySubsequences: false)
    // {"a": "1", "b": "2"} splits into: {, a, : , 1, , , b, : , 2, }
    var index = 1
    while index + 2 < parts.count {
        result[String(parts[index])] = String(parts[index + 2])
        index += 4
    }
    return result
}
