import Access
import Application
import Audit
import ESI
import Foundation
import Hummingbird
import Postgres
import Projections
import Sync
import Vocabulary

/// The character viewer: an overview, then a tab per section, each a server-side sorted,
/// filtered and paged table with the section's update status.
extension WebApp {
    static let pageSize = 50

    /// Tabs in the order the original shows them, with their titles.
    static let tabs: [(section: String, title: String)] = [
        ("assets", "Assets"), ("character_details", "Bio"), ("contracts", "Contracts"),
        ("corporation_history", "Corporations"), ("implants", "Implants"), ("jump_clones", "Jump clones"),
        ("fw_stats", "Faction warfare"), ("mining_ledger", "Mining"), ("planets", "Planets"), ("loyalty", "Loyalty"),
        ("contacts", "Contacts"), ("standings", "Standings"), ("mails", "Mails"), ("attributes", "Attributes"),
        ("skill_queue", "Skill queue"), ("skill_sets", "Skill sets"), ("skills", "Skills"), ("roles", "Roles"),
        ("titles", "Titles"), ("wallet_journal", "Wallet journal"), ("wallet_transactions", "Market transactions"),
        ("location", "Location"), ("ship", "Ship"), ("online_status", "Online"), ("wallet_balance", "Wallet"),
        ("history", "History"),
    ]

    /// Columns that hold EVE's markup: shown sanitised, never raw.
    static let markupColumns: Set<String> = ["character_details.description", "mails.body"]

    /// The character sheet: the overview, or one tab (`history` has a page of its own).
    func characterPage(id: Int64, tab: String, query: [String: String], caller: Caller) async throws -> Response {
        if tab == "history" { return try await self.history(query: query, id: id, caller: caller) }
        guard tab == "overview" || Self.tabs.contains(where: { $0.section == tab }) else { throw HTTPError.noSuchPage }
        let viewer = caller.viewer
        let (name, state, status, household, sheet) = try await self.pool.withConnection { connection in
            try self.requireCharacter(id, caller, on: connection)
            if tab == "skill_sets", !viewer.has(.viewSkillSets) {
                throw HTTPError.forbidden("The skill-set tab needs the view_skill_sets permission.")
            }
            let name = try CharacterQueries.resolve(String(id), on: connection).name
            let sections = tab == "overview" || tab == "skill_sets" ? [] : [tab]
            let state = try CharacterQueries.state(of: id, name: name, sections: sections, on: connection)
            let status = try CharacterQueries.state(of: id, name: name, sections: ["update_status"], on: connection)
            let household = try Household.load(of: id, viewer: viewer, on: connection)
            let sheet = tab == "overview" ? try CharacterSheet.load(id, on: connection) : nil
            return (name, state, status, household, sheet)
        }
        let health = SectionHealth.from(status)
        var content: HTML = self.tabsHTML(
            id: id,
            current: tab,
            viewer: viewer,
            failing: Set(health.filter(\.failing).map(\.section))
        )
        if tab == "overview" {
            content += self.overviewHTML(sheet, health: health, household: household)
        } else if tab == "skill_sets" {
            content += try await self.skillSetTab(id: id)
        } else {
            var shown = state
            if tab == "mails" {
                let (links, filtered) = self.mailFilters(state, query: query, id: id)
                content += links
                shown = filtered
            }
            if tab == "contacts" { content += self.standingGroups(state, id: id) }
            for section in shown.sections {
                for part in section.parts {
                    if tab == "assets", let tree = self.assetTreeHTML(part, query: query, id: id) {
                        content += tree
                    } else {
                        content += self.partHTML(part, section: section.name, query: query, id: id, tab: tab)
                    }
                }
            }
            content += self.statusHTML(health.first { $0.section == tab })
            content += self.householdHTML(household)
        }
        return self.page(name, caller, content)
    }

    /// The contacts' standing groups with their counts, each a link that filters the table.
    func standingGroups(_ state: CharacterState, id: Int64) -> HTML {
        guard let part = state.sections.first?.parts.first(where: { $0.name == "contacts" }),
            let column = part.columns.firstIndex(of: "standing_group")
        else { return "" }
        let counts = Dictionary(
            grouping: part.rows.compactMap { row -> String? in
                if case .text(let group) = row[column] { group } else { nil }
            }
        ) { $0 }.mapValues(\.count)
        let links = ["Excellent", "Good", "Neutral", "Bad", "Terrible"].compactMap { group -> HTML? in
            guard let count = counts[group] else { return nil }
            return "<a href=\"/characters/\(id)/contacts?q=\(group)\">\(group) (\(count))</a>"
        }
        return links.isEmpty ? "" : "<p class=\"tabs\">\(links)</p>"
    }

    /// A page below a tab: a contract's or a skill set's detail.
    func characterItemPage(id: Int64, tab: String, item: Int64, caller: Caller) async throws -> Response {
        switch tab {
        case "contracts": try await self.contractPage(id: id, contract: item, caller: caller)
        case "skill_sets": try await self.skillSetDetailPage(id: id, skillSet: item, caller: caller)
        default: throw HTTPError.noSuchPage
        }
    }

    /// A page below a character's tab (a contract, a skill set): the character checked first,
    /// then `load` on the same connection, 404 when it finds nothing; the tabs above the content.
    func itemPage<Item: Sendable>(
        id: Int64,
        tab: String,
        caller: Caller,
        load: @escaping @Sendable (PostgresConnection) throws -> Item?,
        render: (String, Item) -> (title: String, content: HTML)
    ) async throws -> Response {
        let (name, item) = try await self.pool.withConnection { connection in
            try self.requireCharacter(id, caller, on: connection)
            return (try CharacterQueries.resolve(String(id), on: connection).name, try load(connection))
        }
        guard let item else { throw HTTPError.noSuchPage }
        let (title, content) = render(name, item)
        return self.page(title, caller, self.tabsHTML(id: id, current: tab, viewer: caller.viewer) + content)
    }

    /// Asks before a character is removed: what goes, and a button that posts `action` again with
    /// `confirm=yes` (and `hidden` fields).
    func confirmRemoval(
        id: Int64,
        caller: Caller,
        action: String? = nil,
        hidden: HTML = "",
        back: String = "/launcher"
    ) async throws -> Response {
        let name = try await self.pool.withConnection { connection in
            try self.requireCharacter(id, caller, on: connection)
            return try CharacterQueries.resolve(String(id), on: connection).name
        }
        return self.page(
            "Remove \(name)?",
            caller,
            """
            <p>Removing <strong>\(name)</strong> deletes its token, stops its updates and takes it off every \
            page and report. What was recorded stays in the audit log until an administrator purges it. \
            The character can be registered again later.</p>
            <form method="post" action="\(action ?? "/characters/\(id)/remove")">\(Layout.csrfField(caller.csrf))\(hidden)
            <input type="hidden" name="confirm" value="yes">
            <button type="submit" class="danger">Remove \(name)</button> <a href="\(back)">Keep it</a></form>
            """
        )
    }

    func characterAction(_ action: String, id: Int64, caller: Caller) async throws {
        if action == "remove" {
            _ = try await CharacterActions.remove(id, ownedBy: caller.viewer.userID, pool: self.pool)
            return
        }
        try await self.pool.transaction { connection in
            switch action {
            case "share": try AccessAdmin.share(characterID: id, by: caller.viewer, on: connection)
            case "unshare": try AccessAdmin.unshare(characterID: id, by: caller.viewer, on: connection)
            case "main": try CharacterActions.makeMain(id, of: caller.viewer.userID, on: connection)
            default: throw HTTPError.noSuchPage
            }
        }
    }

    /// The tabs, a failing section's marked.
    func tabsHTML(id: Int64, current: String, viewer: Viewer, failing: Set<String> = []) -> HTML {
        var tabs: [(String, String)] = [("overview", "Overview")] + Self.tabs
        if !viewer.has(.viewSkillSets) { tabs.removeAll { $0.0 == "skill_sets" } }
        let links: [HTML] = tabs.map { section, title in
            let path = section == "overview" ? "/characters/\(id)" : "/characters/\(id)/\(section)"
            let marker: HTML =
                failing.contains(section)
                ? " <span class=\"marker\" title=\"this section fails to update\">!</span>" : ""
            return
                "<li><a href=\"\(path)\"\(raw: section == current ? " class=\"current\"" : "")>\(title)\(marker)</a></li>"
        }
        return "<ul class=\"tabs\">\(links)</ul>"
    }

    /// One part as fields (single-row parts) or as a table sorted, filtered and paged by the query.
    func partHTML(_ part: DisplayPart, section: String, query: [String: String], id: Int64, tab: String) -> HTML {
        let markup = Set(part.columns.filter { Self.markupColumns.contains("\(section).\($0)") })
        func cell(_ value: DisplayValue, column: String) -> HTML {
            if markup.contains(column), case .text(let text) = value {
                return "<div class=\"markup\">\(Sanitizer.sanitize(text))</div>"
            }
            if case .json(let text) = value { return Self.jsonList(text) }
            if section == "contracts", column == "contract_id", case .int(let contract) = value {
                return "<a href=\"/characters/\(id)/contracts/\(contract)\">\(contract)</a>"
            }
            return Columns.cell(value, column: column)
        }
        let heading: HTML =
            part.name == section || part.name == "overview" ? "" : "<h2>\(Columns.sentence(part.name))</h2>"
        if part.single {
            guard let row = part.rows.first else { return heading + "<p class=\"muted\">No data yet.</p>" }
            let fields = zip(part.columns, row).map { column, value -> HTML in
                "<dt>\(Columns.label(column, section: section))</dt><dd>\(cell(value, column: column))</dd>"
            }
            return heading + "<dl class=\"fields\">\(fields)</dl>"
        }
        return heading
            + self.sortableTable(
                part,
                base: "/characters/\(id)/\(tab)",
                query: query,
                prefix: part.name == section ? "" : part.name + ".",
                label: { Columns.label($0, section: section) },
                cell: { value, column, _ in cell(value, column: column) }
            )
    }

    func statusHTML(_ health: SectionHealth?) -> HTML {
        guard let health else { return "" }
        let error: HTML = health.failing ? " · <span class=\"bad\">\(health.error ?? "")</span>" : ""
        return
            "<p class=\"status\">\(health.badge) Last updated \(Format.moment(health.lastSuccess)), last changed \(Format.moment(health.lastChanged))\(error)</p>"
    }

    /// Nested lists (a contract's items and bids) as a list of "key: value" lines.
    static func jsonList(_ text: String) -> HTML {
        guard let entries = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] else {
            return "\(text)"
        }
        let items = entries.map { entry -> HTML in
            let fields = entry.keys.sorted().map { key in
                "\(Columns.label(key, section: "")): \(entry[key].map { "\($0)" } ?? "")"
            }
            return "<li>\(fields.joined(separator: " · "))</li>"
        }
        return "<ul>\(items)</ul>"
    }

    static func text(_ value: DisplayValue) -> String {
        switch value {
        case .null: ""
        case .int(let value): String(value)
        case .double(let value): formatNumber(value)
        case .text(let value): value
        case .bool(let value): value ? "yes" : "no"
        case .time(let date): formatTime(date)
        case .json(let value): value
        }
    }
}

/// Sorting, filtering and paging of one table from the query string (`sort`, `dir`, `q`, `page`,
/// each with the part's prefix when a section has several tables).
struct TableQuery {
    var prefix: String
    var sort: String?
    var descending: Bool
    var filter: String
    var page: Int

    init(_ query: [String: String], prefix: String) {
        self.prefix = prefix
        self.sort = query[prefix + "sort"]
        self.descending = query[prefix + "dir"] == "desc"
        self.filter = query[prefix + "q"] ?? ""
        // Bounded where it enters: a page past the last shows the last, and no page number a
        // client sends can overflow the offset arithmetic.
        self.page = min(max(1, Int(query[prefix + "page"] ?? "") ?? 1), Self.maximumPage)
    }

    static let maximumPage = 1_000_000

    /// The page shown of `count` rows: the one asked for, or the last.
    func page(of count: Int, pageSize: Int) -> Int { min(self.page, max((count + pageSize - 1) / pageSize, 1)) }

    struct View {
        var rows: [[DisplayValue]]
        var total: Int
        var page: Int
        var pages: Int
        var sortColumn: Int?
        var descending: Bool
    }

    func apply(to part: DisplayPart, pageSize: Int = WebApp.pageSize) -> View {
        var rows = part.rows
        let needle = self.filter.lowercased()
        if !needle.isEmpty {
            rows = rows.filter { row in row.contains { WebApp.text($0).lowercased().contains(needle) } }
        }
        let column = self.sort.flatMap { part.columns.firstIndex(of: $0) }
        if let column {
            rows.sort { a, b in self.descending ? Self.less(b[column], a[column]) : Self.less(a[column], b[column]) }
        }
        let pages = (rows.count + pageSize - 1) / pageSize
        let page = min(self.page, max(pages, 1))
        let slice = rows.dropFirst((page - 1) * pageSize).prefix(pageSize)
        return View(
            rows: Array(slice),
            total: rows.count,
            page: page,
            pages: pages,
            sortColumn: column,
            descending: self.descending
        )
    }

    /// Numbers by value, times by time, text case-insensitively; empty cells last.
    static func less(_ a: DisplayValue, _ b: DisplayValue) -> Bool {
        switch (a, b) {
        case (.null, _): return false
        case (_, .null): return true
        case (.int(let x), .int(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.int(let x), .double(let y)): return Double(x) < y
        case (.double(let x), .int(let y)): return x < Double(y)
        case (.time(let x), .time(let y)): return x < y
        default: return WebApp.text(a).localizedCaseInsensitiveCompare(WebApp.text(b)) == .orderedAscending
        }
    }

    func link(base: String, query: [String: String], changes: [String: String]) -> String {
        var query = query
        for (key, value) in changes { query[self.prefix + key] = value }
        return base + "?"
            + query.sorted { $0.key < $1.key }.map { "\(percentEncoded($0.key))=\(percentEncoded($0.value))" }.joined(
                separator: "&"
            )
    }

    func hiddenFields(query: [String: String], except: Set<String>) -> String {
        query.filter { !except.map { self.prefix + $0 }.contains($0.key) }.sorted { $0.key < $1.key }.map {
            "<input type=\"hidden\" name=\"\(escapeHTML($0.key))\" value=\"\(escapeHTML($0.value))\">"
        }.joined()
    }
}
