import Access
import Foundation
import Hummingbird
import Postgres

extension WebApp {
    /// Every character the viewer may open or whose user is in their scope, registered or only
    /// known from a login, filtered by name and organisation.
    static func finderRows(
        _ viewer: Viewer,
        query: [String: String],
        on connection: PostgresConnection
    ) throws -> [Finder.Row] {
        var result = try Finder.rows(for: viewer, on: connection)
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

    func finder(query q: [String: String], caller: Caller) async throws -> Response {
        let rows = try await self.pool.withConnection {
            try Self.finderRows(caller.viewer, query: q, on: $0)
        }
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
                "<a href=\"\(table.link(base: "/finder", query: q, changes: ["page": String(table.page - 1)]))\">Previous</a>"
        }
        if table.page * Self.pageSize < rows.count {
            pager +=
                "<a href=\"\(table.link(base: "/finder", query: q, changes: ["page": String(table.page + 1)]))\">Next</a>"
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
