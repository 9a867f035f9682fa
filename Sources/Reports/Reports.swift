import Foundation
import Postgres

/// The reports leadership reads, computed from the registry, the read models and the skill-set
/// checks. Each runs as one query (or two) on a connection; the CLI runs them as an administrator,
/// the web pages keep the rows of the viewer's report scope (`WebApp.report`).
public enum Reports {
    /// The characters each user owns: registered ones, and ones known from a login only.
    static let owned = """
        owned AS (
            SELECT user_id, character_id FROM sync.ownerships
            UNION SELECT user_id, id FROM sync.characters
        ),
        per_user AS (
            SELECT u.id AS user_id, u.name AS user_name, u.main_character_id,
                   count(o.character_id) AS known, count(c.id) AS registered
            FROM sync.users u
            LEFT JOIN owned o ON o.user_id = u.id
            LEFT JOIN sync.characters c ON c.id = o.character_id AND c.user_id = u.id
            GROUP BY u.id
        ),
        users AS (
            SELECT p.*, m.name AS main_name, d.corporation_id, corporation.name AS corporation_name,
                   d.alliance_id, alliance.name AS alliance_name
            FROM per_user p
            LEFT JOIN sync.characters m ON m.id = p.main_character_id
            LEFT JOIN readmodel.character_details d ON d.character_id = p.main_character_id
            LEFT JOIN \(entityName("corporation", "d.corporation_id"))
            LEFT JOIN \(entityName("alliance", "d.alliance_id"))
        )
        """

    /// A join that names an entity: ESI's name, or the static data's for NPC corporations. (The
    /// `names` view says the same, but joined per row it is computed whole.)
    static func entityName(_ alias: String, _ id: String) -> String {
        """
        LATERAL (SELECT coalesce((SELECT named.name FROM readmodel.entity_names named WHERE named.id = \(id)),
                                 (SELECT npc.name FROM sde.npc_corporations npc WHERE npc.id = \(id))) AS name) \(alias) ON true
        """
    }

    /// "Corporation [Alliance]" of a main, by name where known.
    static func organisation(_ row: PostgresRow, corporation: Int, alliance: Int) throws -> String {
        let corporationName =
            try row.get(corporation + 1, as: String?.self)
            ?? (try row.get(corporation, as: Int64?.self)).map(String.init)
        let allianceName =
            try row.get(alliance + 1, as: String?.self)
            ?? (try row.get(alliance, as: Int64?.self)).map(String.init)
        guard let corporationName else { return "" }
        return allianceName.map { "\(corporationName) [\($0)]" } ?? corporationName
    }

    /// Per user: main, organisation, characters known and registered; compliant when every known
    /// character is registered (a user without a main never is).
    public static func compliance(
        organisation filter: String? = nil,
        nonCompliantOnly: Bool = false,
        on connection: PostgresConnection
    ) throws -> ReportTable {
        var table = ReportTable(
            name: "compliance",
            columns: [
                "user", "main_id", "main", "corporation_id", "organisation", "known", "registered", "unregistered",
                "is_registered", "compliant",
            ]
        )
        let rows = try connection.query(
            """
            WITH \(owned)
            SELECT user_name, main_character_id, main_name, corporation_id, corporation_name, alliance_id,
                   alliance_name, known, registered
            FROM users
            WHERE $1::text IS NULL OR corporation_id::text = $1 OR alliance_id::text = $1
               OR corporation_name ILIKE $1 OR alliance_name ILIKE $1
            ORDER BY user_name
            """,
            [filter]
        )
        for row in rows {
            let known = try row.get(7, as: Int64.self)
            let registered = try row.get(8, as: Int64.self)
            let main = try row.get(1, as: Int64?.self)
            let compliant = main != nil && known == registered
            if nonCompliantOnly && compliant { continue }
            table.rows.append([
                .text(try row.get(0)), main.map(ReportValue.int) ?? .null,
                (try row.get(2, as: String?.self)).map(ReportValue.text) ?? .null,
                (try row.get(3, as: Int64?.self)).map(ReportValue.int) ?? .null,
                .text(try organisation(row, corporation: 3, alliance: 5)), .int(known), .int(registered),
                .int(known - registered), .bool(registered > 0), .bool(compliant),
            ])
        }
        return table
    }

    /// Per main's corporation: mains, characters, unregistered, percentage registered, and
    /// compliant (100 %), partly (at least 85 %) or not.
    public static func corporations(on connection: PostgresConnection) throws -> ReportTable {
        var table = ReportTable(
            name: "corporations",
            columns: [
                "corporation_id", "corporation", "alliance", "mains", "characters", "unregistered", "percent",
                "compliance",
            ]
        )
        let rows = try connection.query(
            """
            WITH \(unescaped: owned)
            SELECT corporation_id, min(corporation_name), min(alliance_name), count(main_character_id),
                   sum(known)::bigint, sum(known - registered)::bigint
            FROM users
            GROUP BY corporation_id
            ORDER BY min(corporation_name) NULLS LAST, corporation_id
            """
        )
        for row in rows {
            let corporation = try row.get(0, as: Int64?.self)
            let characters = try row.get(4, as: Int64.self)
            let unregistered = try row.get(5, as: Int64.self)
            let percent =
                characters == 0 ? 100 : Int64((Double(characters - unregistered) / Double(characters) * 100).rounded())
            table.rows.append([
                corporation.map(ReportValue.int) ?? .null,
                .text(try row.get(1, as: String?.self) ?? corporation.map(String.init) ?? "[no main]"),
                (try row.get(2, as: String?.self)).map(ReportValue.text) ?? .null, .int(try row.get(3)),
                .int(characters), .int(unregistered), .int(percent),
                .text(unregistered == 0 ? "compliant" : percent >= 85 ? "partly" : "not"),
            ])
        }
        return table
    }

    /// For each corporation whose member list a director's token fetched (the newest list), every
    /// member character that is not registered, and the user it is known to belong to, if any.
    public static func membership(
        corporation filter: String? = nil,
        on connection: PostgresConnection
    ) throws
        -> ReportTable
    {
        var table = ReportTable(
            name: "membership",
            columns: [
                "corporation_id", "corporation", "character_id", "character", "known_owner", "list_fetched_at",
                "fetched_by",
            ]
        )
        let rows = try connection.query(
            """
            WITH newest AS (
                SELECT DISTINCT ON (corporation_id) corporation_id, character_id, fetched_at
                FROM readmodel.corporation_member_lists
                ORDER BY corporation_id, fetched_at DESC, character_id
            )
            SELECT n.corporation_id, corporation.name, m.member_id, coalesce(member.name, o.character_name),
                   u.name, n.fetched_at, coalesce(fetcher.name, n.character_id::text)
            FROM newest n
            JOIN readmodel.corporation_members m ON m.character_id = n.character_id AND m.corporation_id = n.corporation_id
            LEFT JOIN \(entityName("corporation", "n.corporation_id"))
            LEFT JOIN readmodel.names member ON member.id = m.member_id
            LEFT JOIN readmodel.names fetcher ON fetcher.id = n.character_id
            LEFT JOIN sync.ownerships o ON o.character_id = m.member_id
            LEFT JOIN sync.users u ON u.id = o.user_id
            WHERE NOT EXISTS (SELECT 1 FROM sync.characters c WHERE c.id = m.member_id)
              AND ($1::text IS NULL OR n.corporation_id::text = $1 OR corporation.name ILIKE $1)
            ORDER BY corporation.name, n.corporation_id, member.name NULLS LAST, m.member_id
            """,
            [filter]
        )
        for row in rows {
            let corporation = try row.get(0, as: Int64.self)
            let member = try row.get(2, as: Int64.self)
            table.rows.append([
                .int(corporation), .text(try row.get(1, as: String?.self) ?? String(corporation)), .int(member),
                .text(try row.get(3, as: String?.self) ?? String(member)),
                (try row.get(4, as: String?.self)).map(ReportValue.text) ?? .null,
                .text((try row.get(5, as: Date.self)).formatted(.iso8601)), .text(try row.get(6)),
            ])
        }
        return table
    }
}
