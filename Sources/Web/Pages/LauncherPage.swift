import Access
import Application
import Audit
import Foundation
import Hummingbird
import Postgres
import Projections
import Sync
import Vocabulary

extension WebApp {
    func launcher(caller: Caller) async throws -> Response {
        let data = try await self.pool.withConnection { try LauncherData.load(caller.viewer, on: $0) }
        let server = self.configuration.serverStatus?.known()
        return self.page("Your characters", caller, self.launcherHTML(data, server: server, csrf: caller.csrf))
    }

    func launcherHTML(_ data: LauncherData, server: ServerStatus? = nil, csrf: String) -> HTML {
        let registered = data.characters.count
        let known = registered + data.unregistered.count
        let mined = data.characters.compactMap(\.minedThisMonth).reduce(0, +)
        let ratted = data.characters.compactMap(\.rattedThisMonth).reduce(0, +)
        // ESI's /status, as the original's dashboard: unknown until ESI first answers.
        let online: HTML =
            if let server {
                "<div>Players online: <strong>\(Format.int(Int64(server.players)))</strong>\(server.vip ? " (VIP mode)" : "")</div>"
            } else if self.configuration.serverStatus != nil {
                "<div class=\"muted\">Players online: not known yet</div>"
            } else {
                ""
            }
        var html: HTML = """
            <div class="totals">
            <div><strong>\(registered)</strong> of \(known) characters registered</div>
            <div>Wallets: <strong>\(Format.iskShort(data.totalWallet))</strong></div>
            <div>Skill points: <strong>\(Format.spShort(data.totalSkillPoints))</strong></div>
            <div>This month: mined <strong>\(Format.iskShort(mined))</strong>, ratted <strong>\(Format.iskShort(ratted))</strong></div>
            \(online)
            </div>
            <p><a href="/sso/add"><button type="button" class="primary">Register a character</button></a></p>
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
                ? Format.badge("token \(card.tokenError ?? card.tokenState)", "token")
                : !card.enabled
                    ? Format.badge("disabled", "stale")
                    : card.failingSections > 0
                        ? Format.badge("\(card.failingSections) sections failing", "failing")
                        : card.lastUpdate == nil
                            ? Format.badge("not synced yet", "stale") : Format.badge("up to date", "ok")
            let badges: HTML =
                (card.isMain ? " " + Format.badge("main", "info") : "")
                + (card.shared ? " " + Format.badge("shared", "info") : "")
            let alliance: HTML = card.alliance.map { " <span class=\"muted\">[\($0)]</span>" } ?? ""
            cards.append(
                """
                <div class="card">
                \(self.images.portrait(card.id, size: 64, alt: "Portrait of " + card.name))
                <h2><a href="/characters/\(card.id)">\(card.name)</a>\(badges)</h2>
                <div>\(card.corporation ?? "")\(alliance)</div>
                <div class="muted">\(card.location ?? card.system ?? "location unknown") · \(card.ship ?? "ship unknown")</div>
                <div>\(Format.iskShort(card.wallet)) · \(Format.spShort(card.skillPoints))</div>
                <div class="muted">This month: mined \(Format.iskShort(card.minedThisMonth ?? 0)), \
                ratted \(Format.iskShort(card.rattedThisMonth ?? 0))</div>
                <div>\(status) <span class="muted">updated</span> \(Format.moment(card.lastUpdate))</div>
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
