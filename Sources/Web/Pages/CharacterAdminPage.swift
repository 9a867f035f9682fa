import Access
import Application
import Foundation
import Hummingbird
import Postgres
import Projections
import Sync

/// The character administration for superusers: every registered character, searched and
/// filtered by status, each with enable/disable, update now, revoke a share and remove (which
/// asks first).
extension WebApp {
    static let characterStatuses: [(code: String, title: String, badge: String)] = [
        ("token", "token invalid", "token"), ("disabled", "disabled", "stale"), ("failing", "failing", "failing"),
        ("not_synced", "not synced yet", "stale"), ("ok", "ok", "ok"),
    ]

    func characterAdminPage(query: [String: String], caller: Caller) async throws -> Response {
        let all = try await self.pool.withConnection { try CharacterAdmin.rows(on: $0) }
        let status = query["status"] ?? ""
        let rows = status.isEmpty ? all : all.filter { $0.status == status }
        let counts = Dictionary(grouping: all, by: \.status).mapValues(\.count)
        var filters: [HTML] = [
            "<a href=\"/admin/characters\"\(raw: status.isEmpty ? " class=\"current\"" : "")>all (\(all.count))</a>"
        ]
        for entry in Self.characterStatuses {
            filters.append(
                "<a href=\"/admin/characters?status=\(entry.code)\"\(raw: status == entry.code ? " class=\"current\"" : "")>\(entry.title) (\(counts[entry.code] ?? 0))</a>"
            )
        }
        let part = DisplayPart(
            name: "characters",
            columns: [
                "character_id", "character", "user", "status", "token_error", "last_update", "shared", "actions",
            ],
            rows: rows.map { row in
                [
                    .int(row.id), .text(row.name), .text(row.user), .text(row.status),
                    row.tokenError.map(DisplayValue.text) ?? .null, row.lastUpdate.map(DisplayValue.time) ?? .null,
                    .bool(row.shared), .null,
                ]
            }
        )
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        let table = self.sortableTable(
            part,
            base: "/admin/characters",
            query: query,
            label: { Columns.label($0, section: "admin") },
            cell: { value, column, values in
                guard case .int(let id) = values[0], let row = byID[id] else {
                    return Columns.cell(value, column: column)
                }
                switch column {
                case "character": return "<a href=\"/characters/\(id)\">\(row.name)</a>"
                case "status":
                    let entry = Self.characterStatuses.first { $0.code == row.status }
                    return Format.badge(entry?.title ?? row.status, entry?.badge ?? "info")
                case "actions": return self.characterAdminActions(row, csrf: caller.csrf)
                default: return Columns.cell(value, column: column)
                }
            }
        )
        return self.page("Characters", caller, "<p class=\"tabs\">\(filters)</p>" + table)
    }

    private func characterAdminActions(_ row: CharacterAdmin.Row, csrf: String) -> HTML {
        let field: HTML = "<input type=\"hidden\" name=\"character\" value=\"\(row.id)\">"
        var actions: [HTML] = [
            row.enabled
                ? Layout.postButton("Disable", action: "/admin/character-disable", csrf: csrf, extra: field)
                : Layout.postButton("Enable", action: "/admin/character-enable", csrf: csrf, extra: field),
            Layout.postButton("Update now", action: "/admin/character-update", csrf: csrf, extra: field),
        ]
        if row.shared {
            actions.append(
                Layout.postButton("Revoke share", action: "/admin/character-unshare", csrf: csrf, extra: field)
            )
        }
        actions.append(
            Layout.postButton("Remove", action: "/admin/character-remove", csrf: csrf, confirm: true, extra: field)
        )
        return "\(actions)"
    }

    /// A `character-*` action of the character administration; removal asks first.
    func characterAdminAction(_ action: String, form: [String: String], caller: Caller) async throws -> Response {
        guard let id = form["character"].flatMap({ Int64($0) }) else {
            throw HTTPError.badRequest("Which character? The form's character field is not a character id.")
        }
        switch action {
        case "character-enable", "character-disable":
            guard try await self.registry.setEnabled(id, action == "character-enable") else {
                throw HTTPError.noSuchPage
            }
        case "character-update":
            guard try await self.pool.withConnection({ try Registry.requestUpdate(id, on: $0) }) else {
                throw HTTPError.noSuchPage
            }
        case "character-unshare":
            try await self.pool.transaction { try AccessAdmin.unshare(characterID: id, by: caller.viewer, on: $0) }
        case "character-remove":
            guard form["confirm"] == "yes" else {
                return try await self.confirmRemoval(
                    id: id,
                    caller: caller,
                    action: "/admin/character-remove",
                    hidden: "<input type=\"hidden\" name=\"character\" value=\"\(id)\">",
                    back: "/admin/characters"
                )
            }
            guard try await CharacterActions.remove(id, pool: self.pool) != nil else { throw HTTPError.noSuchPage }
        default:
            throw HTTPError.noSuchPage
        }
        return .redirect("/admin/characters")
    }
}
