import Access
import Foundation
import Postgres

/// A row of the character finder.
struct FinderRow: Sendable, Encodable {
    var id: Int64
    var name: String
    var corporation: String?
    var alliance: String?
    var user: String
    var main: String?
    var mainCorporation: String?
    var mainAlliance: String?
    var isMain: Bool
    var shared: Bool
    var registered: Bool
    /// Whether the viewer may open it (a row in the reports' scope may be listed without).
    var canView: Bool
}

extension WebApp {
    /// Every character the viewer may open or whose user is in their scope, registered or only
    /// known from a login, filtered by name and organisation.
    static func finderRows(
        _ viewer: Viewer,
        query: [String: String],
        on connection: PostgresConnection
    ) throws -> [FinderRow] {
        let facts = AccessStore.factsQuery
        let (visible, visibleParameters) = AccessStore.visibility(of: viewer)
        let (scope, scopeParameters) = AccessStore.reportScope(
            of: viewer,
            user: "f.owner_id",
            corporation: "f.owner_corporation_id",
            alliance: "f.owner_alliance_id",
            first: 6
        )
        let (knownScope, knownParameters) = AccessStore.reportScope(
            of: viewer,
            user: "u.id",
            corporation: "d.corporation_id",
            alliance: "d.alliance_id",
            first: 10
        )
        // Names from the tables, not the overview view: that one aggregates every character's
        // update status, which a list of all characters must not do per request.
        func name(_ id: String) -> String {
            """
            coalesce((SELECT e.name FROM readmodel.entity_names e WHERE e.id = \(id)),
                     (SELECT n.name FROM sde.npc_corporations n WHERE n.id = \(id)), \(id)::text)
            """
        }
        let rows = try connection.query(
            """
            WITH f AS (\(facts))
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
            """,
            visibleParameters + scopeParameters + knownParameters
        )
        var result = try rows.map { row in
            FinderRow(
                id: try row.get(0),
                name: try row.get(1),
                corporation: try row.get(2),
                alliance: try row.get(3),
                user: try row.get(4),
                main: try row.get(5),
                mainCorporation: try row.get(6),
                mainAlliance: try row.get(7),
                isMain: try row.get(8, as: Bool?.self) ?? false,
                shared: try row.get(9),
                registered: try row.get(10),
                canView: try row.get(11)
            )
        }
        func matches(_ value: String?, _ key: String) -> Bool {
            guard let wanted = query[key]?.lowercased(), !wanted.isEmpty else { return true }
            return value?.lowercased().contains(wanted) ?? false
        }
        let flags = (
            shared: query["shared"] == "1", unregistered: query["unregistered"] == "1", mains: query["mains"] == "1"
        )
        result = result.filter { row in
            guard matches(row.name, "q"), matches(row.corporation, "corporation"), matches(row.alliance, "alliance"),
                matches(row.main, "main"), matches(row.mainCorporation, "main_corporation"),
                matches(row.mainAlliance, "main_alliance")
            else { return false }
            return (!flags.shared || row.shared) && (!flags.unregistered || !row.registered)
                && (!flags.mains || row.isMain)
        }
        return result
    }

    func finder(_ request: WebRequest, caller: Caller?) async throws -> WebResponse {
        let caller = try self.require(caller, .finderAccess)
        let rows = try await self.pool.withConnection {
            try Self.finderRows(caller.viewer, query: request.query, on: $0)
        }
        let q = request.query
        func field(_ name: String, _ label: String) -> HTML {
            "<label>\(label) <input name=\"\(name)\" value=\"\(q[name] ?? "")\" size=\"14\"></label> "
        }
        func box(_ name: String, _ label: String) -> HTML {
            "<label><input type=\"checkbox\" name=\"\(name)\" value=\"1\"\(raw: q[name] == "1" ? " checked" : "")> \(label)</label> "
        }
        let form: HTML = """
            <form method="get" action="/finder">\(field("q", "Character"))\(field("corporation", "Corporation"))\
            \(field("alliance", "Alliance"))\(field("main", "Main"))\(field("main_corporation", "Main's corporation"))\
            \(field("main_alliance", "Main's alliance"))\(box("mains", "mains only"))\(box("shared", "shared"))\
            \(box("unregistered", "unregistered"))<button type="submit">Find</button></form>
            """
        var table = TableQuery(q, prefix: "")
        table.page = table.page(of: rows.count, pageSize: Self.pageSize)
        let shown = rows.dropFirst((table.page - 1) * Self.pageSize).prefix(Self.pageSize)
        let lines = shown.map { row -> HTML in
            let name: HTML = row.canView ? "<a href=\"/characters/\(row.id)\">\(row.name)</a>" : "\(row.name)"
            let flags = [
                row.isMain ? "★ main" : nil, row.shared ? "shared" : nil, row.registered ? nil : "unregistered",
            ]
            .compactMap { $0 }.joined(separator: ", ")
            return """
                <tr><td>\(name)</td><td>\(row.corporation ?? "")</td><td>\(row.alliance ?? "")</td><td>\(row.user)</td>\
                <td>\(row.main ?? "")</td><td>\(row.mainCorporation ?? "")\(raw: row.mainAlliance == nil ? "" : " [")\(row.mainAlliance ?? "")\(raw: row.mainAlliance == nil ? "" : "]")</td>\
                <td class="\(raw: row.registered ? "" : "bad")">\(flags)</td></tr>
                """
        }
        var pager: HTML = "<div class=\"pager\"><span>\(rows.count) characters</span>"
        if table.page > 1 {
            pager +=
                "<a href=\"\(table.link(base: "/finder", request: request, changes: ["page": String(table.page - 1)]))\">Previous</a>"
        }
        if table.page * Self.pageSize < rows.count {
            pager +=
                "<a href=\"\(table.link(base: "/finder", request: request, changes: ["page": String(table.page + 1)]))\">Next</a>"
        }
        pager += "</div>"
        return self.page(
            "Character finder",
            caller,
            form
                + "<div class=\"scroll\"><table><tr><th>Character</th><th>Corporation</th><th>Alliance</th><th>User</th><th>Main</th><th>Main's organisation</th><th></th></tr>\(lines)</table></div>"
                + pager
        )
    }
}
