import Access
import Foundation
import Hummingbird
import Postgres
import Sync

/// The user's inbox: what the sync and the removals told them (tokens that stopped working,
/// characters sold or removed), newest first, unread ones marked; and their joins and leaves of
/// compliance groups. Reading the page does not mark anything read: the button does.
extension WebApp {
    static let notificationKinds: [String: (title: String, badge: String)] = [
        "token_invalid": ("Token no longer works", "token"),
        "character_sold": ("Character sold", "stale"),
        "character_removed": ("Character removed", "info"),
    ]

    func notificationsPage(caller: Caller) async throws -> Response {
        let user = caller.viewer.userID
        let (entries, groups) = try await self.pool.withConnection { connection in
            (
                try Notifications.inbox(ofUser: user, on: connection),
                try ComplianceGroups.changes(
                    userID: user,
                    since: Date().addingTimeInterval(-90 * 86_400),
                    limit: 50,
                    on: connection
                )
            )
        }
        var content: HTML = ""
        if entries.contains(where: { !$0.read }) {
            content += "<p>\(Layout.postButton("Mark all read", action: "/notifications/read", csrf: caller.csrf))</p>"
        }
        if entries.isEmpty {
            content +=
                "<p class=\"muted\">Nothing yet. You are told here when a character's token stops working, when a character is sold to another account, and when a character you may see is removed.</p>"
        } else {
            let rows = entries.map { entry -> HTML in
                let kind = Self.notificationKinds[entry.kind] ?? (title: entry.kind, badge: "info")
                let new: HTML = entry.read ? "" : " " + Format.badge("new", "failing")
                let character: HTML = entry.characterID.map { "<a href=\"/characters/\($0)\">sheet</a>" } ?? ""
                return """
                    <tr\(raw: entry.read ? "" : " class=\"unread\"")><td>\(Format.moment(entry.createdAt, exact: true))</td>\
                    <td>\(Format.badge(kind.title, kind.badge))\(new)</td><td>\(entry.message)</td><td>\(character)</td></tr>
                    """
            }
            content +=
                "<div class=\"scroll\"><table><thead><tr><th>When</th><th>What</th><th>Message</th><th></th></tr></thead><tbody>\(rows)</tbody></table></div>"
        }
        if !groups.isEmpty {
            let lines = groups.map { change -> HTML in
                let when: HTML = change.changedAt.map { Format.moment($0, exact: true) } ?? ""
                return change.joined
                    ? "<li>\(when) you joined the group \(change.group)</li>"
                    : "<li>\(when) you left the group \(change.group)</li>"
            }
            content += "<h2>Compliance groups</h2><ul>\(lines)</ul>"
        }
        return self.page("Inbox", caller, content)
    }

    func markNotificationsRead(caller: Caller) async throws -> Response {
        let user = caller.viewer.userID
        try await self.pool.withConnection { _ = try Notifications.markAllRead(ofUser: user, on: $0) }
        return .redirect("/notifications")
    }
}
