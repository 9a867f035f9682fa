import Access
import Application
import Audit
import ESI
import Foundation
import Hummingbird
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
    /// CCP's image server, or a mirror of it (`MEMBERAUDIT_IMAGE_SERVER`; the simulator serves one
    /// at `/images`, for pages with pictures where there is no internet).
    public var imageServer: String
    /// ESI's `/status`, for the launcher's count of players online; nil: not shown.
    public var serverStatus: ServerStatusWatch?

    public init(
        appName: String = "Member Audit",
        publicURL: String?,
        sso: SSOConfiguration,
        syncScopes: [String],
        sessionLifetime: TimeInterval = 8 * 3600,
        sharingTimeout: TimeInterval? = nil,
        defaultGroup: String? = nil,
        simulatorLogin: Bool = false,
        universeLookup: SyncSettings? = nil,
        imageServer: String = Images.ccp,
        serverStatus: ServerStatusWatch? = nil
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
        self.imageServer = imageServer.hasSuffix("/") ? String(imageServer.dropLast()) : imageServer
        self.serverStatus = serverStatus
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
    var images: Images { Images(server: self.configuration.imageServer) }
    var redirectURI: String { self.publicURL + "/sso/callback" }
    var secureCookies: Bool { self.publicURL.hasPrefix("https://") }

    /// Who asks, if anyone is logged in.
    struct Caller: Sendable {
        var viewer: Viewer
        var session: SessionStore.Session
        var token: String
        /// The user's notifications not read yet, and characters that need them (the menu's badges).
        var unread: Int64 = 0
        var attention: Int64 = 0
        var csrf: String { self.session.csrfToken }
    }

    /// The caller of a request, from its session cookie; nil for a visitor.
    func caller(of request: Request) async throws -> Caller? {
        guard let token = request.cookies[Sessions.name(Sessions.cookieName, secure: self.secureCookies)]?.value,
            !token.isEmpty
        else { return nil }
        return try await self.pool.withConnection { connection in
            guard let session = try Sessions.find(token, on: connection),
                let viewer = try AccessStore.viewer(userID: session.userID, on: connection)
            else { return nil }
            // The menu's counts only for pages: the API and the stylesheet show no menu.
            guard !request.isAPI, !request.uri.path.hasPrefix("/static/") else {
                return Caller(viewer: viewer, session: session, token: token)
            }
            let (unread, attention) = try Notifications.counts(ofUser: viewer.userID, on: connection)
            return Caller(viewer: viewer, session: session, token: token, unread: unread, attention: attention)
        }
    }

    /// The logged-in caller with `permission`; 401 (to the login page) or 403 otherwise.
    func require(_ caller: Caller?, _ permission: Permission = .basicAccess) throws -> Caller {
        guard let caller else { throw HTTPError(.unauthorized, message: "Please log in.") }
        guard caller.viewer.has(permission) else {
            throw HTTPError.forbidden("This needs the \(permission.rawValue) permission.")
        }
        return caller
    }

    /// The character `id` if the viewer may open it: 404 if it is unknown to them, 403 if they
    /// may know of it but not open it.
    func requireCharacter(_ id: Int64, _ caller: Caller, on connection: PostgresConnection) throws {
        switch try AccessStore.decide(caller.viewer, characterID: id, on: connection) {
        case .allowed: return
        case .forbidden: throw HTTPError.forbidden("You may not view this character.")
        case .unknown: throw HTTPError.noSuchPage
        }
    }

    func page(
        _ title: String,
        _ caller: Caller?,
        _ content: HTML,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        .page(
            Layout.page(
                title: title,
                appName: self.configuration.appName,
                viewer: caller?.viewer,
                csrf: caller?.csrf,
                unread: caller?.unread ?? 0,
                attention: caller?.attention ?? 0,
                content: content
            ),
            status: status
        )
    }

    /// The routes: the middleware every request passes (outermost first), then a controller per
    /// page family and one for the API. `WebApp.routes` lists the same surface with the
    /// parameters each route reads (a test holds the two equal).
    package func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(
            middleware: SecurityHeadersMiddleware(
                ssoBaseURL: self.configuration.sso.baseURL,
                imageServer: self.configuration.imageServer,
                https: self.secureCookies
            )
        )
        router.add(middleware: ErrorMiddleware(app: self))
        router.add(middleware: InputMiddleware())
        router.add(middleware: SessionMiddleware(app: self))
        router.add(middleware: CSRFMiddleware())
        router.addRoutes(SignInController(app: self).routes)
        router.addRoutes(CharacterController(app: self).routes)
        router.addRoutes(DirectoryController(app: self).routes)
        router.addRoutes(AdminController(app: self).routes)
        router.addRoutes(APIController(app: self).routes, atPath: "/api")
        router.addRoutes(HealthController(app: self).routes)
        return router
    }
}

extension HTTPError {
    static func forbidden(_ message: String = "You do not have permission to see this.") -> HTTPError {
        HTTPError(.forbidden, message: message)
    }

    static let noSuchPage = HTTPError(.notFound, message: "There is no such page or character.")

    static func badRequest(_ message: String) -> HTTPError { HTTPError(.badRequest, message: message) }
}

extension WebApp {
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
        ("MEMBERAUDIT_IMAGE_SERVER", "where portraits, logos and item icons come from (a mirror of CCP's)", Images.ccp),
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
