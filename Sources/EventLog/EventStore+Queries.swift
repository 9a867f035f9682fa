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
