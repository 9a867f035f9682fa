import Access
import Foundation
import Postgres
import Projections
import SkillSets
import Sync
import Vocabulary

/// The update status of one section of a character, from the read model's `update_status`.
struct SectionHealth {
    var section: String
    var lastSuccess: Date?
    var lastChanged: Date?
    var failing: Bool
    var error: String?

    /// No success for twice the section's interval (the token report's rule), or never.
    var stale: Bool {
        guard let lastSuccess else { return true }
        let minutes = Section(rawValue: self.section)?.defaultStaleMinutes ?? 24 * 60
        return Date().timeIntervalSince(lastSuccess) > Double(2 * minutes * 60)
    }

    var badge: HTML {
        if self.failing { return Format.badge("failing", "failing") }
        if self.lastSuccess == nil { return Format.badge("not synced yet", "stale") }
        return self.stale ? Format.badge("stale", "stale") : Format.badge("ok", "ok")
    }

    static func from(_ status: CharacterState) -> [SectionHealth] {
        guard let part = status.sections.first?.parts.first else { return [] }
        let index = Dictionary(part.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func value(_ row: [DisplayValue], _ column: String) -> DisplayValue {
            guard let at = index[column], at < row.count else { return .null }
            return row[at]
        }
        func time(_ value: DisplayValue) -> Date? { if case .time(let date) = value { date } else { nil } }
        return part.rows.compactMap { row in
            guard case .text(let section) = value(row, "section") else { return nil }
            let error: String? = if case .text(let text) = value(row, "error") { text } else { nil }
            return SectionHealth(
                section: section,
                lastSuccess: time(value(row, "last_success_at")),
                lastChanged: time(value(row, "last_changed_at")),
                failing: value(row, "failing") == .bool(true),
                error: error
            )
        }
    }
}

/// The owner's characters beside the one shown: the main, the other registered ones the viewer
/// may open, and the ones the owner proved to own at a login but did not register.
struct Household {
    var main: (id: Int64, name: String, visible: Bool)?
    var others: [(id: Int64, name: String, isMain: Bool)]
    var unregistered: [String]

    static let empty = Household(main: nil, others: [], unregistered: [])

    static func load(of id: Int64, viewer: Viewer, on connection: PostgresConnection) throws -> Household {
        guard let owner = try AccessStore.facts(characterID: id, on: connection)?.ownerID else { return .empty }
        let visible = Set(try AccessStore.visibleCharacterIDs(of: viewer, ownedBy: owner, on: connection))
        let all = try Registry.characters(ofUser: owner, on: connection)
        return Household(
            main: all.first(where: \.isMain).map { ($0.id, $0.name, $0.id == id || visible.contains($0.id)) },
            others: all.filter { $0.id != id && visible.contains($0.id) },
            unregistered: try Registry.unregisteredCharacters(ofUser: owner, on: connection)
        )
    }
}

extension WebApp {
    /// The overview tab: who, where, what and when, the update status of every section, links
    /// out, and the owner's other characters.
    func overviewHTML(_ sheet: CharacterSheet?, health: [SectionHealth], household: Household) -> HTML {
        guard let sheet else {
            return "<p class=\"muted\">No data yet: the character has not been synced.</p>"
                + self.householdHTML(household)
        }
        var organisation: HTML = ""
        if let id = sheet.corporationID {
            let name = sheet.corporation ?? String(id)
            organisation +=
                "<div class=\"org\">\(self.images.corporationLogo(id, size: 32, alt: name + " logo")) <a href=\"\(ExternalLinks.dotlan(corporation: name))\" rel=\"noopener noreferrer\">\(name)</a></div>"
        }
        if let id = sheet.allianceID {
            let name = sheet.alliance ?? String(id)
            organisation +=
                "<div class=\"org\">\(self.images.allianceLogo(id, size: 32, alt: name + " logo")) <a href=\"\(ExternalLinks.dotlan(alliance: name))\" rel=\"noopener noreferrer\">\(name)</a></div>"
        }
        if let faction = sheet.faction { organisation += "<div class=\"org muted\">Militia: \(faction)</div>" }
        let links: [HTML] = [
            ("zKillboard", ExternalLinks.zKillboard(character: sheet.id)),
            ("EveWho", ExternalLinks.eveWho(character: sheet.id)),
            ("Forums", ExternalLinks.forums(character: sheet.name)),
            ("EVE Search", ExternalLinks.eveSearch(character: sheet.name)),
        ].map { "<a href=\"\($1)\" rel=\"noopener noreferrer\">\($0)</a>" }
        let onlineBadge =
            sheet.online == true
            ? Format.badge("online", "ok") : sheet.online == false ? Format.badge("offline", "info") : ""
        let mainBadge: HTML = household.main.map { $0.id == sheet.id } == true ? " " + Format.badge("main", "info") : ""
        var facts: [(String, HTML)] = []
        if let main = household.main, main.id != sheet.id {
            facts.append(
                ("Main", main.visible ? "<a href=\"/characters/\(main.id)\">\(main.name)</a>" : "\(main.name)")
            )
        }
        let origin = [sheet.race, sheet.bloodline, sheet.ancestry].compactMap { $0 }
        if !origin.isEmpty { facts.append(("Race · bloodline · ancestry", "\(origin.joined(separator: " · "))")) }
        if let born = sheet.birthday {
            facts.append(
                ("Born", "\(Format.day(born)) <span class=\"muted\">(\(Format.years(since: born)) years)</span>")
            )
        }
        facts.append(("Security status", Format.security(sheet.securityStatus)))
        var place: HTML = "\(sheet.location ?? sheet.solarSystem ?? "unknown")"
        if let system = sheet.solarSystem {
            place += " <span class=\"muted\">in</span> \(system) \(Format.security(sheet.systemSecurity))"
            if let region = sheet.region { place += " <span class=\"muted\">·</span> \(region)" }
        }
        facts.append(("Location", place))
        if let type = sheet.shipTypeID {
            let name = sheet.shipType ?? String(type)
            let shipName: HTML = sheet.shipName.map { " <span class=\"muted\">“\($0)”</span>" } ?? ""
            facts.append(("Ship", "\(self.images.type(type, size: 32, alt: name)) \(name)\(shipName)"))
        }
        if let home = sheet.homeStation { facts.append(("Home station", "\(home)")) }
        facts.append(("Wallet", Format.iskShort(sheet.wallet)))
        facts.append(("Assets", Format.iskShort(sheet.assetValue) + " <span class=\"muted\">at market prices</span>"))
        facts.append(("Skill points", Format.spShort(sheet.totalSP) + self.unallocated(sheet.unallocatedSP)))
        if let skill = sheet.training {
            let level = sheet.trainingLevel.map { " \(SkillLevel.roman(Int(clamping: $0)))" } ?? ""
            let queue: HTML =
                sheet.queueFinishes.map { " <span class=\"muted\">· queue ends</span> \(Format.moment($0))" } ?? ""
            facts.append(("In training", "\(skill)\(level), finishes \(Format.moment(sheet.trainingFinishes))\(queue)"))
        } else {
            facts.append(("In training", Format.badge("not training", "stale")))
        }
        facts.append(("Last login", Format.moment(sheet.lastLogin) + " " + onlineBadge))
        facts.append(("Last update", Format.moment(sheet.lastUpdate)))
        let failing = health.filter(\.failing).count
        let stale = health.filter { !$0.failing && $0.stale }.count
        let summary: HTML =
            failing > 0
            ? Format.badge("\(failing) sections failing", "failing")
            : stale > 0
                ? Format.badge("\(stale) sections stale", "stale") : Format.badge("all sections up to date", "ok")
        let rows = health.sorted { $0.section < $1.section }.map { entry -> HTML in
            let error: HTML = entry.failing ? "<span class=\"bad\">\(entry.error ?? "")</span>" : ""
            return
                "<tr><td>\(self.tabTitle(entry.section))</td><td>\(entry.badge)</td><td>\(Format.moment(entry.lastSuccess))</td><td>\(Format.moment(entry.lastChanged))</td><td>\(error)</td></tr>"
        }
        return """
            <section class="sheet">
            <div class="identity">
            \(self.images.portrait(sheet.id, size: 128, alt: "Portrait of " + sheet.name))
            <div>
            <h2>\(sheet.name)\(mainBadge)</h2>
            \(organisation)
            <div class="links">\(links)</div>
            </div>
            </div>
            <dl class="fields">\(facts.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" as HTML })</dl>
            </section>
            <h2>Update status \(summary)</h2>
            <div class="scroll"><table><thead><tr><th>Section</th><th>State</th><th>Last success</th><th>Last change</th><th>Error</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(self.householdHTML(household))
            """
    }

    private func unallocated(_ sp: Int64?) -> HTML {
        guard let sp, sp > 0 else { return "" }
        return " <span class=\"muted\">(\(Format.int(sp)) unallocated)</span>"
    }

    func householdHTML(_ household: Household) -> HTML {
        var items: [HTML] = household.others.map { other in
            "<li><a href=\"/characters/\(other.id)\">\(other.name)</a>\(other.isMain ? " " + Format.badge("main", "info") : "")</li>"
        }
        if let main = household.main, !main.visible {
            items.insert("<li>\(main.name) \(Format.badge("main", "info"))</li>", at: 0)
        }
        items += household.unregistered.map { "<li>\($0) \(Format.badge("not registered", "stale"))</li>" }
        guard !items.isEmpty else { return "" }
        return "<h2>Other characters of this user</h2><ul class=\"household\">\(items)</ul>"
    }

    func tabTitle(_ section: String) -> String {
        Self.tabs.first { $0.section == section }?.title ?? Columns.sentence(section)
    }
}
