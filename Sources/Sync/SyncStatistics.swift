import Foundation
import Postgres

/// The queue and the ESI budget at a glance (`memberaudit stats`).
public struct SyncStatistics: Sendable, Codable {
    public struct SectionRow: Sendable, Codable {
        public var section: String
        public var rows: Int
        public var due: Int
        /// Due for more than five minutes: the workers are behind.
        public var overdue: Int
        public var leased: Int
        public var failing: Int
        public var skipped: Int
        /// Run durations over the last 24 hours, in milliseconds.
        public var runs: Int
        public var averageMilliseconds: Double?
        public var maximumMilliseconds: Int?
        public var lastFinishedAt: Date?
    }

    public struct Limit: Sendable, Codable {
        public var scope: String
        public var remaining: Int?
        public var pausedUntil: Date?
        public var observedAt: Date
    }

    public var characters: Int
    public var suspended: Int
    public var disabled: Int
    public var queued: Int
    public var due: Int
    public var overdue: Int
    public var leased: Int
    public var activeWorkers: Int
    public var unreadNotifications: Int
    public var sections: [SectionRow]
    public var limits: [Limit]

    public static func load(_ pool: PostgresPool) async throws -> SyncStatistics {
        try await pool.withConnection { connection in
            let characters = try connection.query(
                """
                SELECT count(*), count(*) FILTER (WHERE token_state <> 'valid'), count(*) FILTER (WHERE NOT enabled)
                FROM sync.characters
                """
            )[0]
            let sections = try connection.query(
                """
                SELECT w.section, count(*),
                    count(*) FILTER (WHERE w.due_at <= now() AND active),
                    count(*) FILTER (WHERE w.due_at <= now() - interval '5 minutes' AND active),
                    count(*) FILTER (WHERE w.lease_until > now()),
                    count(*) FILTER (WHERE w.last_outcome = 'failed'),
                    count(*) FILTER (WHERE w.last_outcome = 'skipped'),
                    coalesce(r.runs, 0), r.average, r.maximum, max(w.last_finished_at)
                FROM (SELECT w.*, c.enabled AND c.token_state = 'valid' AS active
                      FROM sync.work w JOIN sync.characters c ON c.id = w.character_id) w
                LEFT JOIN (SELECT section, count(*) AS runs, avg(duration_ms)::float8 AS average,
                        max(duration_ms) AS maximum
                    FROM sync.runs WHERE finished_at > now() - interval '24 hours' GROUP BY section) r
                    ON r.section = w.section
                GROUP BY w.section, r.runs, r.average, r.maximum
                ORDER BY w.section
                """
            ).map { row in
                SectionRow(
                    section: try row.get(0),
                    rows: try row.get(1),
                    due: try row.get(2),
                    overdue: try row.get(3),
                    leased: try row.get(4),
                    failing: try row.get(5),
                    skipped: try row.get(6),
                    runs: try row.get(7),
                    averageMilliseconds: try row.get(8),
                    maximumMilliseconds: try row.get(9, as: Int32?.self).map(Int.init),
                    lastFinishedAt: try row.get(10)
                )
            }
            let limits = try connection.query(
                """
                SELECT scope, remaining, paused_until, observed_at FROM sync.esi_limits
                WHERE scope = 'errors' OR paused_until > now() ORDER BY scope
                """
            ).map { row in
                Limit(
                    scope: try row.get(0),
                    remaining: try row.get(1, as: Int32?.self).map(Int.init),
                    pausedUntil: try row.get(2),
                    observedAt: try row.get(3)
                )
            }
            let workers = try connection.query(
                """
                SELECT count(*) FROM sync.workers WHERE stopped_at IS NULL AND heartbeat_at > now() - interval '5 minutes'
                """
            )[0].get(0, as: Int.self)
            let unread = try connection.query("SELECT count(*) FROM sync.notifications WHERE read_at IS NULL")[0]
                .get(0, as: Int.self)
            return SyncStatistics(
                characters: try characters.get(0),
                suspended: try characters.get(1),
                disabled: try characters.get(2),
                queued: sections.map(\.rows).reduce(0, +),
                due: sections.map(\.due).reduce(0, +),
                overdue: sections.map(\.overdue).reduce(0, +),
                leased: sections.map(\.leased).reduce(0, +),
                activeWorkers: workers,
                unreadNotifications: unread,
                sections: sections,
                limits: limits
            )
        }
    }
}
