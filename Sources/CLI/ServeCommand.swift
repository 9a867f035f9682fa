import Access
import ArgumentParser
import Audit
import ESI
import Foundation
import Logging
import Postgres
import Reports
import ServiceLifecycle
import Settings
import Sync
import Vocabulary
import Web

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web application: login with EVE SSO, launcher, viewer, finder, reports.",
        discussion: """
            Users log in with EVE SSO (MEMBERAUDIT_SSO_BASE_URL, MEMBERAUDIT_SSO_CLIENT_ID, \
            MEMBERAUDIT_SSO_CLIENT_SECRET; the application's callback URL at the SSO must be \
            PUBLIC_URL/sso/callback). MEMBERAUDIT_PUBLIC_URL (default http://HOST:PORT) is the \
            address browsers use; with https:// cookies are marked Secure. MEMBERAUDIT_APP_NAME \
            names the site, MEMBERAUDIT_SHARING_TIMEOUT (minutes, 0 = never) ends shares, \
            MEMBERAUDIT_SESSION_HOURS (default 8) ends sessions, and new users join the group \
            MEMBERAUDIT_DEFAULT_GROUP if set (e.g. one granting basic_access). Portraits, logos and \
            item icons come from CCP's image server, or MEMBERAUDIT_IMAGE_SERVER (a mirror; pages \
            work without it). No user is special \
            at first: make administrators with memberaudit users superuser NAME, and grant \
            permissions through memberaudit groups. Sync workers run beside it (memberaudit \
            worker); serve keeps the audit index current for the history pages. SIGTERM or SIGINT \
            stops it gracefully: requests in flight finish.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080

    func validate() throws {
        guard (0...65_535).contains(self.port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    @OptionGroup var metrics: MetricsOptions

    func run() async throws {
        let context = try SyncContext(self.global)
        let web = try WebSettings(context)
        let logger = Logger(label: "memberaudit.serve")
        try await context.withMigratedDatabase { database in
            try await prepareReadModels(database.pool)
            var services = [any Service]()
            if let metrics = self.metrics.service(pool: database.pool, logger: logger) { services.append(metrics) }
            services += web.services(context, pool: database.pool, host: self.host, port: self.port, logger: logger)
            try await Services.run(services, logger: logger)
            printError("stopped serving")
        }
    }
}

/// The web app's settings, checked before anything starts (`serve` and `run`).
struct WebSettings {
    let appName: String
    let sessionHours: Int
    let sharingMinutes: Int
    let explicitURL: String?
    let imageServer: String

    init(_ context: SyncContext) throws {
        try context.sync.requireSSOCredentials()
        let settings = context.settings
        self.appName = settings.string("MEMBERAUDIT_APP_NAME") ?? "Member Audit"
        self.sessionHours = try settings.integer("MEMBERAUDIT_SESSION_HOURS", default: 8, in: 1...720)
        self.sharingMinutes = try settings.integer("MEMBERAUDIT_SHARING_TIMEOUT", default: 0, in: 0...525_600)
        self.explicitURL = settings.string("MEMBERAUDIT_PUBLIC_URL")
        self.imageServer = settings.string("MEMBERAUDIT_IMAGE_SERVER") ?? Images.ccp
        guard Images.check(self.imageServer) else {
            throw SettingsError(
                .badValue,
                "MEMBERAUDIT_IMAGE_SERVER must be an http(s) URL of letters, digits and :/.-_~%, not '\(self.imageServer)'"
            )
        }
    }

    /// The web server, its housekeeping and (unless workers in the same process keep it) the audit
    /// index, as services in the order they start; they stop in reverse.
    func services(
        _ context: SyncContext,
        pool: PostgresPool,
        host: String,
        port: Int,
        auditIndex: Bool = true,
        logger: Logger
    ) -> [any Service] {
        let sync = context.sync
        let appName = self.appName
        let web = WebApp(
            pool: pool,
            configuration: WebConfiguration(
                appName: appName,
                publicURL: self.explicitURL,
                sso: sync.sso,
                syncScopes: Array(Set(sync.sections.compactMap(\.scope))).sorted(),
                sessionLifetime: TimeInterval(self.sessionHours) * 3600,
                sharingTimeout: self.sharingMinutes == 0 ? nil : TimeInterval(self.sharingMinutes) * 60,
                defaultGroup: context.settings.string("MEMBERAUDIT_DEFAULT_GROUP"),
                simulatorLogin: context.settings.string("MEMBERAUDIT_SIMULATOR_LOGIN") == "1",
                universeLookup: sync,
                imageServer: self.imageServer,
                serverStatus: ServerStatusWatch(settings: sync)
            ),
            cipher: context.cipher,
            sections: sync.sections,
            tokenPolicies: sync.staleMinutesBySection,
            http: HTTPClient(userAgent: sync.userAgent),
            logger: logger
        )
        let server = WebServer.application(app: web, host: host, port: port, logger: logger) { bound in
            web.listening(host: host, port: bound)
            printError("serving \(appName) at \(web.publicURL) (pid \(ProcessInfo.processInfo.processIdentifier))")
        }
        // The audit index, for the history pages (workers keep it current too; this is cheap
        // when it is).
        let indexing = PeriodicService(name: "audit index", interval: .seconds(10)) {
            _ = try await AuditIndex(pool: pool).catchUp()
        }
        // Sessions, logins and shares that expired; compliance groups (characters registered or
        // removed elsewhere): every minute.
        let housekeeping = PeriodicService(name: "web housekeeping", interval: .seconds(60)) {
            try await web.housekeeping()
        }
        return (auditIndex ? [indexing] : []) + [housekeeping, server]
    }
}
