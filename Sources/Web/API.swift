import Access
import Application
import Audit
import Foundation
import Postgres
import Projections
import SkillSets

/// The JSON API under `/api/`: the data of every page, behind the same checks (401 without a
/// session, 403 without the permission, 404 for a character the caller may not know of).
/// State-changing calls are POSTs carrying the session's CSRF token in `X-CSRF-Token`
/// (`GET /api/me` gives it). Documented in docs/openapi-web.yaml.
extension WebApp {
    struct Me: Encodable {
        var user: String
        var isSuperuser: Bool
        var permissions: [String]
        var csrfToken: String
    }

    /// The state with EVE markup (a bio, a mail body) sanitised, as the pages show it: an API
    /// client that puts it in a page is as safe as the pages.
    static func sanitizingMarkup(_ state: CharacterState) -> CharacterState {
        var state = state
        for s in state.sections.indices {
            let section = state.sections[s].name
            for p in state.sections[s].parts.indices {
                let part = state.sections[s].parts[p]
                for (c, column) in part.columns.enumerated() where Self.markupColumns.contains("\(section).\(column)") {
                    for r in part.rows.indices {
                        if case .text(let text) = part.rows[r][c] {
                            state.sections[s].parts[p].rows[r][c] = .text(Sanitizer.sanitize(text).text)
                        }
                    }
                }
            }
        }
        return state
    }

    func api(_ request: WebRequest, parts: [String], caller: Caller?) async throws -> WebResponse {
        guard let caller else { throw Refusal(status: 401, message: "Log in first (GET /sso/login).") }
        let viewer = caller.viewer
        switch (request.method, parts.first ?? "") {
        case ("GET", "me") where parts.count == 1:
            let caller = try self.require(caller)
            return .json(
                Me(
                    user: viewer.name,
                    isSuperuser: viewer.isSuperuser,
                    permissions: viewer.permissions.sorted().map(\.rawValue),
                    csrfToken: caller.csrf
                )
            )
        case (_, "characters"):
            return try await self.apiCharacters(request, parts: Array(parts.dropFirst()), caller: caller)
        case ("GET", "finder") where parts.count == 1:
            _ = try self.require(caller, .finderAccess)
            return .json(
                try await self.pool.withConnection { try Self.finderRows(viewer, query: request.query, on: $0) }
            )
        case ("GET", "reports") where parts.count == 2:
            _ = try self.require(caller, .reportsAccess)
            let policies = self.tokenPolicies
            let table = try await self.pool.withConnection {
                try Self.report(parts[1], viewer: viewer, policies: policies, on: $0)
            }
            guard let table else { throw Refusal.notFound }
            return .json(table)
        case ("GET", "skillsets") where parts.count == 1:
            _ = try self.require(caller)
            guard viewer.isSuperuser || viewer.has(.viewSkillSets) else {
                throw Refusal.forbidden("This needs the view_skill_sets permission.")
            }
            var (groups, sets) = try await self.pool.withConnection {
                (try SkillSetStore.groups(on: $0), try SkillSetStore.sets(on: $0))
            }
            // Hidden sets (drafts, retired doctrines) are for those who administer skill sets.
            if !viewer.isSuperuser {
                let hidden = Set(sets.filter { !$0.isVisible }.map(\.name))
                sets.removeAll { hidden.contains($0.name) }
                for index in groups.indices { groups[index].skillSets.removeAll { hidden.contains($0) } }
            }
            return .json(["groups": groups.map(AnyEncodable.init), "sets": sets.map(AnyEncodable.init)])
        case ("GET", "admin") where parts.count == 2:
            _ = try self.require(caller)
            guard viewer.isSuperuser else { throw Refusal.forbidden("The admin API is for superusers.") }
            switch parts[1] {
            case "users": return .json(try await self.pool.withConnection { try AccessAdmin.users(on: $0) })
            case "groups": return .json(try await self.pool.withConnection { try AccessAdmin.groups(on: $0) })
            default: throw Refusal.notFound
            }
        default: throw Refusal.notFound
        }
    }

    private func apiCharacters(_ request: WebRequest, parts: [String], caller: Caller) async throws -> WebResponse {
        let caller = try self.require(caller)
        let viewer = caller.viewer
        guard let first = parts.first else {
            guard request.method == "GET" else { throw Refusal.notFound }
            return .json(try await self.pool.withConnection { try LauncherData.load(viewer, on: $0) })
        }
        guard let id = Int64(first) else { throw Refusal.notFound }
        let what = parts.count > 1 ? parts[1] : "overview"
        if request.method == "POST" {
            guard parts.count == 2, ["share", "unshare", "main", "remove"].contains(what) else {
                throw Refusal.notFound
            }
            try self.requireCSRF(request, caller)
            try await self.pool.withConnection { try self.requireCharacter(id, caller, on: $0) }
            try await self.characterAction(what, id: id, caller: caller)
            return .json(["done": what])
        }
        guard request.method == "GET", parts.count <= 3 else { throw Refusal.notFound }
        let now = Date()
        func moment(_ key: String) throws -> Date? {
            try request.query[key].flatMap { $0.isEmpty ? nil : try AuditTime.parse($0, now: now) }
        }
        let (asked, until, askedFrom) = (try moment("since"), try moment("until"), try moment("from"))
        let to = try moment("to") ?? now
        return try await self.pool.withConnection { connection in
            try self.requireCharacter(id, caller, on: connection)
            var (since, from) = (asked, askedFrom)
            // The past of earlier owners is for auditors only.
            if let floor = try Self.epochs(of: id, viewer: viewer, on: connection).floor {
                since = max(since ?? floor, floor)
                from = from.map { max($0, floor) }
            }
            switch what {
            case "series":
                guard parts.count == 3, let metric = SeriesMetric(rawValue: parts[2]) else {
                    throw Refusal.badRequest(
                        "series needs a metric: \(SeriesMetric.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                return .json(try AuditSeries.series(of: id, metric: metric, since: since, until: until, on: connection))
            case "timeline":
                return .json(
                    try AuditTimeline.timeline(of: id, sections: nil, since: since, until: until, on: connection)
                )
            case "diff":
                guard let from else { throw Refusal.badRequest("diff needs from (and optionally to)") }
                return .json(try AuditDiff.diff(of: id, from: from, to: to, sections: nil, on: connection))
            default:
                // The character as `memberaudit show --format json` prints it (CharacterDocument):
                // every section, or the one asked for.
                let whole = parts.count == 1
                guard whole || (parts.count == 2 && CharacterQueries.sectionNames.contains(what)) else {
                    throw Refusal.notFound
                }
                let name = try CharacterQueries.resolve(String(id), on: connection).name
                let state = try CharacterQueries.state(
                    of: id,
                    name: name,
                    sections: whole ? nil : [what],
                    on: connection
                )
                let document = try CharacterDocument.json(Self.sanitizingMarkup(state), pretty: false)
                return WebResponse(headers: [("Content-Type", "application/json")], body: Array(document))
            }
        }
    }
}

/// Any encodable value, for JSON objects of mixed values.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try self.value.encode(to: encoder) }
}
