import EventLog
import Foundation
import Postgres

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
    var outcome: String
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

/// The work queue in `sync.work`: claims with `FOR UPDATE SKIP LOCKED`, leases kept alive by
/// heartbeats, and expired leases taken over by whoever claims next (the rescue).
struct WorkQueue: Sendable {
    let pool: PostgresPool
    let workerID: UUID
    let leaseSeconds: Int

    /// Claims up to `limit` sections that are due (or, with `startedBefore`, every section not
    /// started since then: a forced pass).
    func claim(limit: Int, filter: PassFilter, startedBefore: Date?) async throws -> [WorkItem] {
        let workerID = self.workerID
        let lease = self.leaseSeconds
        return try await self.pool.withConnection { connection in
            try connection.query(
                """
                WITH due AS (
                    SELECT w.character_id, w.section, w.lease_owner AS previous_owner
                    FROM sync.work w JOIN sync.characters c ON c.id = w.character_id
                    WHERE c.enabled AND c.token_state = 'valid'
                      AND w.section = ANY($1)
                      AND (cardinality($2::int8[]) = 0 OR w.character_id = ANY($2))
                      AND (w.lease_until IS NULL OR w.lease_until < now())
                      AND CASE WHEN $3::timestamptz IS NULL THEN w.due_at <= now()
                          ELSE w.last_started_at IS NULL OR w.last_started_at < $3 END
                    ORDER BY w.due_at, w.character_id
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
                """,
                [filter.sections.map(\.rawValue)]
            )[0].get(0, as: Date?.self)
        }
    }

    /// Records a finished section — its events and its queue row in one transaction, and only
    /// while this worker still holds the lease; otherwise nothing is recorded (``LeaseLost``).
    func complete(_ item: WorkItem, _ completion: Completion, events: [NewEvent], store: EventStore) async throws {
        let workerID = self.workerID
        let etags = String(decoding: try JSONEncoder().encode(completion.etags), as: UTF8.self)
        let record: @Sendable (PostgresConnection) throws -> Void = { connection in
            // The events and the queue row commit together; if a server crash loses the last few
            // milliseconds of commits, it loses both, and the section is simply due again. Not
            // waiting for the WAL flush keeps the log's head lock short (docs/sync.md).
            try connection.execute("SET LOCAL synchronous_commit = off")
            let updated = try connection.execute(
                """
                UPDATE sync.work SET lease_owner = NULL, lease_until = NULL, due_at = $4,
                    last_finished_at = now(), last_duration_ms = $5, last_outcome = $6, last_error = $7,
                    last_success_at = CASE WHEN $6 IN ('fetched', 'not_modified') THEN now() ELSE last_success_at END,
                    last_changed_at = CASE WHEN $8 THEN now() ELSE last_changed_at END,
                    failures = CASE WHEN $6 = 'failed' THEN failures + 1 ELSE 0 END,
                    etags = $9::jsonb
                WHERE character_id = $1 AND section = $2 AND lease_owner = $3
                """,
                [
                    item.characterID, item.section.rawValue, workerID, completion.nextDue,
                    Int32(clamping: completion.durationMilliseconds), completion.outcome, completion.error,
                    completion.changed, etags,
                ]
            )
            guard updated == 1 else { throw LeaseLost() }
            if !completion.fetchedOnce.isEmpty {
                try connection.execute(
                    """
                    INSERT INTO sync.fetched_once (character_id, kind, item_id)
                    SELECT $1, unnest($2::text[]), unnest($3::int8[]) ON CONFLICT DO NOTHING
                    """,
                    [item.characterID, completion.fetchedOnce.map(\.kind), completion.fetchedOnce.map(\.id)]
                )
            }
            try connection.execute(
                """
                INSERT INTO sync.runs (character_id, section, outcome, requests, duration_ms)
                VALUES ($1, $2, $3, $4, $5)
                """,
                [
                    item.characterID, item.section.rawValue, completion.outcome, Int32(completion.requests),
                    Int32(clamping: completion.durationMilliseconds),
                ]
            )
        }
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
            try connection.execute(
                "UPDATE sync.work SET lease_until = now() + make_interval(secs => $2) WHERE lease_owner = $1",
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
                "INSERT INTO sync.workers (id, host, pid) VALUES ($1, $2, $3)",
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
