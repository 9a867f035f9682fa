import Access
import Audit
import Foundation
import Postgres
import Projections

/// One of the user's characters as the launcher shows it.
struct LauncherCard: Sendable, Encodable {
    var id: Int64
    var name: String
    var corporation: String?
    var alliance: String?
    var location: String?
    var system: String?
    var ship: String?
    var wallet: Double?
    var skillPoints: Int64?
    var lastUpdate: Date?
    var failingSections: Int64
    var tokenState: String
    var tokenError: String?
    var enabled: Bool
    var shared: Bool
    var isMain: Bool
}

struct LauncherData: Sendable, Encodable {
    var characters: [LauncherCard]
    /// Characters the user proved to own at a login but did not register.
    var unregistered: [String]
    var totalWallet: Double
    var totalSkillPoints: Int64
    var mayShare: Bool
    /// The user's joins and leaves of compliance groups in the last 30 days (the original
    /// notifies them).
    var groupChanges: [ComplianceGroups.Change]

    static func load(_ viewer: Viewer, on connection: PostgresConnection) throws -> LauncherData {
        let cards = try connection.query(
            """
            SELECT c.id, coalesce(o.name, c.name), o.corporation_name, o.alliance_name, o.location_name,
                   o.solar_system_name, o.ship_type_name, o.wallet_balance, o.total_sp, o.last_update,
                   coalesce(o.failing_sections, 0), c.token_state, c.token_error, c.enabled,
                   s.character_id IS NOT NULL, u.main_character_id IS NOT DISTINCT FROM c.id
            FROM sync.characters c
            JOIN sync.users u ON u.id = c.user_id
            -- Per character: OFFSET 0 keeps the planner from flattening the subquery, so the view's
            -- aggregation of update status reads this character's rows, not every character's.
            LEFT JOIN LATERAL (SELECT * FROM readmodel.character_overview v WHERE v.character_id = c.id OFFSET 0) o
                ON true
            LEFT JOIN access.shared_characters s ON s.character_id = c.id
            WHERE c.user_id = $1
            ORDER BY 16 DESC, 2
            """,
            [viewer.userID]
        ).map { row in
            LauncherCard(
                id: try row.get(0),
                name: try row.get(1),
                corporation: try row.get(2),
                alliance: try row.get(3),
                location: try row.get(4),
                system: try row.get(5),
                ship: try row.get(6),
                wallet: try row.get(7),
                skillPoints: try row.get(8),
                lastUpdate: try row.get(9),
                failingSections: try row.get(10),
                tokenState: try row.get(11),
                tokenError: try row.get(12),
                enabled: try row.get(13),
                shared: try row.get(14),
                isMain: try row.get(15)
            )
        }
        let unregistered: [String] = try connection.query(
            """
            SELECT o.character_name FROM sync.ownerships o
            WHERE o.user_id = $1 AND NOT EXISTS (SELECT FROM sync.characters c WHERE c.id = o.character_id)
            ORDER BY 1
            """,
            [viewer.userID]
        ).map { try $0.get(0) }
        return LauncherData(
            characters: cards,
            unregistered: unregistered,
            totalWallet: cards.compactMap(\.wallet).reduce(0, +),
            totalSkillPoints: cards.compactMap(\.skillPoints).reduce(0, +),
            mayShare: viewer.has(.shareCharacters),
            groupChanges: try ComplianceGroups.changes(
                userID: viewer.userID,
                since: Date().addingTimeInterval(-30 * 86_400),
                limit: 5,
                on: connection
            )
        )
    }
}

extension WebApp {
    func launcher(_ caller: Caller?) async throws -> WebResponse {
        let caller = try self.require(caller)
        let data = try await self.pool.withConnection { try LauncherData.load(caller.viewer, on: $0) }
        return self.page("Your characters", caller, self.launcherHTML(data, csrf: caller.csrf))
    }

    func launcherHTML(_ data: LauncherData, csrf: String) -> HTML {
        let registered = data.characters.count
        let known = registered + data.unregistered.count
        var html: HTML = """
            <div class="totals">
            <div><strong>\(registered)</strong> of \(known) characters registered</div>
            <div>Wallets: <strong>\(Format.isk(data.totalWallet))</strong></div>
            <div>Skill points: <strong>\(Format.int(data.totalSkillPoints))</strong></div>
            </div>
            <p><a href="/sso/add"><button type="button">Register a character</button></a></p>
            """
        for change in data.groupChanges {
            let when = change.changedAt.map { formatTime($0) + ": " } ?? ""
            html +=
                change.joined
                ? "<p class=\"ok\">\(when)you joined the group \(change.group): every character you own is registered.</p>"
                : "<p class=\"bad\">\(when)you left the group \(change.group): it is for users with a main and every character registered.</p>"
        }
        let problems = data.characters.filter { $0.tokenState != "valid" || !$0.enabled }
        if !problems.isEmpty {
            html +=
                "<p class=\"bad\">These characters need to be registered again (their token no longer works): \(problems.map(\.name).joined(separator: ", ")).</p>"
        }
        var cards = [HTML]()
        for card in data.characters {
            var actions: [HTML] = ["<a href=\"/characters/\(card.id)\">View</a>"]
            if data.mayShare {
                actions.append(
                    card.shared
                        ? Layout.postButton("Unshare", action: "/characters/\(card.id)/unshare", csrf: csrf)
                        : Layout.postButton("Share with recruiters", action: "/characters/\(card.id)/share", csrf: csrf)
                )
            } else if card.shared {
                actions.append(Layout.postButton("Unshare", action: "/characters/\(card.id)/unshare", csrf: csrf))
            }
            if !card.isMain {
                actions.append(Layout.postButton("Make main", action: "/characters/\(card.id)/main", csrf: csrf))
            }
            actions.append(
                Layout.postButton("Remove", action: "/characters/\(card.id)/remove", csrf: csrf, confirm: true)
            )
            let status: HTML =
                card.tokenState != "valid"
                ? "<span class=\"bad\">token: \(card.tokenError ?? card.tokenState)</span>"
                : card.failingSections > 0
                    ? "<span class=\"bad\">\(card.failingSections) sections failing</span>"
                    : card.lastUpdate == nil
                        ? "<span class=\"muted\">not synced yet</span>" : "<span class=\"ok\">up to date</span>"
            cards.append(
                """
                <div class="card">
                <img src="https://images.evetech.net/characters/\(card.id)/portrait?size=64" width="64" height="64" alt="">
                <h2>\(card.name)\(raw: card.isMain ? " <span title=\"main\">★</span>" : "")\(raw: card.shared ? " <span class=\"muted\">(shared)</span>" : "")</h2>
                <div>\(card.corporation ?? "")\(raw: card.alliance == nil ? "" : " [")\(card.alliance ?? "")\(raw: card.alliance == nil ? "" : "]")</div>
                <div class="muted">\(card.location ?? card.system ?? "location unknown") · \(card.ship ?? "ship unknown")</div>
                <div>\(Format.isk(card.wallet)) · \(Format.int(card.skillPoints)) SP</div>
                <div>\(status)</div>
                <div>\(actions)</div>
                </div>
                """
            )
        }
        html += "<div class=\"cards\">\(cards)</div>"
        if !data.unregistered.isEmpty {
            html += "<h2>Known but not registered</h2><p>\(data.unregistered.joined(separator: ", "))</p>"
        }
        return html
    }
}
