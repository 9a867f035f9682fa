import Access
import Hummingbird

/// A member's characters: the launcher, the inbox, the character sheet and its tabs, and what an
/// owner (or a sharer) does to a character from the sheet.
struct CharacterController {
    let app: WebApp

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.get("/launcher") { _, context in
            try await self.app.launcher(caller: try self.app.require(context.caller))
        }
        routes.get("/notifications") { _, context in
            try await self.app.notificationsPage(caller: try self.app.require(context.caller))
        }
        routes.post("/notifications/read") { _, context in
            try await self.app.markNotificationsRead(caller: try self.app.require(context.caller))
        }
        routes.get("/characters/{character}") { _, context in
            try await self.app.characterPage(
                id: try context.characterID(),
                tab: "overview",
                query: context.query,
                caller: try self.app.require(context.caller)
            )
        }
        routes.get("/characters/{character}/{what}") { _, context in
            try await self.app.characterPage(
                id: try context.characterID(),
                tab: context.segment("what"),
                query: context.query,
                caller: try self.app.require(context.caller)
            )
        }
        routes.get("/characters/{character}/{what}/{item}") { _, context in
            try await self.app.characterItemPage(
                id: try context.characterID(),
                tab: context.segment("what"),
                item: try context.characterID("item"),
                caller: try self.app.require(context.caller)
            )
        }
        routes.post("/characters/{character}/{what}") { _, context in
            let caller = try self.app.require(context.caller)
            let (action, id) = (context.segment("what"), try context.characterID())
            // Removing deletes the character's data: the page asks first (the API does not).
            if action == "remove", context.form["confirm"] != "yes" {
                return try await self.app.confirmRemoval(id: id, caller: caller)
            }
            try await self.app.characterAction(action, id: id, caller: caller)
            return Response.redirect("/launcher")
        }
        return routes
    }
}

/// The finder, the reports and the data export: the pages that look across characters.
struct DirectoryController {
    let app: WebApp

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.get("/finder") { _, context in
            try await self.app.finder(query: context.query, caller: try self.app.require(context.caller, .finderAccess))
        }
        routes.get("/finder/csv") { _, context in
            try await self.app.finderCSV(
                query: context.query,
                caller: try self.app.require(context.caller, .finderAccess)
            )
        }
        routes.get("/reports") { _, context in
            try await self.app.reports(name: nil, caller: try self.app.require(context.caller, .reportsAccess))
        }
        routes.get("/reports/{report}") { _, context in
            try await self.app.reports(
                name: context.segment("report"),
                query: context.query,
                caller: try self.app.require(context.caller, .reportsAccess)
            )
        }
        routes.get("/reports/{report}/csv") { _, context in
            try await self.app.reportCSV(
                name: context.segment("report"),
                query: context.query,
                caller: try self.app.require(context.caller, .reportsAccess)
            )
        }
        routes.get("/exports") { _, context in
            try await self.app.exports(file: nil, caller: try self.app.require(context.caller, .exportsAccess))
        }
        routes.get("/exports/{file}") { _, context in
            try await self.app.exports(
                file: context.segment("file"),
                caller: try self.app.require(context.caller, .exportsAccess)
            )
        }
        return routes
    }
}
