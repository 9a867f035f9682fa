import Foundation
import Postgres

/// The log's questions other modules ask inside their own transactions. The SQL of the log stays
/// here, so that a change of its layout (docs/event-log.md, "Next: packed sealed partitions")
/// changes these functions, not their callers.
extension EventStore {
    /// The last position handed out (events up to it are committed or being committed).
    public static func head(on connection: PostgresConnection) throws -> Int64 {
        try connection.query("SELECT position FROM eventlog.head")[0].get(0, as: Int64.self)
    }

    /// An event's envelope without what only the sync reads again (ETag, Last-Modified, Expires,
    /// pages): what indexes and audits of the log read.
    public struct Envelope: Sendable {
        public var position: Int64
        public var stream: Stream
        public var section: String
        /// The request's parameters as JSON text.
        public var parameters: String
        public var outcome: Outcome
        public var httpStatus: Int?
        public var error: String?
        public var fetchedAt: Date
        public var payloadHash: PayloadHash?
    }

    /// The envelopes of positions `after + 1 ... through` of character streams, in log order.
    public static func characterEnvelopes(
        after position: Int64,
        through last: Int64,
        on connection: PostgresConnection
    ) throws -> [Envelope] {
        try connection.query(
            """
            SELECT position, stream, section, parameters::text, outcome, http_status, error, fetched_at, payload_hash
            FROM eventlog.events WHERE position > \(position) AND position <= \(last) AND stream LIKE 'character:%'
            ORDER BY position
            """
        ).map { row in
            Envelope(
                position: try row.get(0),
                stream: Stream(rawValue: try row.get(1)),
                section: try row.get(2),
                parameters: try row.get(3),
                outcome: Outcome(rawValue: try row.get(4)) ?? .failed,
                httpStatus: try row.get(5, as: Int?.self),
                error: try row.get(6),
                fetchedAt: try row.get(7),
                payloadHash: try row.get(8, as: ByteA?.self).flatMap { PayloadHash(bytes: $0.bytes) }
            )
        }
    }

    /// Whether the log holds any event of `stream`.
    public static func hasEvents(_ stream: Stream, on connection: PostgresConnection) throws -> Bool {
        try connection.query(
            "SELECT EXISTS (SELECT FROM eventlog.events WHERE stream = \(stream.rawValue))"
        )[0].get(0, as: Bool.self)
    }

    /// How long ago, by the database's clock, the event at `position` was recorded; nil when
    /// there is none.
    public static func age(of position: Int64, on connection: PostgresConnection) throws -> TimeInterval? {
        try connection.query(
            "SELECT extract(epoch FROM now() - recorded_at)::float8 FROM eventlog.events WHERE position = \(position)"
        ).first.map { try $0.get(0, as: Double.self) }
    }

    /// The newest fetch of `section` in `stream` at or before `time` that was answered (fetched
    /// or not modified); nil when there is none.
    public static func lastAnswered(
        _ stream: Stream,
        section: String,
        atOrBefore time: Date,
        on connection: PostgresConnection
    ) throws -> Date? {
        try connection.query(
            """
            SELECT max(fetched_at) FROM eventlog.events
            WHERE stream = \(stream.rawValue) AND section = \(section) AND fetched_at <= \(time)
                AND outcome <> 'failed'
            """
        ).first?.get(0, as: Date?.self)
    }

    /// Every answered fetch of `section` in `stream` from `since` to `until`, oldest first, with
    /// the payload it fetched or confirmed.
    public static func answeredFetches(
        _ stream: Stream,
        section: String,
        since: Date,
        until: Date,
        on connection: PostgresConnection
    ) throws -> [(time: Date, payload: PayloadHash)] {
        try connection.query(
            """
            SELECT fetched_at, payload_hash FROM eventlog.events
            WHERE stream = \(stream.rawValue) AND section = \(section) AND outcome <> 'failed'
                AND fetched_at >= \(since) AND fetched_at <= \(until)
            ORDER BY fetched_at
            """
        ).map { row in
            let bytes = try row.get(1, as: ByteA.self).bytes
            guard let hash = PayloadHash(bytes: bytes) else {
                throw EventLogError(.corruptPayload, "an event names a payload hash of \(bytes.count) bytes")
            }
            return (try row.get(0, as: Date.self), hash)
        }
    }
}
