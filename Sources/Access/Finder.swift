import Foundation
import Postgres

/// The character finder's rows: every character the viewer may open or whose user is in their
/// report scope, registered or only known from a login.
public enum Finder {
    public struct Row: Sendable, Encodable {
        public var id: Int64
        public var name: String
        public var corporation: String?
        public var alliance: String?
        public var user: String
        public var main: String?
        public var mainCorporation: String?
        public var mainAlliance: String?
        public var isMain: Bool
        public var shared: Bool
        public var registered: Bool
        /// Whether the viewer may open it (a row in the reports' scope may be listed without).
        public var canView: Bool
    }

    public static func rows(for viewer: Viewer, on connection: PostgresConnection) throws -> [Row] {
        let visible = AccessStore.visibility(of: viewer)
        let scope = AccessStore.reportScope(
            of: viewer,
            user: "f.owner_id",
            corporation: "f.owner_corporation_id",
            alliance: "f.owner_alliance_id"
        )
        let knownScope = AccessStore.reportScope(
            of: viewer,
            user: "u.id",
            corporation: "d.corporation_id",
            alliance: "d.alliance_id"
        )
        // Names from the tables, not the overview view: that one aggregates every character's
        // update status, which a list of all characters must not do per request.
        func name(_ id: String) -> PostgresQuery {
            """
            coalesce((SELECT e.name FROM readmodel.entity_names e WHERE e.id = \(unescaped: id)),
                     (SELECT n.name FROM sde.npc_corporations n WHERE n.id = \(unescaped: id)), \(unescaped: id)::text)
            """
        }
        return try connection.query(
            """
            WITH f AS (\(unescaped: AccessStore.factsQuery))
            SELECT f.character_id, coalesce(d.name, c.name), \(name("d.corporation_id")), \(name("d.alliance_id")), u.name,
                   m.name, \(name("md.corporation_id")), \(name("md.alliance_id")), u.main_character_id = f.character_id,
                   f.is_shared, true, \(visible)
            FROM f JOIN sync.characters c ON c.id = f.character_id JOIN sync.users u ON u.id = f.owner_id
            LEFT JOIN readmodel.character_details d ON d.character_id = f.character_id
            LEFT JOIN sync.characters m ON m.id = u.main_character_id
            LEFT JOIN readmodel.character_details md ON md.character_id = u.main_character_id
            WHERE \(visible) OR \(scope)
            UNION ALL
            SELECT k.character_id, k.character_name, NULL, NULL, u.name, m.name, \(name("d.corporation_id")),
                   \(name("d.alliance_id")), false, false, false, false
            FROM sync.ownerships k JOIN sync.users u ON u.id = k.user_id
            LEFT JOIN readmodel.character_details d ON d.character_id = u.main_character_id
            LEFT JOIN sync.characters m ON m.id = u.main_character_id
            WHERE NOT EXISTS (SELECT FROM sync.characters c WHERE c.id = k.character_id) AND \(knownScope)
            ORDER BY 2
            """
        ).map { row in
            let (id, name, corporation, alliance, user, main) = try row.decode(
                (Int64, String, String?, String?, String, String?).self
            )
            return Row(
                id: id,
                name: name,
                corporation: corporation,
                alliance: alliance,
                user: user,
                main: main,
                mainCorporation: try row.get(6),
                mainAlliance: try row.get(7),
                isMain: try row.get(8, as: Bool?.self) ?? false,
                shared: try row.get(9),
                registered: try row.get(10),
                canView: try row.get(11)
            )
        }
    }
}
