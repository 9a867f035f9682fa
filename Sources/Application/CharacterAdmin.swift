import Foundation
import Postgres

/// Every registered character with what an administrator checks first: its user, token, whether
/// it syncs, failing sections, its last update and whether it is shared (`/admin/characters`).
public enum CharacterAdmin {
    public struct Row: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var user: String
        public var tokenState: String
        public var tokenError: String?
        public var enabled: Bool
        public var failingSections: Int64
        public var lastUpdate: Date?
        public var shared: Bool

        /// `token`, `disabled`, `failing`, `not_synced` or `ok`: the page's status filter.
        public var status: String {
            if self.tokenState != "valid" { return "token" }
            if !self.enabled { return "disabled" }
            if self.failingSections > 0 { return "failing" }
            return self.lastUpdate == nil ? "not_synced" : "ok"
        }
    }

    public static func rows(on connection: PostgresConnection) throws -> [Row] {
        try connection.query(
            """
            SELECT c.id, c.name, u.name, c.token_state, c.token_error, c.enabled,
                   coalesce(st.failing, 0), st.last_success, s.character_id IS NOT NULL
            FROM sync.characters c JOIN sync.users u ON u.id = c.user_id
            -- From the status rows directly: the overview view would aggregate every character's.
            LEFT JOIN LATERAL (
                SELECT count(DISTINCT x.section) FILTER (WHERE x.last_outcome = 'failed') AS failing,
                       CASE WHEN bool_and(x.last_success_at IS NOT NULL) THEN min(x.last_success_at) END AS last_success
                FROM readmodel.sync_status x WHERE x.character_id = c.id AND NOT x.is_dependent
            ) st ON true
            LEFT JOIN access.shared_characters s ON s.character_id = c.id
            ORDER BY c.name, c.id
            """
        ).map { row in
            let (id, name, user, token, error, enabled, failing, last, shared) = try row.decode(
                (Int64, String, String, String, String?, Bool, Int64, Date?, Bool).self
            )
            return Row(
                id: id,
                name: name,
                user: user,
                tokenState: token,
                tokenError: error,
                enabled: enabled,
                failingSections: failing,
                lastUpdate: last,
                shared: shared
            )
        }
    }
}
