import EventLog
import Foundation
import Postgres

/// An event's envelope as projectors read it (the columns they need, nothing more).
struct EnvelopeRow {
    var position: Int64
    var stream: EventLog.Stream
    var section: String
    var parameters: [String: String]
    var outcome: Outcome
    var httpStatus: Int?
    var error: String?
    var fetchedAt: Date
    var payloadHash: PayloadHash?
    var payloadSize: Int64

    func event(json: Any?) -> ProjectionEvent {
        ProjectionEvent(
            position: self.position,
            stream: self.stream,
            section: self.section,
            parameters: self.parameters,
            outcome: self.outcome,
            httpStatus: self.httpStatus,
            error: self.error,
            fetchedAt: self.fetchedAt,
            payloadHash: self.payloadHash,
            json: json
        )
    }
}

/// Synchronous reads of the log for projection (they run on a pool connection's own queue).
enum EventSource {
    /// The stored rows, not the `eventlog.events` view: the view builds a JSON object of each
    /// character stream's parameters and names the outcome for every row, work a rebuild of
    /// millions of events should not do only to parse it back (see docs/event-log.md, "On disk").
    static let columns = """
        e.position, s.name, rt.section, e.parameters::text, e.outcome, e.http_status, e.error, e.fetched_at, \
        e.payload_hash, coalesce(e.payload_size, 0), s.character_id
        """

    /// The tables `columns` reads, as `e`, `s` and `rt`.
    static let tables = """
        eventlog.entries e JOIN eventlog.streams s ON s.id = e.stream_id JOIN eventlog.routes rt ON rt.id = e.route_id
        """

    /// Events after `position`, up to `through`, at most `limit` scanned, in log order; removed
    /// characters' events are scanned but not returned. `scanned`: the last position looked at (a
    /// checkpoint may move past removed characters' events).
    static func events(
        after position: Int64,
        through last: Int64 = .max,
        limit: Int,
        on connection: PostgresConnection
    ) throws -> (events: [EnvelopeRow], scanned: Int64?, scannedCount: Int) {
        let rows = try connection.query(
            """
            SELECT \(columns), NOT \(notRemoved) FROM \(tables) WHERE e.position > $1 AND e.position <= $2
            ORDER BY e.position LIMIT $3
            """,
            [position, last, Int64(limit)]
        )
        var events = [EnvelopeRow]()
        events.reserveCapacity(rows.count)
        for row in rows where !(try row.get(11, as: Bool.self)) { events.append(try decode(row)) }
        return (events, try rows.last.map { try $0.get(0, as: Int64.self) }, rows.count)
    }

    /// The events of some streams up to a position, ordered by stream and position.
    static func events(
        streams: [String],
        through last: Int64,
        on connection: PostgresConnection
    ) throws -> [EnvelopeRow] {
        try connection.query(
            """
            SELECT \(columns) FROM \(tables) WHERE s.name = ANY($1) AND e.position <= $2 AND \(notRemoved)
            ORDER BY s.name, e.position
            """,
            [streams, last]
        ).map(decode)
    }

    /// Removed characters' events stay in the log, but no read model shows them (see
    /// docs/skill-sets.md, "Removing a character"); for `tables`.
    static let notRemoved = """
        NOT EXISTS (SELECT 1 FROM sync.removed_characters r
                    WHERE r.stream = s.name AND (r.through_position IS NULL OR e.position <= r.through_position))
        """

    /// Every stream of the log with events but those of characters still removed (one probe of the
    /// stream index per stream).
    static func streams(on connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT s.name FROM eventlog.streams s
            WHERE EXISTS (SELECT FROM eventlog.entries e WHERE e.stream_id = s.id)
              AND s.name NOT IN (SELECT stream FROM sync.removed_characters WHERE through_position IS NULL)
            ORDER BY s.name
            """
        ).map { try $0.get(0, as: String.self) }
    }

    /// Decoded payloads; a payload missing or corrupt is absent or a failure (its events are
    /// quarantined with the reason).
    static func payloads(
        _ hashes: Set<PayloadHash>,
        on connection: PostgresConnection
    ) throws
        -> [PayloadHash: Result<[UInt8], EventLogError>]
    {
        try EventStore.payloads(hashes, on: connection)
    }

    static func decode(_ row: PostgresRow) throws -> EnvelopeRow {
        // Parameters are stored only when they are not the stream's own (a character stream's
        // `character_id`); the stream's own are made here, without a JSON round trip.
        let parameters =
            try row.get(3, as: String?.self).map(parseParameters)
            ?? (try row.get(10, as: Int64?.self)).map { ["character_id": String($0)] } ?? [:]
        return EnvelopeRow(
            position: try row.get(0),
            stream: EventLog.Stream(rawValue: try row.get(1)),
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
