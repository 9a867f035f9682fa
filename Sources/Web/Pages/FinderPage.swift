import Access
import Foundation
import Hummingbird
import Postgres
import Projections
import Reports

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
        let part = Self.finderPart(rows)
        let openable = Set(rows.filter(\.canView).map(\.id))
        let table = self.sortableTable(
            part,
            base: "/finder",
            query: q,
            label: { Columns.label($0, section: "finder") },
            cell: { value, column, row in
                if column == "character", case .int(let id) = row[0], openable.contains(id) {
                    return "<a href=\"/characters/\(id)\">\(WebApp.text(value))</a>"
                }
                if column == "registered", value == .bool(false) { return Format.badge("not registered", "stale") }
                return Columns.cell(value, column: column)
            },
            filter: false,
            download: "/finder/csv"
        )
        return self.page("Character finder", caller, form + table)
    }

    /// The finder's rows as shown (filtered and sorted, every page) as CSV.
    func finderCSV(query: [String: String], caller: Caller) async throws -> Response {
        let rows = try await self.pool.withConnection { try Self.finderRows(caller.viewer, query: query, on: $0) }
        let part = Self.finderPart(rows)
        let shown = TableQuery(query, prefix: "").apply(to: part, pageSize: max(1, part.rows.count)).rows
        let table = ReportTable(name: "finder", columns: part.columns, rows: shown.map { $0.map(Self.reportValue) })
        return .download(Array(table.csv().utf8), contentType: "text/csv; charset=utf-8", filename: "characters.csv")
    }

    static func finderPart(_ rows: [Finder.Row]) -> DisplayPart {
        DisplayPart(
            name: "characters",
            columns: [
                "character_id", "character", "corporation", "alliance", "user", "main", "main_corporation",
                "main_alliance", "is_main", "shared", "registered",
            ],
            rows: rows.map { row in
                [
                    .int(row.id), .text(row.name), row.corporation.map(DisplayValue.text) ?? .null,
                    row.alliance.map(DisplayValue.text) ?? .null, .text(row.user),
                    row.main.map(DisplayValue.text) ?? .null, row.mainCorporation.map(DisplayValue.text) ?? .null,
                    row.mainAlliance.map(DisplayValue.text) ?? .null, .bool(row.isMain), .bool(row.shared),
                    .bool(row.registered),
                ]
            }
        )
    }
}
