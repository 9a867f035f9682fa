import Dispatch
import EventLog
import Foundation
import Postgres
import Projections
import Synchronization
import Vocabulary

/// Keeps the audit index (schema `audit`) up to date with the event log: change points, coverage
/// gaps and per-payload summaries. It reads the log in position order from its checkpoint, so it
/// may stop anywhere and go on; `rebuild` empties it and indexes the whole log again, giving the
/// same rows (every row is a function of the events before it).
public struct AuditIndex: Sendable {
    public let pool: PostgresPool
    /// Events per transaction. Large: every chunk reads and writes the heads of the scopes it
    /// touches (about one per character and section), so small chunks cost a head write per event.
    public var chunk = 100_000

    public init(pool: PostgresPool) { self.pool = pool }

    public struct Progress: Sendable {
        public var indexed: Int64
        public var head: Int64
        public var changes: Int
    }

    /// Indexes every event appended since the last call. `progress` is told after each chunk.
    @discardableResult
    /// `progress` may stop the catch-up by throwing (after a chunk: nothing is lost).
    public func catchUp(progress: (@Sendable (Progress) throws -> Void)? = nil) async throws -> Progress {
        var total = Progress(indexed: 0, head: 0, changes: 0)
        let cache = NewestTables()
        while true {
            let chunk = self.chunk
            let step = try await self.pool.transaction { connection in
                try Self.indexChunk(limit: chunk, cache: cache, on: connection)
            }
            total.indexed = step.indexed
            total.head = step.head
            total.changes += step.changes
            try progress?(total)
            if step.indexed >= step.head { return total }
        }
    }

    /// Empties the index and indexes the whole log again.
    public func rebuild(progress: (@Sendable (Progress) throws -> Void)? = nil) async throws -> Progress {
        try await self.pool.transaction { connection in
            _ = try connection.query("SELECT position FROM audit.indexed FOR UPDATE")
            try connection.executeScript(
                """
                TRUNCATE audit.heads, audit.changes, audit.departed, audit.gaps, audit.asset_types, audit.locations, audit.counterparties;
                UPDATE audit.indexed SET position = 0, updated_at = now();
                """
            )
        }
        return try await self.catchUp(progress: progress)
    }

    /// How far the index is behind the log, in positions.
    public static func lag(on connection: PostgresConnection) throws -> (indexed: Int64, head: Int64) {
        let indexed = try connection.query("SELECT position FROM audit.indexed")[0].get(0, as: Int64.self)
        return (indexed, try EventStore.head(on: connection))
    }

    /// The payloads the index compares the next fetch of each section with (its heads): the
    /// audit index reads them, so archiving keeps them in the log.
    public static func payloadsInUse(on connection: PostgresConnection) throws -> [PayloadHash] {
        try connection.query("SELECT DISTINCT payload_hash FROM audit.heads").compactMap {
            PayloadHash(bytes: try $0.get(0, as: ByteA.self).bytes)
        }
    }

    // MARK: - One chunk

    private struct Envelope {
        var position: Int64
        var character: Int64
        var section: String
        var scope: String
        var outcome: Outcome
        var httpStatus: Int?
        var error: String?
        var fetchedAt: Date
        var hash: PayloadHash?
        var parameters: [String: String]
    }

    private struct Head {
        var hash: PayloadHash
        var lastFetchedAt: Date
    }

    struct Key: Hashable {
        var character: Int64
        var section: String
        var scope: String
    }

    private struct Change {
        var key: Key
        var event: Envelope
        var previous: PayloadHash?
    }

    private static func indexChunk(
        limit: Int,
        cache: NewestTables,
        on connection: PostgresConnection
    ) throws -> (
        indexed: Int64, head: Int64, changes: Int
    ) {
        let checkpoint: Int64 = try connection.query("SELECT position FROM audit.indexed FOR UPDATE")[0].get(0)
        let head = try EventStore.head(on: connection)
        guard checkpoint < head else { return (checkpoint, head, 0) }
        let through = min(head, checkpoint + Int64(limit))
        let events = try EventStore.characterEnvelopes(after: checkpoint, through: through, on: connection)
            .compactMap { envelope -> Envelope? in
                guard let character = envelope.stream.characterID else { return nil }
                return Envelope(
                    position: envelope.position,
                    character: character,
                    section: envelope.section,
                    scope: Self.scope(envelope.parameters),
                    outcome: envelope.outcome,
                    httpStatus: envelope.httpStatus,
                    error: envelope.error,
                    fetchedAt: envelope.fetchedAt,
                    hash: envelope.payloadHash,
                    parameters: envelope.parameters
                )
            }

        // The heads of the scopes this chunk touches.
        let keys = Set(events.map { Key(character: $0.character, section: $0.section, scope: $0.scope) })
        var heads = [Key: Head]()
        if !keys.isEmpty {
            let list = Array(keys)
            for row in try connection.query(
                """
                SELECT h.character_id, h.section, h.scope, h.payload_hash, h.last_fetched_at
                FROM audit.heads h JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS k(c, s, p)
                  ON h.character_id = k.c AND h.section = k.s AND h.scope = k.p
                """,
                [list.map(\.character), list.map(\.section), list.map(\.scope)]
            ) {
                let key = Key(character: try row.get(0), section: try row.get(1), scope: try row.get(2))
                heads[key] = Head(
                    hash: PayloadHash(bytes: try row.get(3, as: ByteA.self).bytes)!,
                    lastFetchedAt: try row.get(4)
                )
            }
        }

        var changes = [Change]()
        var gaps = [(Envelope, kind: String, started: Date)]()
        var touched = Set<Key>()
        for event in events {
            let key = Key(character: event.character, section: event.section, scope: event.scope)
            guard event.outcome != .failed, let hash = event.hash else {
                gaps.append((event, "failed", event.fetchedAt))
                continue
            }
            touched.insert(key)
            if var current = heads[key] {
                if let period = Coverage.period(of: event.section), event.scope.isEmpty,
                    event.fetchedAt.timeIntervalSince(current.lastFetchedAt) > Coverage.silenceFactor * period
                {
                    gaps.append((event, "silence", current.lastFetchedAt))
                }
                if current.hash != hash {
                    changes.append(Change(key: key, event: event, previous: current.hash))
                    current.hash = hash
                }
                current.lastFetchedAt = max(current.lastFetchedAt, event.fetchedAt)
                heads[key] = current
            } else {
                changes.append(Change(key: key, event: event, previous: nil))
                heads[key] = Head(hash: hash, lastFetchedAt: event.fetchedAt)
            }
        }

        try self.writeChanges(changes, cache: cache, on: connection)
        try self.writeGaps(gaps, on: connection)
        let updated = touched.map { ($0, heads[$0]!) }
        if !updated.isEmpty {
            try connection.execute(
                """
                INSERT INTO audit.heads (character_id, section, scope, payload_hash, last_fetched_at)
                SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[], $5::timestamptz[])
                ON CONFLICT (character_id, section, scope) DO UPDATE SET payload_hash = excluded.payload_hash,
                    last_fetched_at = excluded.last_fetched_at
                """,
                [
                    updated.map(\.0.character), updated.map(\.0.section), updated.map(\.0.scope),
                    updated.map { ByteA($0.1.hash.bytes) },
                    updated.map(\.1.lastFetchedAt),
                ]
            )
        }
        try connection.execute("UPDATE audit.indexed SET position = $1, updated_at = now()", [through])
        return (through, head, changes.count)
    }

    /// Change rows with their summaries, and the per-payload summaries of new payloads.
    private static func writeChanges(_ changes: [Change], cache: NewestTables, on connection: PostgresConnection) throws
    {
        guard !changes.isEmpty else { return }
        let described = changes.filter { PointInTime.sections[$0.event.section] != nil }
        // 1. Which payloads to make into tables: each change's new one, and its previous one
        // unless an earlier change of this chunk or of the catch-up already made it. Keyed by
        // scope and hash: the same bytes (an empty list) mean different things in two sections.
        var needed = [String: (change: Change, hash: PayloadHash)]()
        var madeInChunk = Set<String>()
        func tableKey(_ change: Change, _ hash: PayloadHash) -> String {
            "\(change.key.character) \(change.event.section) \(change.key.scope) \(hash.hex)"
        }
        for change in described {
            if let previous = change.previous, !madeInChunk.contains(tableKey(change, previous)),
                cache.tables(change.key, previous) == nil
            {
                needed[tableKey(change, previous)] = (change, previous)
            }
            needed[tableKey(change, change.event.hash!)] = (change, change.event.hash!)
            madeInChunk.insert(tableKey(change, change.event.hash!))
        }
        let payloads = try EventStore.payloads(Set(needed.values.map(\.hash)), on: connection)

        // 2. The tables, on every core: decoding and projecting is most of the indexer's work.
        let jobs = Array(needed)
        let made = Mutex([String: [PastTable]]())
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let (key, job) = jobs[index]
            guard case .success(let bytes)? = payloads[job.hash] else { return }
            let fetch = PastFetch(
                position: job.change.event.position,
                section: job.change.event.section,
                parameters: job.change.event.parameters,
                fetchedAt: job.change.event.fetchedAt,
                payloadHash: job.hash,
                payload: bytes
            )
            let result = PointInTime.tables(character: job.change.key.character, fetches: [fetch]).tables
            made.withLock { $0[key] = result }
        }
        let tables = made.withLock { $0 }
        func reconstruct(_ hash: PayloadHash, _ change: Change) -> [PastTable]? {
            tables[tableKey(change, hash)] ?? cache.tables(change.key, hash)
        }

        // 3. What changed, in words, and the rows that left the window: pure, on every core.
        let pairs = described.map { change -> (new: [PastTable]?, old: [PastTable]) in
            let new = reconstruct(change.event.hash!, change)
            let old = change.previous.flatMap { reconstruct($0, change) } ?? []
            if let new { cache.set(change.key, change.event.hash!, new) }
            return (new, old)
        }
        let described2 = Mutex([Int: (summary: String, departed: [[any PostgresEncodable]])]())
        DispatchQueue.concurrentPerform(iterations: described.count) { index in
            let change = described[index]
            guard let new = pairs[index].new else {
                let text = "\(change.event.section): payload \(change.event.hash!) could not be read"
                described2.withLock { $0[index] = (text, []) }
                return
            }
            let old = pairs[index].old
            let accumulating = PointInTime.sections[change.event.section] == .accumulating
            let lines = ChangeDescriber.lines(
                section: change.event.section,
                old: old,
                new: new,
                accumulating: accumulating
            )
            let summary =
                change.previous == nil && lines.isEmpty
                ? "\(change.event.section): first fetch"
                : ChangeDescriber.summary(section: change.event.section, lines: lines)
            let departed = accumulating ? Self.departures(change, old: old, new: new) : []
            described2.withLock { $0[index] = (summary, departed) }
        }
        let results = described2.withLock { $0 }

        // 4. In log order: the summaries, and what payloads hold for the finder.
        var summaries = [Int64: String]()
        var summarised = PayloadSummaries()
        var departed = [[any PostgresEncodable]]()
        for (index, change) in described.enumerated() {
            guard let result = results[index] else { continue }
            summaries[change.event.position] = result.summary
            departed += result.departed
            guard let new = pairs[index].new else { continue }
            summarised.add(
                hash: change.event.hash!,
                character: change.key.character,
                at: change.event.fetchedAt,
                tables: new,
                previous: pairs[index].old
            )
        }

        _ = try connection.copyIn(
            """
            COPY audit.changes (character_id, section, scope, position, fetched_at, payload_hash, previous_hash, summary)
            FROM STDIN (FORMAT binary)
            """
        ) { writer in
            for change in changes {
                try writer.append([
                    change.key.character, change.key.section, change.key.scope, change.event.position,
                    change.event.fetchedAt, ByteA(change.event.hash!.bytes), change.previous.map { ByteA($0.bytes) },
                    summaries[change.event.position] ?? "\(change.event.section): changed",
                ])
            }
        }
        try summarised.write(on: connection)
        if !departed.isEmpty {
            _ = try connection.copyIn(
                """
                COPY audit.departed (character_id, section, scope, table_name, row_key, position, departed_at, cells)
                FROM STDIN (FORMAT binary)
                """
            ) { writer in
                for row in departed { try writer.append(row) }
            }
        }
    }

    /// Rows of an accumulating section's previous payload that its new one no longer holds.
    private static func departures(_ change: Change, old: [PastTable], new: [PastTable]) -> [[any PostgresEncodable]] {
        var rows = [[any PostgresEncodable]]()
        let newByName = Dictionary(new.map { ($0.name, $0) }) { $1 }
        for table in old {
            let kept = Set((newByName[table.name]?.rows ?? []).map { CellCoding.key($0, of: table) })
            for row in table.rows {
                let key = CellCoding.key(row, of: table)
                guard !kept.contains(key) else { continue }
                rows.append([
                    change.key.character, change.key.section, change.key.scope, table.name, key, change.event.position,
                    change.event.fetchedAt, ByteA(CellCoding.encode(row)),
                ])
            }
        }
        return rows
    }

    private static func writeGaps(
        _ gaps: [(Envelope, kind: String, started: Date)],
        on connection: PostgresConnection
    )
        throws
    {
        guard !gaps.isEmpty else { return }
        _ = try connection.copyIn(
            """
            COPY audit.gaps (character_id, section, position, kind, started_at, ended_at, http_status, error)
            FROM STDIN (FORMAT binary)
            """
        ) { writer in
            for (event, kind, started) in gaps {
                try writer.append([
                    event.character, event.section, event.position, kind, started, event.fetchedAt,
                    kind == "failed" ? event.httpStatus.map(Int32.init) : nil, kind == "failed" ? event.error : nil,
                ])
            }
        }
    }

    /// A section's scope: the parameters besides the character, e.g. `contract_id=123`.
    static func scope(_ parameters: [String: String]) -> String {
        parameters.filter { $0.key != "character_id" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: ",")
    }
}

/// The newest tables of each scope, kept between chunks of one catch-up: the next change of the
/// scope compares with them instead of decoding its previous payload again.
private final class NewestTables: @unchecked Sendable {
    // Used by one chunk at a time (chunks run one after another), from its sequential steps.
    private var byScope: [AuditIndex.Key: (hash: PayloadHash, tables: [PastTable])] = [:]

    func tables(_ key: AuditIndex.Key, _ hash: PayloadHash) -> [PastTable]? {
        guard let entry = self.byScope[key], entry.hash == hash else { return nil }
        return entry.tables
    }

    func set(_ key: AuditIndex.Key, _ hash: PayloadHash, _ tables: [PastTable]) {
        self.byScope[key] = (hash, tables)
    }
}

/// How often a section is synced, and when the gap since its last fetch makes it stale.
public enum Coverage {
    /// A section is stale when its last fetch is older than this many sync periods.
    public static let staleFactor = 2.0
    /// A gap between two fetches of more than this many periods is recorded as a silence.
    public static let silenceFactor = 3.0

    /// The sync period of an event section (the sync's default), nil for dependent fetches.
    public static func period(of section: String) -> TimeInterval? { self.periods[section] }

    private static let periods: [String: TimeInterval] = {
        var periods = [String: TimeInterval]()
        for owner in Section.allCases {
            for route in owner.routes { periods[route.name] = TimeInterval(owner.defaultStaleMinutes * 60) }
        }
        return periods
    }()
}

extension AuditIndex {
    /// The name of a character the audit index knows (also one removed, whose registration is
    /// gone): from the names read model or the registration; "character ID" when neither has it.
    /// Nil when the index has never seen the character.
    public static func knownName(of id: Int64, on connection: PostgresConnection) throws -> String? {
        guard !(try connection.query("SELECT 1 FROM audit.heads WHERE character_id = \(id) LIMIT 1")).isEmpty
        else { return nil }
        let names = try connection.query(
            "SELECT name FROM readmodel.names WHERE id = \(id) UNION ALL SELECT name FROM sync.characters WHERE id = \(id)"
        )
        return try names.first?.get(0, as: String?.self) ?? "character \(id)"
    }
}
