import EventLog
import Foundation
import Postgres
import Vocabulary

/// The ETag a fetch may send next time, and the payload a 304 then confirms.
struct ETagEntry: Sendable, Codable, Equatable {
    var etag: String
    var hash: String
}

/// A claimed (character, section).
struct WorkItem: Sendable {
    var characterID: Int64
    var section: Section
    var etags: [String: ETagEntry]
    var failures: Int
    /// The worker whose expired lease this claim took over, if any.
    var rescuedFrom: UUID?
}

/// How a section's sync ended, as the queue records it.
struct Completion: Sendable {
    var outcome: SectionOutcome
    var error: String?
    var nextDue: Date
    var changed: Bool
    var etags: [String: ETagEntry]
    var requests: Int
    var durationMilliseconds: Int
    var fetchedOnce: [(kind: String, id: Int64)] = []
}

/// The lease was taken over (this worker was presumed dead): its results must not be recorded.
struct LeaseLost: Error {}

/// The positions, in a batch of finished sections, of those whose lease was lost.
struct LostLeases: Error {
    var indices: Set<Int>
}

/// The work queue in `sync.work`: claims with `FOR UPDATE SKIP LOCKED`, leases kept alive by
/// heartbeats, and expired leases taken over by whoever claims next (the rescue).
struct WorkQueue: Sendable {
    let pool: PostgresPool
    let workerID: UUID
    let leaseSeconds: Int

    /// Claims up to `limit` sections that are due (with `force`, due or not). A pass gives
    /// `startedBefore` (its start), so that it takes each section once, even one that failed and
    /// came due again while the pass ran.
    func claim(limit: Int, filter: PassFilter, force: Bool = false, startedBefore: Date?) async throws -> [WorkItem] {
        let workerID = self.workerID
        let lease = self.leaseSeconds
        return try await self.pool.withConnection { connection in
            // Two shapes, each able to walk an index instead of sorting the queue: a due pass in
            // due order (work_due), a forced pass oldest start first (work_started).
            let (condition, order) =
                force
                ? ("true", "w.last_started_at NULLS FIRST, w.character_id")
                : ("w.due_at <= now()", "w.due_at, w.character_id")
            return try connection.query(
                """
                WITH due AS (
                    SELECT w.character_id, w.section, w.lease_owner AS previous_owner
                    FROM sync.work w JOIN sync.characters c ON c.id = w.character_id
                    WHERE \(condition)
                      AND c.enabled AND c.token_state = 'valid'
                      AND w.section = ANY($1)
                      AND (cardinality($2::int8[]) = 0 OR w.character_id = ANY($2))
                      AND (w.lease_until IS NULL OR w.lease_until < now())
                      AND ($3::timestamptz IS NULL OR w.last_started_at IS NULL OR w.last_started_at < $3)
                    ORDER BY \(order)
                    LIMIT $4
                    FOR UPDATE OF w SKIP LOCKED
                )
                UPDATE sync.work w SET lease_owner = $5, lease_until = now() + make_interval(secs => $6),
                    last_started_at = now()
                FROM due WHERE w.character_id = due.character_id AND w.section = due.section
                RETURNING w.character_id, w.section, w.etags::text, w.failures, due.previous_owner
                """,
                [
                    filter.sections.map(\.rawValue), filter.characters, startedBefore, limit, workerID,
                    Double(lease),
                ]
            ).compactMap { row in
                guard let section = Section(rawValue: try row.get(1, as: String.self)) else { return nil }
                let etags = try JSONDecoder().decode(
                    [String: ETagEntry].self,
                    from: Data(try row.get(2, as: String.self).utf8)
                )
                return WorkItem(
                    characterID: try row.get(0),
                    section: section,
                    etags: etags,
                    failures: Int(try row.get(3, as: Int32.self)),
                    rescuedFrom: try row.get(4, as: UUID?.self)
                )
            }
        }
    }

    /// Refreshes the planner's statistics of the queue when much of it changed since (many
    /// characters added at once): the claim's plan depends on them, and autovacuum may come later.
    func analyzeIfStale() async throws {
        try await self.pool.withConnection { connection in
            let stale = try connection.query(
                """
                SELECT coalesce(bool_or(n_mod_since_analyze > 1000 AND n_mod_since_analyze > n_live_tup / 2), false)
                FROM pg_stat_user_tables WHERE schemaname = 'sync' AND relname IN ('work', 'characters')
                """
            )[0].get(0, as: Bool.self)
            if stale { try connection.executeScript("ANALYZE sync.work; ANALYZE sync.characters") }
        }
    }

    /// The database server's time: passes compare it with times the server wrote.
    func serverTime() async throws -> Date {
        try await self.pool.withConnection { try $0.query("SELECT clock_timestamp()")[0].get(0, as: Date.self) }
    }

    /// How many sections a pass with `filter` would claim now.
    func countClaimable(filter: PassFilter, force: Bool) async throws -> Int {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT count(*) FROM sync.work w JOIN sync.characters c ON c.id = w.character_id
                WHERE c.enabled AND c.token_state = 'valid' AND w.section = ANY($1)
                  AND (cardinality($2::int8[]) = 0 OR w.character_id = ANY($2))
                  AND ($3 OR w.due_at <= now())
                """,
                [filter.sections.map(\.rawValue), filter.characters, force]
            )[0].get(0, as: Int.self)
        }
    }

    /// The earliest due time of work this worker could claim, for sleeping until then.
    func nextDue(filter: PassFilter) async throws -> Date? {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT min(greatest(w.due_at, coalesce(w.lease_until, w.due_at)))
                FROM sync.work w JOIN sync.characters c ON c.id = w.character_id
                WHERE c.enabled AND c.token_state = 'valid' AND w.section = ANY($1)
                  AND (cardinality($2::int8[]) = 0 OR w.character_id = ANY($2))
                """,
                [filter.sections.map(\.rawValue), filter.characters]
            )[0].get(0, as: Date?.self)
        }
    }

    /// Records finished sections — their events and their queue rows in one transaction, and only
    /// those this worker still holds the lease of. When a lease was lost (this worker was presumed
    /// dead and another took over), nothing is written and ``LostLeases`` names the lost ones.
    func complete(
        _ finished: [(item: WorkItem, completion: Completion, events: [NewEvent])],
        store: EventStore
    ) async throws {
        let workerID = self.workerID
        // Rows are locked in (character, section) order, as the heartbeat locks them: no deadlock.
        let finished = finished.sorted {
            ($0.item.characterID, $0.item.section.rawValue) < ($1.item.characterID, $1.item.section.rawValue)
        }
        let encoder = JSONEncoder()
        let etags = try finished.map { String(decoding: try encoder.encode($0.completion.etags), as: UTF8.self) }
        let items = finished.map(\.item)
        let completions = finished.map(\.completion)
        let record: @Sendable (PostgresConnection) throws -> Void = { connection in
            // The events and the queue rows commit together; if a server crash loses the last few
            // milliseconds of commits, it loses both, and the sections are simply due again. Not
            // waiting for the WAL flush keeps the log's head lock short (docs/sync.md).
            try connection.execute("SET LOCAL synchronous_commit = off")
            try connection.execute(
                """
                SELECT 1 FROM sync.work
                WHERE (character_id, section) IN (SELECT * FROM unnest($1::int8[], $2::text[]))
                ORDER BY character_id, section FOR UPDATE
                """,
                [items.map(\.characterID), items.map(\.section.rawValue)]
            )
            let updated = try connection.query(
                """
                UPDATE sync.work w SET lease_owner = NULL, lease_until = NULL, due_at = d.due_at,
                    last_finished_at = now(), last_duration_ms = d.duration_ms, last_outcome = d.outcome,
                    last_error = d.error,
                    last_success_at = CASE WHEN d.outcome IN ('fetched', 'not_modified') THEN now()
                        ELSE w.last_success_at END,
                    last_changed_at = CASE WHEN d.changed THEN now() ELSE w.last_changed_at END,
                    failures = CASE WHEN d.outcome = 'failed' THEN w.failures + 1 ELSE 0 END,
                    etags = d.etags::jsonb
                FROM unnest($1::int8[], $2::text[], $3::timestamptz[], $4::int4[], $5::text[], $6::text[], $7::bool[],
                    $8::text[]) AS d(character_id, section, due_at, duration_ms, outcome, error, changed, etags)
                WHERE w.character_id = d.character_id AND w.section = d.section AND w.lease_owner = $9
                RETURNING w.character_id, w.section
                """,
                [
                    items.map(\.characterID), items.map(\.section.rawValue), completions.map(\.nextDue),
                    completions.map { Int32(clamping: $0.durationMilliseconds) }, completions.map(\.outcome.rawValue),
                    completions.map(\.error), completions.map(\.changed), etags, workerID,
                ]
            )
            if updated.count != items.count {
                let kept = Set(try updated.map { "\(try $0.get(0, as: Int64.self))/\(try $0.get(1, as: String.self))" })
                throw LostLeases(
                    indices: Set(
                        items.indices.filter {
                            !kept.contains("\(items[$0].characterID)/\(items[$0].section.rawValue)")
                        }
                    )
                )
            }
            let once = zip(items, completions).flatMap { item, completion in
                completion.fetchedOnce.map { (item.characterID, $0.kind, $0.id) }
            }
            if !once.isEmpty {
                try connection.execute(
                    """
                    INSERT INTO sync.fetched_once (character_id, kind, item_id)
                    SELECT * FROM unnest($1::int8[], $2::text[], $3::int8[]) ON CONFLICT DO NOTHING
                    """,
                    [once.map(\.0), once.map(\.1), once.map(\.2)]
                )
            }
            try connection.execute(
                """
                INSERT INTO sync.runs (character_id, section, outcome, requests, duration_ms)
                SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::int4[], $5::int4[])
                """,
                [
                    items.map(\.characterID), items.map(\.section.rawValue), completions.map(\.outcome.rawValue),
                    completions.map { Int32(clamping: $0.requests) },
                    completions.map { Int32(clamping: $0.durationMilliseconds) },
                ]
            )
        }
        let events = finished.flatMap(\.events)
        if events.isEmpty {
            try await self.pool.transaction(record)
        } else {
            try await store.append(events, alsoInTransaction: record)
        }
    }

    /// Extends this worker's leases and marks it alive.
    func heartbeat() async throws {
        let workerID = self.workerID
        let lease = Double(self.leaseSeconds)
        try await self.pool.withConnection { connection in
            // In (character, section) order, as the recorder locks rows: no deadlock between them.
            try connection.execute(
                """
                UPDATE sync.work w SET lease_until = now() + make_interval(secs => $2)
                FROM (SELECT character_id, section FROM sync.work WHERE lease_owner = $1
                      ORDER BY character_id, section FOR UPDATE) mine
                WHERE w.character_id = mine.character_id AND w.section = mine.section AND w.lease_owner = $1
                """,
                [workerID, lease]
            )
            try connection.execute("UPDATE sync.workers SET heartbeat_at = now() WHERE id = $1", [workerID])
        }
    }

    /// Gives back leases this worker holds (a graceful stop): the sections are due again at once.
    func releaseAll() async throws {
        let workerID = self.workerID
        try await self.pool.withConnection { connection in
            try connection.execute(
                "UPDATE sync.work SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
                [workerID]
            )
        }
    }

    func register() async throws {
        let workerID = self.workerID
        let host = ProcessInfo.processInfo.hostName
        let pid = Int32(ProcessInfo.processInfo.processIdentifier)
        try await self.pool.withConnection { connection in
            try connection.execute(
                """
                INSERT INTO sync.workers (id, host, pid) VALUES ($1, $2, $3)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL
                """,
                [workerID, host, pid]
            )
        }
    }

    func unregister() async throws {
        let workerID = self.workerID
        try await self.pool.withConnection { connection in
            try connection.execute("UPDATE sync.workers SET stopped_at = now() WHERE id = $1", [workerID])
        }
    }
}

/// Which characters and sections a pass or worker handles.
public struct PassFilter: Sendable {
    public var characters: [Int64]
    public var sections: [Section]

    public init(characters: [Int64] = [], sections: [Section]) {
        self.characters = characters
        self.sections = sections
    }
}

/// The ETags the queue will send next.
public enum QueuedETags {
    /// The payloads the queue's ETags point at: a 304 to one of those ETags confirms that payload,
    /// so archiving must not take it from the log even when only archived events refer to it.
    public static func payloads(on connection: PostgresConnection) throws -> [PayloadHash] {
        try connection.query(
            "SELECT DISTINCT value ->> 'hash' FROM sync.work, jsonb_each(etags) WHERE value ? 'hash'"
        ).compactMap { PayloadHash(hex: try $0.get(0, as: String.self)) }
    }
}
