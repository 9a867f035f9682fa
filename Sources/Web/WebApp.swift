import Access
import Application
import Audit
import ESI
import Foundation
import Logging
import Postgres
import Reports
import SkillSets
import Sync
import Synchronization
import TokenVault
import Vocabulary

/// How the web application runs.
public struct WebConfiguration: Sendable {
    /// Shown in titles and the header (`MEMBERAUDIT_APP_NAME`).
    public var appName: String
    /// The URL browsers reach the app at, for the SSO's redirect (`MEMBERAUDIT_PUBLIC_URL`); nil:
    /// `http://HOST:PORT` of the listening socket, told by ``WebApp/listening(host:port:)``.
    public var publicURL: String?
    public var sso: SSOConfiguration
    /// The scopes "add character" asks for: every section's.
    public var syncScopes: [String]
    public var sessionLifetime: TimeInterval
    /// Shares end after this long (`MEMBERAUDIT_SHARING_TIMEOUT`, minutes; nil: never).
    public var sharingTimeout: TimeInterval?
    /// The group a user joins at their first login (`MEMBERAUDIT_DEFAULT_GROUP`), e.g. one with
    /// basic_access for every member; nil: none, an administrator grants access.
    public var defaultGroup: String?
    /// Against the simulator (demo, browser tests): `/sso/login?character_id=N` asks its SSO to log
    /// in that character without the picker. Never set against EVE's SSO.
    public var simulatorLogin: Bool
    /// ESI, for names in an imported fitting the static data does not know; nil: they stay unknown.
    public var universeLookup: SyncSettings?

    public init(
        appName: String = "Member Audit",
        publicURL: String?,
        sso: SSOConfiguration,
        syncScopes: [String],
        sessionLifetime: TimeInterval = 8 * 3600,
        sharingTimeout: TimeInterval? = nil,
        defaultGroup: String? = nil,
        simulatorLogin: Bool = false,
        universeLookup: SyncSettings? = nil
    ) {
        self.appName = appName
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.sso = sso
        self.syncScopes = syncScopes
        self.sessionLifetime = sessionLifetime
        self.sharingTimeout = sharingTimeout
        self.defaultGroup = defaultGroup
        self.simulatorLogin = simulatorLogin
        self.universeLookup = universeLookup
    }
}

/// The web application: pages and the JSON API over the same permission checks. `handle` takes
/// a request and gives a response; `WebServer` serves it over HTTP.
public struct WebApp: Sendable {
    public let pool: PostgresPool
    public let configuration: WebConfiguration
    let registry: Registry
    let sections: [Section]
    /// The sections the sync is configured for, with their minutes between syncs.
    let tokenPolicies: [Section: Int]
    let login: SSOLogin
    let logger: Logger
    private let base: PublicURL

    /// The public URL, settable once the port is known.
    private final class PublicURL: Sendable {
        let value: Mutex<String>
        init(_ value: String) { self.value = Mutex(value) }
    }

    public init(
        pool: PostgresPool,
        configuration: WebConfiguration,
        cipher: TokenCipher,
        sections: [Section],
        tokenPolicies: [Section: Int],
        http: HTTPClient,
        logger: Logger = Logger(label: "memberaudit.web")
    ) {
        self.pool = pool
        self.configuration = configuration
        self.registry = Registry(pool: pool, cipher: cipher)
        self.sections = sections
        self.tokenPolicies = tokenPolicies
        self.login = SSOLogin(sso: SSOClient(http: http, configuration: configuration.sso))
        self.logger = logger
        self.base = PublicURL(configuration.publicURL ?? "http://127.0.0.1")
    }

    /// Tells the app where it listens: the public URL, unless configured, is http://HOST:PORT.
    public func listening(host: String, port: Int) {
        guard self.configuration.publicURL == nil else { return }
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        self.base.value.withLock { $0 = "http://\(shown):\(port)" }
    }

    public var publicURL: String { self.base.value.withLock { $0 } }
    var redirectURI: String { self.publicURL + "/sso/callback" }
    var secureCookies: Bool { self.publicURL.hasPrefix("https://") }

    /// Who asks, if anyone is logged in.
    struct Caller: Sendable {
        var viewer: Viewer
        var session: SessionStore.Session
        var token: String
        var csrf: String { self.session.csrfToken }
    }

    /// A refusal or failure that becomes a page or a JSON error.
    struct Refusal: Error {
        var status: Int
        var message: String
        static func forbidden(_ message: String = "You do not have permission to see this.") -> Refusal {
            Refusal(status: 403, message: message)
        }
        static let notFound = Refusal(status: 404, message: "There is no such page or character.")
        static func badRequest(_ message: String) -> Refusal { Refusal(status: 400, message: message) }
    }

    /// The HTTP status of a failure of each kind: the one place they are decided.
    static func status(for kind: ErrorKind) -> Int {
        switch kind {
        case .invalidInput: 400
        case .notFound: 404
        case .forbidden: 403
        case .conflict: 409
        case .unavailable: 503
        case .failure: 500
        }
    }

    public func handle(_ request: WebRequest) async -> WebResponse {
        var response: WebResponse
        var caller: Caller? = nil
        do {
            try Self.checkInput(request)
            caller = try await self.caller(of: request)
            response = try await self.route(request, caller: caller)
        } catch let refusal as Refusal {
            response = self.refusal(refusal, request: request, caller: caller)
        } catch let error as any ClassifiedError where error.kind != .failure {
            // Every module's error says its kind; the status follows from it here and only here.
            let message: String
            if error.kind == .unavailable {
                self.logger.warning("\(request.method) \(request.path): \(error)")
                message =
                    "A service this page needs (the database, EVE's ESI or SSO) cannot answer right now. Please try again in a minute."
            } else {
                message = (error as? PostgresError)?.message ?? error.description
            }
            response = self.refusal(
                Refusal(status: Self.status(for: error.kind), message: message),
                request: request,
                caller: caller
            )
        } catch is CancellationError {
            // The server is stopping (or the client went away): nothing to report.
            response = WebResponse(status: 503)
        } catch let error as SSOLogin.Failure {
            response = self.refusal(
                Refusal(status: error.status, message: error.description),
                request: request,
                caller: caller
            )
        } catch {
            self.logger.error("\(request.method) \(request.path) failed: \(error)")
            response = self.refusal(
                Refusal(status: 500, message: "Something went wrong on our side; it has been logged."),
                request: request,
                caller: caller
            )
        }
        response.headers += [
            (
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' https://images.evetech.net data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self' \(self.configuration.sso.baseURL)"
            ),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Cache-Control", "no-store"),
        ]
        if self.secureCookies { response.headers.append(("Strict-Transport-Security", "max-age=31536000")) }
        return response
    }

    /// The longest query value taken: searches, moments and names are far shorter.
    static let maximumQueryValue = 4096

    /// Refuses, before anything reads them, values no page takes: NUL anywhere (PostgreSQL's
    /// text cannot hold it, and no name or search has one) and query values past 4 KB.
    static func checkInput(_ request: WebRequest) throws(Refusal) {
        guard !request.path.utf8.contains(0) else { throw Refusal.badRequest("The address holds a NUL character.") }
        for (name, value) in request.query {
            guard !name.utf8.contains(0), !value.utf8.contains(0) else {
                throw Refusal.badRequest("The parameter \(name.prefix(40)) holds a NUL character.")
            }
            guard value.utf8.count <= Self.maximumQueryValue else {
                throw Refusal.badRequest(
                    "The parameter \(name.prefix(40)) is longer than \(Self.maximumQueryValue) bytes."
                )
            }
        }
        if request.method == "POST",
            request.form.contains(where: { $0.key.utf8.contains(0) || $0.value.utf8.contains(0) })
        {
            throw Refusal.badRequest("A form field holds a NUL character.")
        }
    }

    private func refusal(_ refusal: Refusal, request: WebRequest, caller: Caller?) -> WebResponse {
        if request.isAPI {
            return .json(["error": refusal.message], status: refusal.status)
        }
        if refusal.status == 401 { return .redirect("/login") }
        let title =
            switch refusal.status {
            case 403: "Not allowed"
            case 404: "Not found"
            case 400: "That did not work"
            default: "Error"
            }
        return .page(
            Layout.page(
                title: title,
                appName: self.configuration.appName,
                viewer: caller?.viewer,
                csrf: caller?.csrf,
                content: "<p>\(refusal.message)</p><p><a href=\"/\">Back to the start</a></p>"
            ),
            status: refusal.status
        )
    }

    private func caller(of request: WebRequest) async throws -> Caller? {
        guard let token = request.cookies[Sessions.name(Sessions.cookieName, secure: self.secureCookies)],
            !token.isEmpty
        else { return nil }
        return try await self.pool.withConnection { connection in
            guard let session = try Sessions.find(token, on: connection),
                let viewer = try AccessStore.viewer(userID: session.userID, on: connection)
            else { return nil }
            return Caller(viewer: viewer, session: session, token: token)
        }
    }

    /// The logged-in caller with `permission`; 401 (to the login page) or 403 otherwise.
    func require(_ caller: Caller?, _ permission: Permission = .basicAccess) throws -> Caller {
        guard let caller else { throw Refusal(status: 401, message: "Please log in.") }
        guard caller.viewer.has(permission) else {
            throw Refusal.forbidden("This needs the \(permission.rawValue) permission.")
        }
        return caller
    }

    /// A state-changing request must carry the session's CSRF token: a form field `csrf`, or the
    /// `X-CSRF-Token` header for the API.
    func requireCSRF(_ request: WebRequest, _ caller: Caller) throws {
        let sent = request.headers["x-csrf-token"] ?? request.form["csrf"] ?? ""
        guard Sessions.constantTimeEqual(sent, caller.csrf) else {
            throw Refusal.forbidden(
                "The form was stale or not sent by this site (CSRF check). Please reload the page and try again."
            )
        }
    }

    /// The character `id` if the viewer may open it: 404 if it is unknown to them, 403 if they
    /// may know of it but not open it.
    func requireCharacter(_ id: Int64, _ caller: Caller, on connection: PostgresConnection) throws {
        switch try AccessStore.decide(caller.viewer, characterID: id, on: connection) {
        case .allowed: return
        case .forbidden: throw Refusal.forbidden("You may not view this character.")
        case .unknown: throw Refusal.notFound
        }
    }

    func page(_ title: String, _ caller: Caller?, _ content: HTML, status: Int = 200) -> WebResponse {
        .page(
            Layout.page(
                title: title,
                appName: self.configuration.appName,
                viewer: caller?.viewer,
                csrf: caller?.csrf,
                content: content
            ),
            status: status
        )
    }

    // MARK: - Routes

    private func route(_ request: WebRequest, caller: Caller?) async throws -> WebResponse {
        guard Self.route(of: request) != nil else { throw Refusal.notFound }
        let parts = request.parts
        switch (request.method, parts.first ?? "") {
        case ("GET", ""): return .redirect(caller == nil ? "/login" : "/launcher")
        case ("GET", "static") where parts == ["static", "app.css"]:
            return WebResponse(
                headers: [("Content-Type", "text/css; charset=utf-8")],
                body: Array(Layout.stylesheet.utf8)
            )
        case ("GET", "login"): return caller == nil ? self.loginPage() : .redirect("/launcher")
        case (_, "sso"): return try await self.sso(request, caller: caller)
        case ("POST", "logout"):
            guard let caller else { return .redirect("/login") }
            try self.requireCSRF(request, caller)
            try await self.pool.withConnection { try Sessions.delete(caller.token, on: $0) }
            var response = WebResponse.redirect("/login")
            response.headers.append(("Set-Cookie", Sessions.clearingCookie(secure: self.secureCookies)))
            return response
        case ("GET", "launcher"): return try await self.launcher(caller)
        case (_, "characters"):
            return try await self.characters(request, parts: Array(parts.dropFirst()), caller: caller)
        case ("GET", "finder"): return try await self.finder(request, caller: caller)
        case ("GET", "reports"): return try await self.reports(request, name: parts.dropFirst().first, caller: caller)
        case ("GET", "exports"): return try await self.exports(request, caller: caller)
        case (_, "admin"): return try await self.admin(request, caller: caller)
        case (_, "skillsets"): return try await self.skillSets(request, caller: caller)
        case (_, "api"): return try await self.api(request, parts: Array(parts.dropFirst()), caller: caller)
        default: throw Refusal.notFound
        }
    }

    private func loginPage() -> WebResponse {
        self.page(
            "Log in",
            nil,
            """
            <p>\(self.configuration.appName) audits the EVE Online characters of its members. Log in with the \
            character you play most; you can add your other characters afterwards.</p>
            <p><a class="button" href="/sso/login"><button type="button">Log in with EVE Online</button></a></p>
            """
        )
    }

    private func sso(_ request: WebRequest, caller: Caller?) async throws -> WebResponse {
        switch request.parts.dropFirst().first {
        case "login":
            // A logged-in browser is not logged in again (a link cannot swap its session).
            guard caller == nil else { return .redirect("/launcher") }
            var started = try await self.pool.withConnection {
                try self.login.start(
                    purpose: .login,
                    userID: nil,
                    scopes: ["publicData"],
                    redirectURI: self.redirectURI,
                    on: $0
                )
            }
            if self.configuration.simulatorLogin, let character = request.query["character_id"].flatMap(Int64.init) {
                started.url += "&character_id=\(character)"
            }
            return self.redirectToSSO(started)
        case "add":
            let caller = try self.require(caller)
            let started = try await self.pool.withConnection {
                try self.login.start(
                    purpose: .addCharacter,
                    userID: caller.viewer.userID,
                    scopes: self.configuration.syncScopes,
                    redirectURI: self.redirectURI,
                    on: $0
                )
            }
            return self.redirectToSSO(started)
        case "callback":
            if let error = request.query["error"] {
                throw Refusal.badRequest("EVE SSO refused the login: \(request.query["error_description"] ?? error)")
            }
            guard let code = request.query["code"], let state = request.query["state"] else {
                throw Refusal.badRequest("The SSO's answer has no code or state.")
            }
            let completed = try await self.login.complete(
                code: code,
                state: state,
                browserNonce: request.cookies[Sessions.name(Sessions.loginCookieName, secure: self.secureCookies)],
                redirectURI: self.redirectURI,
                pool: self.pool
            )
            switch completed.purpose {
            case .login:
                // Never replace a session silently: whoever is logged in here logs out first.
                if let caller {
                    throw Refusal.badRequest(
                        "You are logged in already, as \(caller.viewer.name). Log out first to log in with another character."
                    )
                }
                let token = try await self.pool.transaction { connection in
                    let user = try Login.user(
                        for: completed.token,
                        defaultGroup: self.configuration.defaultGroup,
                        on: connection
                    )
                    return try Sessions.create(
                        userID: user,
                        lifetime: self.configuration.sessionLifetime,
                        on: connection
                    )
                }
                var response = WebResponse.redirect("/launcher")
                response.headers.append(
                    (
                        "Set-Cookie",
                        Sessions.cookie(token, lifetime: self.configuration.sessionLifetime, secure: self.secureCookies)
                    )
                )
                response.headers.append(("Set-Cookie", Sessions.clearingLoginCookie(secure: self.secureCookies)))
                return response
            case .addCharacter:
                // The login that started this must still be the one logged in.
                guard let caller, caller.viewer.userID == completed.userID else {
                    throw Refusal.badRequest(
                        "Adding a character must finish in the session that started it. Please log in and try again."
                    )
                }
                let missing = Set(self.configuration.syncScopes).subtracting(completed.token.scopes)
                _ = try await CharacterActions.register(
                    login: completed.grant,
                    token: completed.token,
                    user: caller.viewer.name,
                    clock: self.login.sso.configuration.clock,
                    sections: self.sections,
                    registry: self.registry
                )
                let note = missing.isEmpty ? "" : "?missing=\(missing.count)"
                var response = WebResponse.redirect("/launcher\(note)")
                response.headers.append(("Set-Cookie", Sessions.clearingLoginCookie(secure: self.secureCookies)))
                return response
            }
        default: throw Refusal.notFound
        }
    }
}

extension WebApp {
    /// To the SSO, with the cookie that binds the login to this browser.
    fileprivate func redirectToSSO(_ started: SSOLogin.Started) -> WebResponse {
        var response = WebResponse.redirect(started.url, status: 302)
        response.headers.append(("Set-Cookie", Sessions.loginCookie(started.browserNonce, secure: self.secureCookies)))
        return response
    }

    /// What the server does every minute: ends expired sessions, logins and shares, and brings
    /// compliance groups up to date (characters registered or removed elsewhere, by the CLI).
    public func housekeeping() async throws {
        let timeout = self.configuration.sharingTimeout
        try await self.pool.transaction { connection in
            try SessionStore.deleteExpired(on: connection)
            try AccessAdmin.expireShares(timeout: timeout, on: connection)
            try ComplianceGroups.update(on: connection)
        }
    }
}

extension WebConfiguration {
    /// The settings `memberaudit serve` reads, for `memberaudit config`.
    public static let known: [(name: String, meaning: String, defaultValue: String)] = [
        ("MEMBERAUDIT_APP_NAME", "the web site's name", "Member Audit"),
        (
            "MEMBERAUDIT_PUBLIC_URL", "the URL browsers use; its /sso/callback is the SSO's callback URL",
            "http://HOST:PORT"
        ),
        ("MEMBERAUDIT_SESSION_HOURS", "how long a login lasts", "8"),
        ("MEMBERAUDIT_SHARING_TIMEOUT", "minutes after which a shared character is unshared (0: never)", "0"),
        ("MEMBERAUDIT_DEFAULT_GROUP", "the group new users join at their first login", "-"),
        (
            "MEMBERAUDIT_SIMULATOR_LOGIN",
            "1: /sso/login?character_id=N logs in at the simulator's SSO without its picker", "-"
        ),
    ]
}

extension WebApp {
    /// A session for a user without a login (benchmarks and tests): the cookie's value.
    package func startSession(userID: Int64) async throws -> String {
        let lifetime = self.configuration.sessionLifetime
        return try await self.pool.withConnection { try Sessions.create(userID: userID, lifetime: lifetime, on: $0) }
    }

    package static var sessionCookieName: String { Sessions.cookieName }
}
