import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Settings
import Sync
import Synchronization

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Everything in one process: the web app, sync workers and the projection runner.",
        discussion: """
            For small installs: one process serves the web app (as memberaudit serve), syncs with \
            --workers sync engines (as memberaudit worker, each claiming from the shared queue) and \
            keeps the read models and the audit index current. With no MEMBERAUDIT_DATABASE_URL it \
            starts its own PostgreSQL in MEMBERAUDIT_DATA_DIR. Larger installs run serve and several \
            worker processes, on one machine or several, against one PostgreSQL instead \
            (docs/deploy.md); run can be one of them. SIGTERM or SIGINT stops it gracefully: the \
            workers finish their sections in flight, the server its requests, the read models catch \
            up; a second signal exits at once.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The address the web app listens on.")
    var host = "127.0.0.1"

    @Option(help: "The port the web app listens on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "Sync engines in this process (1 to 16); each syncs several sections at once.")
    var workers = 1

    @OptionGroup var metrics: MetricsOptions

    func validate() throws {
        guard (0...65_535).contains(self.port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (1...16).contains(self.workers) else { throw ValidationError("--workers must be between 1 and 16") }
    }

    func run() async throws {
        let context = try SyncContext(self.global)
        let web = try WebSettings(context)
        let filter = PassFilter(characters: [], sections: context.sync.sections)
        let logger = Logger(label: "memberaudit.run")
        let summary = try await context.withMigratedDatabase { database in
            let metrics = self.metrics.service(pool: database.pool, logger: logger)
            let engines = (0..<self.workers).map { _ in
                SyncEngine(pool: database.pool, settings: context.sync, cipher: context.cipher, logger: logger)
            }
            try await prepareReadModels(database.pool)
            let total = Mutex(PassSummary())
            let workers = WorkerServices(pool: database.pool, engines: engines, filter: filter) { last in
                total.withLock { total in
                    total.add(last)
                    total.seconds = max(total.seconds, last.seconds)  // the engines ran side by side
                }
            }
            var services = [any Service]()
            if let metrics { services.append(metrics) }
            services += workers.background
            services += web.services(
                context,
                pool: database.pool,
                host: self.host,
                port: self.port,
                auditIndex: false,
                logger: logger
            )
            services += workers.syncing  // stop first
            printError(
                "running \(self.workers) sync worker\(self.workers == 1 ? "" : "s") "
                    + "(pid \(ProcessInfo.processInfo.processIdentifier))"
            )
            try await Services.run(services, logger: logger)
            return total.withLock { $0 }
        }
        printError("stopped. \(describe(summary))")
    }
}
