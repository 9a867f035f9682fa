import Access
import Foundation
import Hummingbird
import Postgres
import Projections
import Reports
import Vocabulary

/// The reports, each scoped to what the viewer may see: all users with view_everything, else the
/// users (and their mains' corporations) of their main's alliance or corporation, else their own.
/// Unlike the original, the skill-set report is scoped too.
extension WebApp {
    static let reports: [(name: String, title: String, about: String)] = [
        ("compliance", "User compliance", "Per user: are all known characters registered?"),
        ("corporations", "Corporation compliance", "Per corporation of mains: how many characters are registered."),
        (
            "membership", "Membership compliance",
            "Members of corporations (from directors' tokens) who are not registered."
        ),
        ("skillsets", "Skill sets", "Which characters can fly which skill sets, per group."),
        ("tokens", "Token health", "Characters whose token or sections need attention."),
    ]

    static func report(
        _ name: String,
        viewer: Viewer,
        policies: [Section: Int],
        on connection: PostgresConnection
    ) throws
        -> ReportTable?
    {
        // Reports need basic access like every page, whatever else the viewer holds.
        guard viewer.has(.basicAccess) else { throw HTTPError.forbidden("This needs the basic_access permission.") }
        var table: ReportTable
        switch name {
        case "compliance": table = try Reports.compliance(on: connection)
        case "corporations": table = try Reports.corporations(on: connection)
        case "membership": table = try Reports.membership(on: connection)
        case "skillsets": table = try Reports.skillSets(on: connection)
        case "tokens": table = try Reports.tokens(sections: policies, on: connection)
        default: return nil
        }
        if AccessRules.reportScope(of: viewer) == .everything { return table }
        let users = try AccessStore.usersInScope(of: viewer, on: connection)
        if let column = table.columns.firstIndex(of: "user") {
            table.rows = table.rows.filter { users.contains($0[column].text) }
        } else if let column = table.columns.firstIndex(of: "corporation_id") {
            // A corporation is in scope only through a corporation or alliance scope: a viewer
            // whose scope is their own user does not see their corporation's members.
            let corporations: Set<String>
            switch AccessRules.reportScope(of: viewer) {
            case .everything: return table
            case .none: corporations = []
            case .corporation(let corporation): corporations = [String(corporation)]
            case .alliance:
                corporations = Set(try AccessStore.mainCorporations(ofUsers: users, on: connection).map(String.init))
            }
            table.rows = table.rows.filter { corporations.contains($0[column].text) }
        }
        return table
    }

    func reports(name: String?, query: [String: String] = [:], caller: Caller) async throws -> Response {
        guard let name else {
            let items = Self.reports.map { report -> HTML in
                "<li><a href=\"/reports/\(report.name)\">\(report.title)</a> <span class=\"muted\">\(report.about)</span></li>"
            }
            return self.page("Reports", caller, "<ul>\(items)</ul>")
        }
        guard let entry = Self.reports.first(where: { $0.name == name }) else { throw HTTPError.noSuchPage }
        let policies = self.tokenPolicies
        let table = try await self.pool.withConnection {
            try Self.report(name, viewer: caller.viewer, policies: policies, on: $0)
        }
        guard let table else { throw HTTPError.noSuchPage }
        let part = Self.displayPart(table)
        // Names link to the character sheet (which checks the viewer may open it).
        let idColumns = ["character": "character_id", "main": "main_id"]
        let index = Dictionary(uniqueKeysWithValues: table.columns.enumerated().map { ($1, $0) })
        let content = self.sortableTable(
            part,
            base: "/reports/\(name)",
            query: query,
            label: { Columns.label($0, section: "") },
            cell: { value, column, row in
                if let idColumn = idColumns[column], let at = index[idColumn], case .int(let id) = row[at],
                    case .text(let text) = value
                {
                    return "<a href=\"/characters/\(id)\">\(text)</a>"
                }
                return Columns.cell(value, column: column)
            },
            download: "/reports/\(name)/csv"
        )
        return self.page(
            entry.title,
            caller,
            """
            <p class="muted">\(entry.about) As JSON: <a href="/api/reports/\(name)">/api/reports/\(name)</a></p>
            \(content)
            """
        )
    }

    /// The report's rows as filtered and sorted on the page (every page of them), as CSV.
    func reportCSV(name: String, query: [String: String], caller: Caller) async throws -> Response {
        let policies = self.tokenPolicies
        guard
            var table = try await self.pool.withConnection({
                try Self.report(name, viewer: caller.viewer, policies: policies, on: $0)
            })
        else { throw HTTPError.noSuchPage }
        let part = Self.displayPart(table)
        table.rows = TableQuery(query, prefix: "").apply(to: part, pageSize: max(1, part.rows.count)).rows.map {
            $0.map(Self.reportValue)
        }
        return .download(Array(table.csv().utf8), contentType: "text/csv; charset=utf-8", filename: "\(name).csv")
    }

    static func displayPart(_ table: ReportTable) -> DisplayPart {
        DisplayPart(
            name: table.name,
            columns: table.columns,
            rows: table.rows.map { row in
                row.map { value -> DisplayValue in
                    switch value {
                    case .text(let text): .text(text)
                    case .int(let number): .int(number)
                    case .double(let number): .double(number)
                    case .bool(let flag): .bool(flag)
                    case .null: .null
                    }
                }
            }
        )
    }

    static func reportValue(_ value: DisplayValue) -> ReportValue {
        switch value {
        case .text(let text), .json(let text): .text(text)
        case .int(let number): .int(number)
        case .double(let number): .double(number)
        case .bool(let flag): .bool(flag)
        case .time(let date): .text(formatTime(date))
        case .null: .null
        }
    }
}
