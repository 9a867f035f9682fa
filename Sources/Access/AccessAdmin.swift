import Foundation
import Postgres
import Vocabulary

/// Groups, their permissions and members; users' superuser flag and main; sharing. What the admin
/// page and `memberaudit users` / `memberaudit groups` change.
public enum AccessAdmin {
    public struct Group: Sendable, Equatable, Codable {
        public var name: String
        public var description: String
        public var permissions: [Permission]
        public var members: [String]
        /// Members follow compliance (`ComplianceGroups`), not the admin.
        public var isCompliance: Bool
    }

    public struct User: Sendable, Equatable, Codable {
        public var id: Int64
        public var name: String
        public var isSuperuser: Bool
        public var main: String?
        public var groups: [String]
        public var permissions: [Permission]
        public var registeredCharacters: Int
        public var knownCharacters: Int
    }

    // MARK: - Groups

    public static func groups(on connection: PostgresConnection) throws -> [Group] {
        try connection.query(
            """
            SELECT g.name, g.description,
                   ARRAY(SELECT permission FROM access.group_permissions p WHERE p.group_id = g.id ORDER BY 1),
                   ARRAY(SELECT u.name FROM access.user_groups m JOIN sync.users u ON u.id = m.user_id
                         WHERE m.group_id = g.id ORDER BY 1),
                   g.is_compliance
            FROM access.groups g ORDER BY g.name
            """
        ).map { row in
            Group(
                name: try row.get(0),
                description: try row.get(1),
                permissions: try row.get(2, as: [String].self).compactMap(Permission.init(rawValue:)),
                members: try row.get(3),
                isCompliance: try row.get(4)
            )
        }
    }

    public static func createGroup(_ name: String, description: String = "", on connection: PostgresConnection) throws {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw AccessError(.emptyName, "a group name cannot be empty") }
        let created = try connection.query(
            "INSERT INTO access.groups (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id",
            [name, description]
        )
        guard !created.isEmpty else { throw AccessError(.groupExists, "a group named '\(name)' already exists") }
    }

    public static func deleteGroup(_ name: String, on connection: PostgresConnection) throws {
        let id = try self.groupID(name, on: connection)
        try connection.execute("DELETE FROM access.groups WHERE id = $1", [id])
    }

    public static func grant(_ permissions: [Permission], to group: String, on connection: PostgresConnection) throws {
        let id = try self.groupID(group, on: connection)
        try connection.execute(
            "INSERT INTO access.group_permissions SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
            [id, permissions.map(\.rawValue)]
        )
    }

    public static func revoke(_ permissions: [Permission], from group: String, on connection: PostgresConnection) throws
    {
        let id = try self.groupID(group, on: connection)
        try connection.execute(
            "DELETE FROM access.group_permissions WHERE group_id = $1 AND permission = ANY($2)",
            [id, permissions.map(\.rawValue)]
        )
    }

    public static func addMember(_ user: String, to group: String, on connection: PostgresConnection) throws {
        let groupID = try self.groupID(group, on: connection, byHand: true)
        let userID = try self.userID(user, on: connection)
        try connection.execute(
            "INSERT INTO access.user_groups VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [userID, groupID]
        )
    }

    public static func removeMember(_ user: String, from group: String, on connection: PostgresConnection) throws {
        let groupID = try self.groupID(group, on: connection, byHand: true)
        let userID = try self.userID(user, on: connection)
        try connection.execute(
            "DELETE FROM access.user_groups WHERE user_id = $1 AND group_id = $2",
            [userID, groupID]
        )
    }

    // MARK: - Users

    public static func users(on connection: PostgresConnection) throws -> [User] {
        try connection.query(
            """
            SELECT u.id, u.name, u.is_superuser, m.name,
                   ARRAY(SELECT g.name FROM access.user_groups ug JOIN access.groups g ON g.id = ug.group_id
                         WHERE ug.user_id = u.id ORDER BY 1),
                   ARRAY(SELECT DISTINCT gp.permission FROM access.user_groups ug
                         JOIN access.group_permissions gp USING (group_id) WHERE ug.user_id = u.id ORDER BY 1),
                   (SELECT count(*) FROM sync.characters c WHERE c.user_id = u.id),
                   (SELECT count(*) FROM sync.ownerships o WHERE o.user_id = u.id)
            FROM sync.users u LEFT JOIN sync.characters m ON m.id = u.main_character_id
            ORDER BY u.name
            """
        ).map { row in
            let superuser: Bool = try row.get(2)
            return User(
                id: try row.get(0),
                name: try row.get(1),
                isSuperuser: superuser,
                main: try row.get(3),
                groups: try row.get(4),
                permissions: superuser
                    ? Permission.allCases : try row.get(5, as: [String].self).compactMap(Permission.init(rawValue:)),
                registeredCharacters: Int(try row.get(6, as: Int64.self)),
                knownCharacters: Int(try row.get(7, as: Int64.self))
            )
        }
    }

    /// Puts a new user in the default group for newcomers (`MEMBERAUDIT_DEFAULT_GROUP`); nothing
    /// when there is no such group or it is a compliance group (whose members follow compliance).
    public static func joinDefaultGroup(userID: Int64, group: String, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO access.user_groups SELECT $1, id FROM access.groups WHERE name = $2 AND NOT is_compliance
            ON CONFLICT DO NOTHING
            """,
            [userID, group]
        )
    }

    /// `byHand`: for changing the members, which a compliance group's are not.
    static func groupID(_ name: String, on connection: PostgresConnection, byHand: Bool = false) throws -> Int64 {
        let row = try connection.query("SELECT id, is_compliance FROM access.groups WHERE name = $1", [name]).first
        guard let row else {
            throw AccessError(.unknownGroup, "no group named '\(name)' (memberaudit groups list shows them)")
        }
        if byHand, try row.get(1, as: Bool.self) {
            throw AccessError(
                .complianceGroup,
                "'\(name)' is a compliance group: its members are the compliant users "
                    + "(memberaudit groups compliance '\(name)' --off makes it an ordinary group)"
            )
        }
        return try row.get(0)
    }

    public static func userID(_ name: String, on connection: PostgresConnection) throws -> Int64 {
        guard let row = try connection.query("SELECT id FROM sync.users WHERE name = $1", [name]).first else {
            throw AccessError(.unknownUser, "no user named '\(name)' (memberaudit users list shows them)")
        }
        return try row.get(0)
    }

    // MARK: - Sharing

    /// Shares a character for recruiters: its owner only, holding `share_characters`.
    public static func share(characterID: Int64, by viewer: Viewer, on connection: PostgresConnection) throws {
        try self.requireOwner(characterID, viewer, on: connection)
        guard viewer.has(.shareCharacters) else {
            throw AccessError(.sharingNotAllowed, "sharing needs the share_characters permission")
        }
        try connection.execute(
            "INSERT INTO access.shared_characters (character_id) VALUES ($1) ON CONFLICT DO NOTHING",
            [characterID]
        )
    }

    /// Unshares a character: its owner, or a superuser.
    public static func unshare(characterID: Int64, by viewer: Viewer, on connection: PostgresConnection) throws {
        if !viewer.isSuperuser { try self.requireOwner(characterID, viewer, on: connection) }
        try connection.execute("DELETE FROM access.shared_characters WHERE character_id = $1", [characterID])
    }

    private static func requireOwner(_ characterID: Int64, _ viewer: Viewer, on connection: PostgresConnection) throws {
        let owner = try connection.query("SELECT user_id FROM sync.characters WHERE id = $1", [characterID]).first
        guard let owner, try owner.get(0, as: Int64.self) == viewer.userID else {
            throw AccessError(.notOwner, "only the owner of character \(characterID) may share or unshare it")
        }
    }

    /// Ends shares older than `timeout` (nil: no timeout) and those of owners who may no longer
    /// share (the original's consistency check). Returns how many ended.
    @discardableResult
    public static func expireShares(
        timeout: TimeInterval?,
        now: Date = Date(),
        on connection: PostgresConnection
    ) throws
        -> Int
    {
        try connection.query(
            """
            DELETE FROM access.shared_characters s USING sync.characters c, sync.users u
            WHERE c.id = s.character_id AND u.id = c.user_id
              AND (($1::timestamptz IS NOT NULL AND s.shared_at < $1::timestamptz)
                   OR NOT (u.is_superuser OR EXISTS (
                       SELECT FROM access.user_groups ug JOIN access.group_permissions gp USING (group_id)
                       WHERE ug.user_id = u.id AND gp.permission = 'share_characters')))
            RETURNING s.character_id
            """,
            [timeout.map { now.addingTimeInterval(-$0) }]
        ).count
    }
}
