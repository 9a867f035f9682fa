import EventLog
import Foundation
import Postgres
import Vocabulary

/// Applies events to installed projectors inside a transaction the caller holds: the same batch
/// code the rebuild uses, with deletes of what the events replace.
enum Applier {
    /// Applies `events` (in log order) to each projector whose checkpoint is below them, writing
    /// into `schema`. Returns the number of (event, projector) applications.
    @discardableResult
    static func apply(
        _ events: [EnvelopeRow],
        to projectors: [(projector: Projector, checkpoint: Int64)],
        schema: String,
        on connection: PostgresConnection,
        watching watched: Set<Int64> = []
    ) throws -> Batch {
        var needed = Set<PayloadHash>()
        var characters = [String: Set<Int64>]()  // projector → characters of its events
        for event in events {
            for (projector, checkpoint) in projectors
            where event.position > checkpoint && projector.consumes(section: event.section, outcome: event.outcome) {
                if projector.readsPayloads, let hash = event.payloadHash { needed.insert(hash) }
                if let id = event.stream.characterID { characters[projector.name, default: []].insert(id) }
            }
        }
        let payloads = try EventSource.payloads(needed, on: connection)
        var batch = Batch()
        batch.watched = watched
        for (projector, _) in projectors {
            for table in projector.tables where table.stateful {
                let ids = Array(characters[projector.name] ?? [])
                guard !ids.isEmpty else { continue }
                batch.preload(table, rows: try loadRows(table, schema: schema, characters: ids, on: connection))
            }
        }
        var parsed = ParsedPayloads(payloads: payloads)
        for event in events {
            for (projector, checkpoint) in projectors
            where event.position > checkpoint && projector.consumes(section: event.section, outcome: event.outcome) {
                apply(event, to: projector, batch: &batch, parsed: &parsed)
            }
        }
        try batch.flush(to: connection, schema: schema, replaceExisting: true)
        try recordQuarantine(batch.quarantined, on: connection)
        return batch
    }

    /// Applies one event to one projector, parsing its payload when the projector reads payloads.
    /// Returns whether it applied (false: quarantined).
    @discardableResult
    static func apply(
        _ event: EnvelopeRow,
        to projector: Projector,
        batch: inout Batch,
        parsed: inout ParsedPayloads
    ) -> Bool {
        guard projector.readsPayloads else { return batch.apply(projector, event.event(json: nil)) }
        switch parsed.json(for: event) {
        case .success(let json):
            return batch.apply(projector, event.event(json: json))
        case .failure(let error):
            batch.quarantine(projector, event.event(json: nil), reason: error.description)
            return false
        }
    }

    static func recordQuarantine(_ entries: [QuarantineEntry], on connection: PostgresConnection) throws {
        guard !entries.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO projection.quarantine (projector, position, stream, section, reason)
            SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[])
            ON CONFLICT (projector, position) DO UPDATE SET reason = excluded.reason, quarantined_at = now()
            """,
            [
                entries.map(\.projector), entries.map(\.position), entries.map(\.stream), entries.map(\.section),
                entries.map(\.reason),
            ]
        )
    }

    /// Rows of a stateful table for some characters, decoded by column type.
    private static func loadRows(
        _ table: TableSpec,
        schema: String,
        characters: [Int64],
        on connection: PostgresConnection
    ) throws -> [[Cell]] {
        try connection.query(
            "SELECT \(table.columnList) FROM \(schema).\(table.name) WHERE character_id = ANY($1)",
            [characters]
        ).map { row in
            try table.columns.indices.map { index -> Cell in
                switch table.columns[index].type {
                case .bigint: try row.get(index, as: Int64?.self).map(Cell.int) ?? .null
                case .double: try row.get(index, as: Double?.self).map(Cell.double) ?? .null
                case .text: try row.get(index, as: String?.self).map(Cell.text) ?? .null
                case .boolean: try row.get(index, as: Bool?.self).map(Cell.bool) ?? .null
                case .timestamptz: try row.get(index, as: Date?.self).map(Cell.time) ?? .null
                case .date, .bigintArray, .textArray, .doubleArray, .booleanArray:
                    throw ProjectionError(
                        .badSchema,
                        "\(table.name): stateful tables cannot read \(table.columns[index].type.rawValue) columns"
                    )
                }
            }
        }
    }
}

/// Payloads parsed once per event, however many projectors read them.
struct ParsedPayloads {
    var payloads: [PayloadHash: Result<[UInt8], EventLogError>]
    private var cache: [PayloadHash: Result<Any, DecodeError>] = [:]

    init(payloads: [PayloadHash: Result<[UInt8], EventLogError>]) { self.payloads = payloads }

    /// Decoded bytes of the payloads parsed so far.
    var parsedBytes: Int {
        self.cache.keys.reduce(0) { total, hash in
            if case .success(let bytes)? = self.payloads[hash] { total + bytes.count } else { total }
        }
    }

    mutating func json(for event: EnvelopeRow) -> Result<Any, DecodeError> {
        guard let hash = event.payloadHash else { return .failure(DecodeError("the event has no payload")) }
        if let cached = self.cache[hash] { return cached }
        let result: Result<Any, DecodeError>
        switch self.payloads[hash] {
        case .success(let bytes)?:
            do {
                result = .success(try parseJSON(bytes))
            } catch {
                result = .failure(DecodeError("\(error)"))
            }
        case .failure(let error)?: result = .failure(DecodeError(error.message))
        case nil: result = .failure(DecodeError("payload \(hash) is not in the log"))
        }
        self.cache[hash] = result
        return result
    }
}
