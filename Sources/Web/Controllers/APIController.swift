import Access
import Application
import Audit
import Foundation
import Hummingbird
import Postgres
import Projections
import SkillSets

/// The JSON API under `/api/`: the data of every page, behind the same checks (401 without a
/// session, 403 without the permission, 404 for a character the caller may not know of).
/// State-changing calls are POSTs carrying the session's CSRF token in `X-CSRF-Token`
/// (`GET /api/me` gives it). Documented in docs/openapi-web.yaml.
struct APIController {
    let app: WebApp

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.get("/me") { _, context in
            let caller = try self.caller(context)
            let viewer = caller.viewer
            return try Response.json(
                WebApp.Me(
                    user: viewer.name,
                    isSuperuser: viewer.isSuperuser,
                    permissions: viewer.permissions.sorted().map(\.rawValue),
                    csrfToken: caller.csrf
                )
            )
        }
        routes.get("/characters") { _, context in
            let viewer = try self.caller(context).viewer
            return try Response.json(try await self.app.pool.withConnection { try LauncherData.load(viewer, on: $0) })
        }
        routes.get("/characters/{character}") { _, context in
            try await self.character(try context.characterID(), what: nil, context: context)
        }
        routes.get("/characters/{character}/{what}") { _, context in
            try await self.character(try context.characterID(), what: context.segment("what"), context: context)
        }
        routes.get("/characters/{character}/series/{metric}") { _, context in
            try await self.character(
                try context.characterID(),
                what: "series",
                metric: context.segment("metric"),
                context: context
            )
        }
        routes.post("/characters/{character}/{what}") { _, context in
            let caller = try self.caller(context)
            let (id, action) = (try context.characterID(), context.segment("what"))
            guard ["share", "unshare", "main", "remove"].contains(action) else { throw HTTPError.noSuchPage }
            try await self.app.pool.withConnection { try self.app.requireCharacter(id, caller, on: $0) }
            try await self.app.characterAction(action, id: id, caller: caller)
            return try Response.json(["done": action])
        }
        routes.get("/finder") { _, context in
            let viewer = try self.caller(context, .finderAccess).viewer
            return try Response.json(
                try await self.app.pool.withConnection { try WebApp.finderRows(viewer, query: context.query, on: $0) }
            )
        }
        routes.get("/reports/{report}") { _, context in
            let viewer = try self.caller(context, .reportsAccess).viewer
            let policies = self.app.tokenPolicies
            let table = try await self.app.pool.withConnection {
                try WebApp.report(context.segment("report"), viewer: viewer, policies: policies, on: $0)
            }
            guard let table else { throw HTTPError.noSuchPage }
            return try Response.json(table)
        }
        routes.get("/skillsets") { _, context in try await self.skillSets(try self.caller(context).viewer) }
        routes.get("/admin/{list}") { _, context in
            guard try self.caller(context).viewer.isSuperuser else {
                throw HTTPError.forbidden("The admin API is for superusers.")
            }
            let pool = self.app.pool
            switch context.segment("list") {
            case "users": return try Response.json(try await pool.withConnection { try AccessAdmin.users(on: $0) })
            case "groups": return try Response.json(try await pool.withConnection { try AccessAdmin.groups(on: $0) })
            default: throw HTTPError.noSuchPage
            }
        }
        return routes
    }

    /// The caller with `permission`; 401 for a visitor (an API client is not sent to a page).
    private func caller(_ context: WebContext, _ permission: Permission = .basicAccess) throws -> WebApp.Caller {
        guard context.caller != nil else { throw HTTPError(.unauthorized, message: "Log in first (GET /sso/login).") }
        return try self.app.require(context.caller, permission)
    }

    private func skillSets(_ viewer: Viewer) async throws -> Response {
        guard viewer.isSuperuser || viewer.has(.viewSkillSets) else {
            throw HTTPError.forbidden("This needs the view_skill_sets permission.")
        }
        var (groups, sets) = try await self.app.pool.withConnection {
            (try SkillSetStore.groups(on: $0), try SkillSetStore.sets(on: $0))
        }
        // Hidden sets (drafts, retired doctrines) are for those who administer skill sets.
        if !viewer.isSuperuser {
            let hidden = Set(sets.filter { !$0.isVisible }.map(\.name))
            sets.removeAll { hidden.contains($0.name) }
            for index in groups.indices { groups[index].skillSets.removeAll { hidden.contains($0) } }
        }
        return try Response.json(["groups": groups.map(AnyEncodable.init), "sets": sets.map(AnyEncodable.init)])
    }

    /// A character's document (every section, or the one `what` names), its timeline, a diff or a series, from
    /// the moments of the query; the past of earlier owners is for auditors only.
    private func character(
        _ id: Int64,
        what: String?,
        metric: String? = nil,
        context: WebContext
    ) async throws -> Response {
        let caller = try self.caller(context)
        let viewer = caller.viewer
        let now = Date()
        let query = context.query
        let (asked, until, askedFrom) = (
            try WebApp.moment(query, "since", now: now), try WebApp.moment(query, "until", now: now),
            try WebApp.moment(query, "from", now: now)
        )
        let to = try WebApp.moment(query, "to", now: now) ?? now
        return try await self.app.pool.withConnection { connection in
            try self.app.requireCharacter(id, caller, on: connection)
            var (since, from) = (asked, askedFrom)
            if let floor = try WebApp.epochs(of: id, viewer: viewer, on: connection).floor {
                since = max(since ?? floor, floor)
                from = from.map { max($0, floor) }
            }
            switch what {
            case "series":
                guard let metric = metric.flatMap(SeriesMetric.init(rawValue:)) else {
                    throw HTTPError.badRequest(
                        "series needs a metric: \(SeriesMetric.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                return try Response.json(
                    try AuditSeries.series(of: id, metric: metric, since: since, until: until, on: connection)
                )
            case "timeline":
                return try Response.json(
                    try AuditTimeline.timeline(of: id, sections: nil, since: since, until: until, on: connection)
                )
            case "diff":
                guard let from else { throw HTTPError.badRequest("diff needs from (and optionally to)") }
                return try Response.json(try AuditDiff.diff(of: id, from: from, to: to, sections: nil, on: connection))
            default:
                // The character as `memberaudit show --format json` prints it (CharacterDocument):
                // every section, or the one asked for.
                if let what, !CharacterQueries.sectionNames.contains(what) { throw HTTPError.noSuchPage }
                let name = try CharacterQueries.resolve(String(id), on: connection).name
                let state = try CharacterQueries.state(of: id, name: name, sections: what.map { [$0] }, on: connection)
                return Response.json(bytes: try CharacterDocument.json(WebApp.sanitizingMarkup(state), pretty: false))
            }
        }
    }
}
