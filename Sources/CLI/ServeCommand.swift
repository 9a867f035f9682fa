import Access
import ArgumentParser
import Audit
import ESI
import Foundation
import Logging
import Postgres
import Reports
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

    func run() async throws {
        let context = try SyncContext(self.global)
        try context.sync.requireSSOCredentials()
        let settings = context.settings
        let appName = settings.string("MEMBERAUDIT_APP_NAME") ?? "Member Audit"
        let sessionHours = try settings.integer("MEMBERAUDIT_SESSION_HOURS", default: 8, in: 1...720)
        let sharingMinutes = try settings.integer("MEMBERAUDIT_SHARING_TIMEOUT", default: 0, in: 0...525_600)
        let explicitURL = settings.string("MEMBERAUDIT_PUBLIC_URL")
        let imageServer = settings.string("MEMBERAUDIT_IMAGE_SERVER") ?? Images.ccp
        guard Images.check(imageServer) else {
            throw SettingsError(
                .badValue,
                "MEMBERAUDIT_IMAGE_SERVER must be an http(s) URL of letters, digits and :/.-_~%, not '\(imageServer)'"
            )
        }
        let sync = context.sync
        let policies = sync.staleMinutesBySection
        let (host, port) = (self.host, self.port)
        let logger = Logger(label: "memberaudit.serve")
        try await context.withMigratedDatabase { database in
            try await prepareReadModels(database.pool)
            let web = WebApp(
                pool: database.pool,
                configuration: WebConfiguration(
                    appName: appName,
                    publicURL: explicitURL,
                    sso: sync.sso,
                    syncScopes: Array(Set(sync.sections.compactMap(\.scope))).sorted(),
                    sessionLifetime: TimeInterval(sessionHours) * 3600,
                    sharingTimeout: sharingMinutes == 0 ? nil : TimeInterval(sharingMinutes) * 60,
                    defaultGroup: settings.string("MEMBERAUDIT_DEFAULT_GROUP"),
                    simulatorLogin: settings.string("MEMBERAUDIT_SIMULATOR_LOGIN") == "1",
                    universeLookup: sync,
                    imageServer: imageServer,
                    serverStatus: ServerStatusWatch(settings: sync)
                ),
                cipher: context.cipher,
                sections: sync.sections,
                tokenPolicies: policies,
                http: HTTPClient(userAgent: sync.userAgent),
                logger: logger
            )
            let server = WebServer.application(app: web, host: host, port: port, logger: logger) { bound in
                web.listening(host: host, port: bound)
                printError("serving \(appName) at \(web.publicURL) (pid \(ProcessInfo.processInfo.processIdentifier))")
            }
            // Sessions, logins and shares that expired; compliance groups (characters registered
            // or removed elsewhere): every minute.
            let housekeeping = PeriodicService(name: "web housekeeping", interval: .seconds(60)) {
                try await web.housekeeping()
            }
            // The audit index, for the history pages (workers keep it current too; this is cheap
            // when it is).
            let auditing = PeriodicService(name: "audit index", interval: .seconds(10)) {
                _ = try await AuditIndex(pool: database.pool).catchUp()
            }
            try await Services.run([housekeeping, auditing, server], logger: logger)
            printError("stopped serving")
        }
    }
}
