import Foundation
import Postgres

/// Groups whose members are exactly the compliant users (the original's
/// `ComplianceGroupDesignation`): a main, every known character registered, and `basic_access`
/// from another group or as superuser. A compliance group's own permissions do not count towards
/// that, or a user could be compliant only because they are a member.
public enum ComplianceGroups {
    /// A user joining or leaving a compliance group.
    public struct Change: Sendable, Equatable, Codable {
        public var user: String
        public var group: String
        public var joined: Bool
        public var changedAt: Date?

        public init(user: String, group: String, joined: Bool, changedAt: Date? = nil) {
            self.user = user
            self.group = group
            self.joined = joined
            self.changedAt = changedAt
        }
    }

    /// Makes a group a compliance group (its members then follow compliance), or an ordinary one
    /// again (its members stay, now by hand). Returns the membership changes it caused.
    @discardableResult
    public static func designate(
        _ group: String,
        _ isCompliance: Bool,
        on connection: PostgresConnection
    ) throws
        -> [Change]
    {
        let id = try AccessAdmin.groupID(group, on: connection)
        try connection.execute("UPDATE access.groups SET is_compliance = $2 WHERE id = $1", [id, isCompliance])
        return try self.update(on: connection)
    }

    /// Brings every compliance group's members to the compliant users, records each join and
    /// leave, and returns them. Concurrent updates are safe: a row another transaction inserted or
    /// deleted first is not changed (or recorded) twice.
    @discardableResult
    public static func update(now: Date = Date(), on connection: PostgresConnection) throws -> [Change] {
        try connection.query(
            """
            WITH owned AS (
                SELECT user_id, character_id FROM sync.ownerships
                UNION SELECT user_id, id FROM sync.characters
            ),
            compliant AS (
                SELECT u.id FROM sync.users u
                WHERE u.main_character_id IS NOT NULL
                  AND (u.is_superuser OR EXISTS (
                      SELECT FROM access.user_groups ug
                      JOIN access.groups g ON g.id = ug.group_id AND NOT g.is_compliance
                      JOIN access.group_permissions gp ON gp.group_id = ug.group_id
                      WHERE ug.user_id = u.id AND gp.permission = 'basic_access'))
                  AND NOT EXISTS (
                      SELECT FROM owned o WHERE o.user_id = u.id
                        AND NOT EXISTS (SELECT FROM sync.characters c WHERE c.id = o.character_id AND c.user_id = u.id))
            ),
            left_group AS (
                DELETE FROM access.user_groups ug USING access.groups g
                WHERE g.id = ug.group_id AND g.is_compliance AND ug.user_id NOT IN (SELECT id FROM compliant)
                RETURNING ug.user_id, g.name, false AS joined
            ),
            joined_group AS (
                INSERT INTO access.user_groups (user_id, group_id)
                SELECT c.id, g.id FROM compliant c CROSS JOIN access.groups g WHERE g.is_compliance
                ON CONFLICT DO NOTHING
                RETURNING user_id, group_id
            ),
            changes AS (
                SELECT * FROM left_group
                UNION ALL
                SELECT j.user_id, g.name, true FROM joined_group j JOIN access.groups g ON g.id = j.group_id
            ),
            recorded AS (
                INSERT INTO access.group_changes (user_id, group_name, joined, changed_at)
                SELECT user_id, name, joined, $1 FROM changes
            )
            SELECT u.name, c.name, c.joined FROM changes c JOIN sync.users u ON u.id = c.user_id
            ORDER BY 1, 2
            """,
            [now]
        ).map { Change(user: try $0.get(0), group: try $0.get(1), joined: try $0.get(2), changedAt: now) }
    }

    /// Recorded joins and leaves, newest first: of one user, or of everyone.
    public static func changes(
        userID: Int64? = nil,
        since: Date? = nil,
        limit: Int = 100,
        on connection: PostgresConnection
    ) throws
        -> [Change]
    {
        try connection.query(
            """
            SELECT u.name, c.group_name, c.joined, c.changed_at FROM access.group_changes c
            JOIN sync.users u ON u.id = c.user_id
            WHERE ($1::int8 IS NULL OR c.user_id = $1) AND ($2::timestamptz IS NULL OR c.changed_at >= $2)
            ORDER BY c.changed_at DESC, c.id DESC LIMIT $3
            """,
            [userID, since, Int64(limit)]
        ).map {
            Change(user: try $0.get(0), group: try $0.get(1), joined: try $0.get(2), changedAt: try $0.get(3))
        }
    }
}
