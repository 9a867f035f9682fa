import EventLog
import Foundation
import Postgres
import Synchronization
import Universe
import Vocabulary

/// What to rebuild and how.
public struct RebuildOptions: Sendable {
    /// Projector names; empty: all.
    public var projectors: [String] = []
    /// Compare with the live tables at the same log position before swapping; refuse on a mismatch.
    public var verify = false
    /// Parallel jobs (each on its own connection), splitting the log by stream.
    public var jobs = 2
    /// Streams per unit of work.
    public var streamsPerChunk = 16

    public init(projectors: [String] = [], verify: Bool = false, jobs: Int = 2) {
        self.projectors = projectors
        self.verify = verify
        self.jobs = max(1, jobs)
    }
}

public struct RebuildProgress: Sendable {
    public var streamsDone: Int
    public var streams: Int
    public var events: Int
    /// Raw JSON of the events read (a 304 counts the payload it confirms).
    public var rawBytes: Int64
    public var seconds: Double
}

/// One table's comparison: rebuilt rows against the live ones at the same log position.
public struct TableCheck: Sendable, Codable, Hashable {
    public var table: String
    public var liveRows: Int64?
    public var rebuiltRows: Int64
    public var liveChecksum: String?
    public var rebuiltChecksum: String
    /// nil when the live table could not be compared (not installed, or another version).
    public var matches: Bool?
}

public struct RebuildReport: Sendable, Codable {
    public var projectors: [String]
    /// The log position the rebuilt tables reflect.
    public var position: Int64
    public var streams: Int
    public var events: Int
    public var rawBytes: Int64
    /// Payload bytes actually decoded (superseded snapshots are skipped).
    public var decodedBytes: Int64
    public var rows: Int
    public var quarantined: Int
    public var released: Int
    /// Events appended while the rebuild ran, applied before the swap.
    public var caughtUp: Int
    public var checks: [TableCheck]
    public var seconds: Double
}

/// The rebuild was refused: verification found differences. Nothing was swapped.
public struct RebuildRefused: Error, CustomStringConvertible {
    public var checks: [TableCheck]
    public var description: String {
        let bad = self.checks.filter { $0.matches == false }
        return "verification failed for \(bad.count) table(s), nothing was swapped: "
            + bad.map { "\($0.table) (live \($0.liveRows ?? 0) rows, rebuilt \($0.rebuiltRows))" }.joined(
                separator: ", "
            )
    }
}

/// Replays the log into shadow tables, verifies them, and swaps them in.
public struct Rebuilder: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    /// Loads the static data and rebuilds every projector that is not installed or whose DDL
    /// changed (a new version). Returns the names rebuilt.
    public func prepare(progress: @escaping @Sendable (RebuildProgress) -> Void = { _ in }) async throws -> [String] {
        let stale = try await self.pool.withConnection { connection in
            try connection.transaction { connection in
                try UniverseLoader.ensureShippedLoaded(on: connection)
                let installed = try InstalledProjector.load(connection)
                let present = try ProjectionSchema.liveTables(on: connection)
                // Stale: not installed, of another build, or with tables gone (dropped by hand, or
                // the whole schema lost: then all are, and the rebuild makes the schema again).
                let stale = Catalog.names.filter { name in
                    guard let projector = installed[name], projector.isCurrent(name: name) else { return true }
                    return !projector.tables.allSatisfy(present.contains)
                }
                // Tables current but the views of an older build: only the views are made again.
                if stale.isEmpty, try !ProjectionSchema.viewsAreCurrent(on: connection) {
                    try ProjectionSchema.recreateViews(on: connection)
                }
                return stale
            }
        }
        guard !stale.isEmpty else { return [] }
        _ = try await self.rebuild(RebuildOptions(projectors: stale), progress: progress)
        return stale
    }

    public func rebuild(
        _ options: RebuildOptions,
        progress: @escaping @Sendable (RebuildProgress) -> Void = { _ in }
    ) async throws -> RebuildReport {
        let started = Date()
        for name in options.projectors where !Catalog.names.contains(name) {
            throw ProjectionError(
                .unknownProjector,
                "no projector named \(name); they are: \(Catalog.names.joined(separator: ", "))"
            )
        }
        let names = options.projectors.isEmpty ? Catalog.names : options.projectors
        let targets = Catalog.projectors.filter { names.contains($0.name) }
        // A derived model is rebuilt with any of its inputs.
        let derived = Catalog.derived.filter { model in
            names.contains(model.name) || targets.contains { model.inputs[$0.name] != nil }
        }
        let shadow = "readmodel_shadow_" + UUID().uuidString.prefix(8).lowercased()
        let (head, streams, watched) = try await self.pool.withConnection { connection in
            try UniverseLoader.ensureShippedLoaded(on: connection)
            try Self.dropAbandonedShadows(on: connection)
            return try connection.transaction { connection in
                try ProjectionSchema.ensureLive(on: connection)
                try connection.executeScript("CREATE SCHEMA \(shadow)")
                try connection.executeScript("COMMENT ON SCHEMA \(shadow) IS '\(Int(Date().timeIntervalSince1970))'")
                for projector in targets { try ProjectionSchema.createTables(projector, in: shadow, on: connection) }
                for model in derived {
                    try ProjectionSchema.createTables(
                        name: model.name,
                        tables: model.tables,
                        in: shadow,
                        on: connection
                    )
                }
                let head = try EventStore.head(on: connection)
                let watched = Set(
                    try connection.query(
                        "SELECT position FROM projection.quarantine WHERE projector = ANY($1)",
                        [targets.map(\.name)]
                    ).map { try $0.get(0, as: Int64.self) }
                )
                return (head, try EventSource.streams(on: connection), watched)
            }
        }
        do {
            let replay =
                targets.isEmpty
                ? Replay()
                : try await self.replay(
                    streams: streams,
                    through: head,
                    targets: targets,
                    shadow: shadow,
                    watched: watched,
                    options: options,
                    started: started,
                    progress: progress
                )
            var report = try await self.swap(
                targets: targets,
                derived: derived,
                shadow: shadow,
                head: head,
                verify: options.verify,
                replay: replay
            )
            report.streams = streams.count
            report.seconds = Date().timeIntervalSince(started)
            try? await self.dropShadow(shadow)
            return report
        } catch {
            try? await self.dropShadow(shadow)
            throw error
        }
    }

    /// What the replay of the log into the shadow tables found.
    struct Replay: Sendable {
        var events = 0
        var rawBytes: Int64 = 0
        var decodedBytes: Int64 = 0
        var rows = 0
        var quarantined: [QuarantineEntry] = []
        var released: [ReleasedEvent] = []
    }

    /// The replay's jobs take chunks from `next` and add up what they did in `totals`.
    final class SharedReplay: Sendable {
        let next = Atomic<Int>(0)
        let totals = Mutex((replay: Replay(), streams: 0))
    }

    struct ReleasedEvent: Sendable, Hashable {
        var projector: String
        var position: Int64
    }

    private func replay(
        streams: [String],
        through head: Int64,
        targets: [Projector],
        shadow: String,
        watched: Set<Int64>,
        options: RebuildOptions,
        started: Date,
        progress: @escaping @Sendable (RebuildProgress) -> Void
    ) async throws -> Replay {
        let chunks = stride(from: 0, to: streams.count, by: options.streamsPerChunk).map {
            Array(streams[$0..<min($0 + options.streamsPerChunk, streams.count)])
        }
        let shared = SharedReplay()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(options.jobs, max(1, chunks.count)) {
                group.addTask {
                    while true {
                        let index = shared.next.add(1, ordering: .relaxed).oldValue
                        guard index < chunks.count else { return }
                        let chunk = chunks[index]
                        let part = try await self.pool.withConnection { connection in
                            try Self.replay(
                                chunk,
                                through: head,
                                targets: targets,
                                shadow: shadow,
                                watched: watched,
                                on: connection
                            )
                        }
                        let snapshot = shared.totals.withLock { totals in
                            totals.replay.events += part.events
                            totals.replay.rawBytes += part.rawBytes
                            totals.replay.decodedBytes += part.decodedBytes
                            totals.replay.rows += part.rows
                            totals.replay.quarantined += part.quarantined
                            totals.replay.released += part.released
                            totals.streams += chunk.count
                            return totals
                        }
                        progress(
                            RebuildProgress(
                                streamsDone: snapshot.streams,
                                streams: streams.count,
                                events: snapshot.replay.events,
                                rawBytes: snapshot.replay.rawBytes,
                                seconds: Date().timeIntervalSince(started)
                            )
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
        return shared.totals.withLock { $0.replay }
    }

    /// Replays some streams into the shadow tables. Accumulating sections and envelope readers
    /// get every event in order; a snapshot scope gets its newest event that decodes (older ones
    /// would be replaced by it anyway).
    static func replay(
        _ streams: [String],
        through head: Int64,
        targets: [Projector],
        shadow: String,
        watched: Set<Int64>,
        on connection: PostgresConnection
    ) throws -> Replay {
        let events = try EventSource.events(streams: streams, through: head, on: connection)
        struct ScopeKey: Hashable {
            var projector: String
            var stream: String
            var section: String
            var scope: String?
        }
        var inOrder = [(EnvelopeRow, Projector)]()
        var scopes = [ScopeKey: [EnvelopeRow]]()
        var scopeOrder = [(ScopeKey, Projector)]()
        var needed = Set<PayloadHash>()
        var replay = Replay()
        for event in events {
            replay.events += 1
            replay.rawBytes += event.payloadSize
            for projector in targets where projector.consumes(section: event.section, outcome: event.outcome) {
                if projector.readsPayloads,
                    case .snapshot(let parameter)? = projector.sections[EventSection(rawValue: event.section)]
                {
                    let key = ScopeKey(
                        projector: projector.name,
                        stream: event.stream.rawValue,
                        section: event.section,
                        scope: parameter.flatMap { event.parameters[$0] }
                    )
                    if scopes[key] == nil { scopeOrder.append((key, projector)) }
                    scopes[key, default: []].append(event)
                } else {
                    inOrder.append((event, projector))
                    if projector.readsPayloads, let hash = event.payloadHash { needed.insert(hash) }
                }
            }
        }
        for (key, _) in scopeOrder { if let hash = scopes[key]!.last!.payloadHash { needed.insert(hash) } }
        var parsed = ParsedPayloads(payloads: try EventSource.payloads(needed, on: connection))
        var batch = Batch()
        batch.watched = watched
        for (event, projector) in inOrder { Applier.apply(event, to: projector, batch: &batch, parsed: &parsed) }
        for (key, projector) in scopeOrder {
            for event in scopes[key]!.reversed() {
                if let hash = event.payloadHash, parsed.payloads[hash] == nil {
                    parsed.payloads.merge(try EventSource.payloads([hash], on: connection)) { $1 }
                }
                if Applier.apply(event, to: projector, batch: &batch, parsed: &parsed) { break }
            }
        }
        try batch.flush(to: connection, schema: shadow, replaceExisting: false)
        replay.decodedBytes = Int64(parsed.parsedBytes)
        replay.rows = batch.rowCount
        replay.quarantined = batch.quarantined
        replay.released = batch.released.map { ReleasedEvent(projector: $0.projector, position: $0.position) }
        return replay
    }

    /// In one transaction, holding the projection lock: bring the shadow (and, to verify, the live
    /// tables) to the same position, compare, and swap.
    private func swap(
        targets: [Projector],
        derived: [DerivedModel],
        shadow: String,
        head: Int64,
        verify: Bool,
        replay: Replay
    ) async throws -> RebuildReport {
        try await self.pool.withConnection { connection in
            try connection.transaction { connection in
                try connection.execute("SELECT pg_advisory_xact_lock($1)", [ProjectionRunner.lockKey])
                try CharacterRemoval.applyPendingResets(on: connection)
                let installed = try InstalledProjector.load(connection, forUpdate: true)
                let live = targets.compactMap { projector -> (projector: Projector, checkpoint: Int64)? in
                    guard let row = installed[projector.name], row.isCurrent(for: projector) else { return nil }
                    return (projector, row.position)
                }
                let target = max(head, live.map(\.checkpoint).max() ?? 0)
                var quarantined = replay.quarantined
                var released = Set(replay.released)
                // Events appended while the replay ran.
                let caughtUp = try Self.applyRange(
                    after: head,
                    through: target,
                    to: targets.map { ($0, head) },
                    schema: shadow,
                    quarantined: &quarantined,
                    released: &released,
                    on: connection
                )
                // Derived models in full, from the rebuilt inputs where they were rebuilt.
                let rebuiltNames = Set(targets.map(\.name))
                for model in derived {
                    _ = try model.refresh(
                        nil,
                        shadow,
                        { rebuiltNames.contains($0) ? shadow : ProjectionSchema.live },
                        connection
                    )
                }
                let liveDerived = Catalog.derived.filter { installed[$0.name]?.isCurrent(name: $0.name) == true }
                var checks = [TableCheck]()
                if verify {
                    for (projector, checkpoint) in live where checkpoint < target {
                        var ignored = [QuarantineEntry]()
                        var ignoredReleased = Set<ReleasedEvent>()
                        try Self.applyRange(
                            after: checkpoint,
                            through: target,
                            to: [(projector, checkpoint)],
                            schema: ProjectionSchema.live,
                            refreshing: liveDerived,
                            quarantined: &ignored,
                            released: &ignoredReleased,
                            on: connection
                        )
                    }
                    let comparable = Set(live.map(\.projector.name) + liveDerived.map(\.name))
                    let compared = targets.map { ($0.name, $0.tables) } + derived.map { ($0.name, $0.tables) }
                    for (name, tables) in compared {
                        for table in tables {
                            let rebuilt = try Self.checksum(schema: shadow, table: table.name, on: connection)
                            let current =
                                comparable.contains(name)
                                ? try Self.checksum(schema: ProjectionSchema.live, table: table.name, on: connection)
                                : nil
                            checks.append(
                                TableCheck(
                                    table: table.name,
                                    liveRows: current?.rows,
                                    rebuiltRows: rebuilt.rows,
                                    liveChecksum: current?.sum,
                                    rebuiltChecksum: rebuilt.sum,
                                    matches: current.map { $0 == rebuilt }
                                )
                            )
                        }
                    }
                    if checks.contains(where: { $0.matches == false }) { throw RebuildRefused(checks: checks) }
                }
                for (name, tables) in targets.map({ ($0.name, $0.tables) }) + derived.map({ ($0.name, $0.tables) }) {
                    for table in installed[name]?.tables ?? tables.map(\.name) {
                        try connection.executeScript("DROP TABLE IF EXISTS readmodel.\"\(table)\" CASCADE")
                    }
                    for table in tables {
                        try connection.executeScript("ALTER TABLE \(shadow).\"\(table.name)\" SET SCHEMA readmodel")
                    }
                    let ddl = try ProjectorDDL(name: name)
                    try connection.execute(
                        """
                        INSERT INTO projection.projectors (name, version, ddl_hash, position, tables, rebuilt_at)
                        VALUES ($1, $2, $3, $4, $5, now())
                        ON CONFLICT (name) DO UPDATE SET version = excluded.version, ddl_hash = excluded.ddl_hash,
                            position = excluded.position, tables = excluded.tables, rebuilt_at = now(), updated_at = now()
                        """,
                        [name, Int32(ddl.version), ddl.hash, target, tables.map(\.name)]
                    )
                }
                for entry in released {
                    try connection.execute(
                        "DELETE FROM projection.quarantine WHERE projector = $1 AND position = $2",
                        [entry.projector, entry.position]
                    )
                }
                try Applier.recordQuarantine(quarantined, on: connection)
                try ProjectionSchema.recreateViews(on: connection)
                return RebuildReport(
                    projectors: targets.map(\.name) + derived.map(\.name),
                    position: target,
                    streams: 0,
                    events: replay.events,
                    rawBytes: replay.rawBytes,
                    decodedBytes: replay.decodedBytes,
                    rows: replay.rows,
                    quarantined: quarantined.count,
                    released: released.count,
                    caughtUp: caughtUp,
                    checks: checks,
                    seconds: 0
                )
            }
        }
    }

    /// Applies the events in (after, through] to `projectors` in `schema`, in batches.
    @discardableResult
    static func applyRange(
        after start: Int64,
        through end: Int64,
        to projectors: [(projector: Projector, checkpoint: Int64)],
        schema: String,
        refreshing derived: [DerivedModel] = [],
        quarantined: inout [QuarantineEntry],
        released: inout Set<ReleasedEvent>,
        on connection: PostgresConnection
    ) throws -> Int {
        var position = start
        var count = 0
        while position < end {
            let (events, scanned, _) = try EventSource.events(
                after: position,
                through: end,
                limit: 5000,
                on: connection
            )
            guard let last = scanned else { break }
            let batch = try Applier.apply(events, to: projectors, schema: schema, on: connection)
            for model in derived {
                try model.refresh(after: events, active: projectors, schema: schema, on: connection)
            }
            quarantined += batch.quarantined
            released.formUnion(batch.released.map { ReleasedEvent(projector: $0.projector, position: $0.position) })
            count += events.count
            position = last
        }
        return count
    }

    /// Row count and an order-independent checksum (sum of 60-bit prefixes of each row's MD5).
    package static func checksum(
        schema: String,
        table: String,
        on connection: PostgresConnection
    ) throws -> (rows: Int64, sum: String) {
        let row = try connection.query(
            """
            SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text
            FROM \(unescaped: schema)."\(unescaped: table)" t
            """
        )[0]
        return (try row.get(0), try row.get(1))
    }

    private func dropShadow(_ shadow: String) async throws {
        try await self.pool.withConnection { try $0.executeScript("DROP SCHEMA IF EXISTS \(shadow) CASCADE") }
    }

    /// Shadow schemas of rebuilds that died (killed mid-way) more than a day ago.
    static func dropAbandonedShadows(on connection: PostgresConnection) throws {
        let rows = try connection.query(
            """
            SELECT nspname FROM pg_namespace
            WHERE nspname LIKE 'readmodel\\_shadow\\_%'
              AND coalesce(obj_description(oid, 'pg_namespace'), '0')::bigint < extract(epoch FROM now())::bigint - 86400
            """
        )
        for row in rows {
            try connection.executeScript("DROP SCHEMA IF EXISTS \"\(try row.get(0, as: String.self))\" CASCADE")
        }
    }
}
