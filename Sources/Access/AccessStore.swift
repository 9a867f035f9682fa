import Foundation
import Postgres

/// The access rules' data in PostgreSQL: viewers, the facts of characters, and the lists a viewer
/// may see. Every function runs on a connection the caller holds, so a page reads its viewer and
/// its data in one transaction.
public enum AccessStore {
    // MARK: - Viewers

    /// The user with their permissions and their main's corporation and alliance; nil if unknown.
    public static func viewer(userID: Int64, on connection: PostgresConnection) throws -> Viewer? {
        try self.viewer(where: "u.id = $1", userID, on: connection)
    }

    public static func viewer(named name: String, on connection: PostgresConnection) throws -> Viewer? {
        try self.viewer(where: "u.name = $1", name, on: connection)
    }

    private static func viewer(
        where condition: String,
        _ parameter: any PostgresEncodable,
        on connection: PostgresConnection
    ) throws -> Viewer? {
        let rows = try connection.query(
            """
            SELECT u.id, u.name, u.is_superuser, u.main_character_id, d.corporation_id, d.alliance_id,
                   ARRAY(SELECT DISTINCT gp.permission FROM access.user_groups ug
                         JOIN access.group_permissions gp USING (group_id) WHERE ug.user_id = u.id)
            FROM sync.users u
            LEFT JOIN readmodel.character_details d ON d.character_id = u.main_character_id
            WHERE \(condition)
            """,
            [parameter]
        )
        guard let row = rows.first else { return nil }
        return Viewer(
            userID: try row.get(0),
            name: try row.get(1),
            isSuperuser: try row.get(2),
            permissions: Set(try row.get(6, as: [String].self).compactMap(Permission.init(rawValue:))),
            mainCharacterID: try row.get(3),
            mainCorporationID: try row.get(4),
            mainAllianceID: try row.get(5)
        )
    }

    // MARK: - Characters

    /// The facts of every registered character, as a subquery with columns `character_id,
    /// owner_id, owner_corporation_id, owner_alliance_id, is_shared, owner_may_share`. The mains'
    /// corporations come from the read models, which every reader of this (the web app) has
    /// prepared before it serves.
    public static let factsQuery = """
        SELECT c.id AS character_id, c.user_id AS owner_id, d.corporation_id AS owner_corporation_id,
               d.alliance_id AS owner_alliance_id, s.character_id IS NOT NULL AS is_shared,
               (u.is_superuser OR EXISTS (
                   SELECT FROM access.user_groups ug JOIN access.group_permissions gp USING (group_id)
                   WHERE ug.user_id = u.id AND gp.permission = 'share_characters')) AS owner_may_share
        FROM sync.characters c
        JOIN sync.users u ON u.id = c.user_id
        LEFT JOIN readmodel.character_details d ON d.character_id = u.main_character_id
        LEFT JOIN access.shared_characters s ON s.character_id = c.id
        """

    /// The facts of one registered character; nil if no such character is registered.
    public static func facts(characterID: Int64, on connection: PostgresConnection) throws -> CharacterFacts? {
        let rows = try connection.query(
            "SELECT * FROM (\(self.factsQuery)) f WHERE character_id = $1",
            [characterID]
        )
        guard let row = rows.first else { return nil }
        return CharacterFacts(
            characterID: try row.get(0),
            ownerID: try row.get(1),
            ownerMainCorporationID: try row.get(2),
            ownerMainAllianceID: try row.get(3),
            isShared: try row.get(4),
            ownerMayShare: try row.get(5)
        )
    }

    /// A SQL condition on the columns of ``factsQuery`` (alias `f`) that holds exactly for the
    /// characters ``AccessRules/canView(_:_:)`` allows.
    public static func visibility(of viewer: Viewer) -> PostgresQuery {
        guard viewer.has(.basicAccess) else { return "false" }
        let (everything, alliance, corporation) = self.parameters(AccessRules.scope(of: viewer))
        return """
            (f.owner_id = \(viewer.userID) OR \(everything)::boolean OR f.owner_alliance_id = \(alliance)::bigint
             OR f.owner_corporation_id = \(corporation)::bigint
             OR (\(viewer.has(.viewSharedCharacters))::boolean AND f.is_shared AND f.owner_may_share))
            """
    }

    /// A scope as the parameters of the SQL conditions: all, or an alliance, or a corporation.
    private static func parameters(
        _ scope: AccessRules.Scope
    ) -> (everything: Bool, alliance: Int64?, corporation: Int64?) {
        switch scope {
        case .none: (false, nil, nil)
        case .everything: (true, nil, nil)
        case .alliance(let id): (false, id, nil)
        case .corporation(let id): (false, nil, id)
        }
    }

    /// The registered characters the viewer may open, by id; with `owner`, only that user's.
    public static func visibleCharacterIDs(
        of viewer: Viewer,
        ownedBy owner: Int64? = nil,
        on connection: PostgresConnection
    ) throws -> [Int64] {
        try connection.query(
            """
            SELECT f.character_id FROM (\(unescaped: self.factsQuery)) f
            WHERE (\(owner)::bigint IS NULL OR f.owner_id = \(owner)::bigint) AND \(self.visibility(of: viewer))
            ORDER BY 1
            """
        ).map { try $0.get(0) }
    }

    /// Whether the viewer may open the character: `.allowed`, `.forbidden` (it exists and they may
    /// know of it: it is in their scope without the right to open it) or `.unknown`.
    public enum Decision: Sendable, Equatable {
        case allowed
        case forbidden
        case unknown
    }

    public static func decide(
        _ viewer: Viewer,
        characterID: Int64,
        on connection: PostgresConnection
    ) throws -> Decision {
        guard let facts = try self.facts(characterID: characterID, on: connection) else { return .unknown }
        if AccessRules.canView(viewer, facts) { return .allowed }
        // A character the viewer could know of (the finder lists it, as in the original: the
        // corporation scope without characters_access) is forbidden; any other is not known to exist.
        return AccessRules.mayKnowOf(viewer, facts) ? .forbidden : .unknown
    }
}

extension AccessStore {
    /// Every user who holds `permission`, through a group or as a superuser.
    public static func users(with permission: Permission, on connection: PostgresConnection) throws -> [Viewer] {
        try connection.query(
            """
            SELECT u.id FROM sync.users u
            WHERE u.is_superuser OR EXISTS (
                SELECT FROM access.user_groups ug JOIN access.group_permissions p ON p.group_id = ug.group_id
                WHERE ug.user_id = u.id AND p.permission = \(permission.rawValue))
            ORDER BY u.id
            """
        ).compactMap { try self.viewer(userID: try $0.get(0), on: connection) }
    }

    /// A SQL condition that holds for what lies in the viewer's report scope (`accessible_users`):
    /// `corporation` and `alliance` name the columns of the owner's main; `user` the owner's id
    /// column (the viewer's own always count). The column names are SQL, never input.
    public static func reportScope(
        of viewer: Viewer,
        user: String,
        corporation: String,
        alliance: String
    ) -> PostgresQuery {
        guard viewer.has(.basicAccess) else { return "false" }
        let (everything, allianceID, corporationID) = self.parameters(AccessRules.reportScope(of: viewer))
        return """
            (\(unescaped: user) = \(viewer.userID) OR \(everything)::boolean OR \(unescaped: alliance) = \(allianceID)::bigint
             OR \(unescaped: corporation) = \(corporationID)::bigint)
            """
    }

    /// The corporations of these users' mains.
    public static func mainCorporations(
        ofUsers users: Set<String>,
        on connection: PostgresConnection
    ) throws
        -> [Int64]
    {
        try connection.query(
            """
            SELECT DISTINCT d.corporation_id FROM sync.users u
            JOIN readmodel.character_details d ON d.character_id = u.main_character_id
            WHERE u.name = ANY(\(Array(users))) AND d.corporation_id IS NOT NULL
            """
        ).map { try $0.get(0) }
    }

    /// The names of the users in the viewer's report scope.
    public static func usersInScope(of viewer: Viewer, on connection: PostgresConnection) throws -> Set<String> {
        let condition = self.reportScope(
            of: viewer,
            user: "u.id",
            corporation: "d.corporation_id",
            alliance: "d.alliance_id"
        )
        return Set(
            try connection.query(
                """
                SELECT u.name FROM sync.users u
                LEFT JOIN readmodel.character_details d ON d.character_id = u.main_character_id
                WHERE \(condition)
                """
            ).map { try $0.get(0, as: String.self) }
        )
    }
}
