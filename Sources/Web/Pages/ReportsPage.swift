import Access
import Foundation
import Hummingbird
import Postgres
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

    func reports(name: String?, caller: Caller) async throws -> Response {
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
        let headers = table.columns.map { "<th>\(Columns.label($0, section: ""))</th>" as HTML }
        let rows = table.rows.map { row -> HTML in
            "<tr>\(row.map { "<td>\($0.text)</td>" as HTML })</tr>"
        }
        return self.page(
            entry.title,
            caller,
            """
            <p class="muted">\(entry.about) \(table.rows.count) rows. As JSON: <a href="/api/reports/\(name)">/api/reports/\(name)</a></p>
            <div class="scroll"><table><tr>\(headers)</tr>\(rows)</table></div>
            """
        )
    }
}
