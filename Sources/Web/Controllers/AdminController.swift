import Access
import Application
import Hummingbird
import Postgres

/// Superusers' pages: users, groups and permissions (`/admin`), characters (`/admin/characters`),
/// skill sets (`/skillsets`).
/// Each POST makes its change through the application layer, then shows the page again.
struct AdminController {
    let app: WebApp

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.get("/admin") { _, context in try await self.app.adminPage(caller: try self.superuser(context)) }
        routes.get("/admin/characters") { _, context in
            try await self.app.characterAdminPage(query: context.query, caller: try self.superuser(context))
        }
        routes.post("/admin/{action}") { _, context in
            let caller = try self.superuser(context)
            if context.segment("action").hasPrefix("character-") {
                return try await self.app.characterAdminAction(
                    context.segment("action"),
                    form: context.form,
                    caller: caller
                )
            }
            guard let change = try WebApp.accessChange(context.segment("action"), form: context.form) else {
                throw HTTPError.noSuchPage
            }
            try await self.app.pool.transaction { try AccessChanges.apply([change], on: $0) }
            return Response.redirect("/admin")
        }
        routes.get("/skillsets") { _, context in
            try await self.app.skillSetsPage(caller: try self.superuser(context, "Skill-set administration"))
        }
        routes.get("/skillsets/{action}") { _, context in
            let caller = try self.superuser(context, "Skill-set administration")
            switch context.segment("action") {
            case "export": return try await self.app.skillSetExport()
            case "new": return try await self.app.skillSetEditor(name: nil, caller: caller)
            case "edit":
                guard let name = context.query["set"], !name.isEmpty else { throw HTTPError.noSuchPage }
                return try await self.app.skillSetEditor(name: name, caller: caller)
            default: throw HTTPError.noSuchPage
            }
        }
        routes.post("/skillsets/{action}") { _, context in
            let caller = try self.superuser(context, "Skill-set administration")
            switch context.segment("action") {
            case "save": return try await self.app.saveSkillSet(form: context.form, caller: caller)
            case "clone": return try await self.app.cloneSkillSet(form: context.form, caller: caller)
            case "delete": return try await self.app.deleteSkillSet(form: context.form, caller: caller)
            default:
                let notice = try await self.app.importSkillSet(
                    context.segment("action"),
                    form: context.form,
                    caller: caller
                )
                return try await self.app.skillSetsPage(caller: caller, notice: notice)
            }
        }
        return routes
    }

    private func superuser(_ context: WebContext, _ what: String = "The admin page") throws -> WebApp.Caller {
        let caller = try self.app.require(context.caller)
        guard caller.viewer.isSuperuser else { throw HTTPError.forbidden("\(what) is for superusers.") }
        return caller
    }
}
