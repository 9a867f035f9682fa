import Access
import Application
import ESI
import Hummingbird
import Postgres

/// The way in and out: the start page, the stylesheet, the login page, EVE SSO's login and
/// "add character" flows with their callback, and logging out.
struct SignInController {
    let app: WebApp

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.get("/") { _, context in Response.redirect(context.caller == nil ? "/login" : "/launcher") }
        routes.get("/static/app.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: Stylesheet.css))
            )
        }
        routes.get("/login") { _, context in
            context.caller == nil ? self.loginPage() : Response.redirect("/launcher")
        }
        routes.get("/sso/login") { _, context in try await self.startLogin(context) }
        routes.get("/sso/add") { _, context in try await self.startAddingCharacter(context) }
        routes.get("/sso/callback") { request, context in try await self.callback(request, context) }
        routes.post("/logout") { _, context in
            guard let caller = context.caller else { return Response.redirect("/login") }
            try await self.app.pool.withConnection { try Sessions.delete(caller.token, on: $0) }
            return Response.redirect("/login").settingCookie(Sessions.clearingCookie(secure: self.secure))
        }
        return routes
    }

    private var secure: Bool { self.app.secureCookies }

    private func loginPage() -> Response {
        self.app.page(
            "Log in",
            nil,
            """
            <p>\(self.app.configuration.appName) audits the EVE Online characters of its members. Log in with the \
            character you play most; you can add your other characters afterwards.</p>
            <p><a class="button" href="/sso/login"><button type="button">Log in with EVE Online</button></a></p>
            """
        )
    }

    private func startLogin(_ context: WebContext) async throws -> Response {
        // A logged-in browser is not logged in again (a link cannot swap its session).
        guard context.caller == nil else { return .redirect("/launcher") }
        var started = try await self.app.pool.withConnection {
            try self.app.login.start(
                purpose: .login,
                userID: nil,
                scopes: ["publicData"],
                redirectURI: self.app.redirectURI,
                on: $0
            )
        }
        if self.app.configuration.simulatorLogin, let character = context.query["character_id"].flatMap(Int64.init) {
            started.url += "&character_id=\(character)"
        }
        return self.redirectToSSO(started)
    }

    private func startAddingCharacter(_ context: WebContext) async throws -> Response {
        let caller = try self.app.require(context.caller)
        let started = try await self.app.pool.withConnection {
            try self.app.login.start(
                purpose: .addCharacter,
                userID: caller.viewer.userID,
                scopes: self.app.configuration.syncScopes,
                redirectURI: self.app.redirectURI,
                on: $0
            )
        }
        return self.redirectToSSO(started)
    }

    /// To the SSO, with the cookie that binds the login to this browser.
    private func redirectToSSO(_ started: SSOLogin.Started) -> Response {
        Response.redirect(started.url, status: .found)
            .settingCookie(Sessions.loginCookie(started.browserNonce, secure: self.secure))
    }

    private func callback(_ request: Request, _ context: WebContext) async throws -> Response {
        let query = context.query
        if let error = query["error"] {
            throw HTTPError.badRequest("EVE SSO refused the login: \(query["error_description"] ?? error)")
        }
        guard let code = query["code"], let state = query["state"] else {
            throw HTTPError.badRequest("The SSO's answer has no code or state.")
        }
        let configuration = self.app.configuration
        let completed = try await self.app.login.complete(
            code: code,
            state: state,
            browserNonce: request.cookies[Sessions.name(Sessions.loginCookieName, secure: self.secure)]?.value,
            redirectURI: self.app.redirectURI,
            pool: self.app.pool
        )
        let next: String
        switch completed.purpose {
        case .login:
            // Never replace a session silently: whoever is logged in here logs out first.
            if let caller = context.caller {
                throw HTTPError.badRequest(
                    "You are logged in already, as \(caller.viewer.name). Log out first to log in with another character."
                )
            }
            let token = try await self.app.pool.transaction { connection in
                let user = try Login.user(
                    for: completed.token,
                    defaultGroup: configuration.defaultGroup,
                    on: connection
                )
                return try Sessions.create(userID: user, lifetime: configuration.sessionLifetime, on: connection)
            }
            return Response.redirect("/launcher")
                .settingCookie(Sessions.cookie(token, lifetime: configuration.sessionLifetime, secure: self.secure))
                .settingCookie(Sessions.clearingLoginCookie(secure: self.secure))
        case .addCharacter:
            // The login that started this must still be the one logged in.
            guard let caller = context.caller, caller.viewer.userID == completed.userID else {
                throw HTTPError.badRequest(
                    "Adding a character must finish in the session that started it. Please log in and try again."
                )
            }
            let missing = Set(configuration.syncScopes).subtracting(completed.token.scopes)
            _ = try await CharacterActions.register(
                login: completed.grant,
                token: completed.token,
                user: caller.viewer.name,
                clock: self.app.login.sso.configuration.clock,
                sections: self.app.sections,
                registry: self.app.registry
            )
            next = missing.isEmpty ? "/launcher" : "/launcher?missing=\(missing.count)"
        }
        return Response.redirect(next).settingCookie(Sessions.clearingLoginCookie(secure: self.secure))
    }
}
