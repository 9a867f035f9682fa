import ArgumentParser
import Audit
import EventLog
import Foundation
import Logging
import Postgres
import Projections
import ServiceLifecycle
import Settings
import Sync
import Synchronization
import Vocabulary

extension Section: ExpressibleByArgument {}

/// Options that choose what the sync commands work on.
struct SyncScope: ParsableArguments {
    @Option(name: .customLong("character"), help: "Only this character (repeatable).")
    var characters: [Int64] = []

    @Option(name: .customLong("section"), help: "Only this section (repeatable).")
    var sections: [Section] = []

    func filter(_ context: SyncContext) throws -> PassFilter {
        if self.sections.contains(.roles), !context.sync.rolesEnabled {
            throw ValidationError("the roles section is off; set MEMBERAUDIT_FEATURE_ROLES_ENABLED=true to sync it")
        }
        return PassFilter(
            characters: self.characters,
            sections: self.sections.isEmpty ? context.sync.sections : self.sections
        )
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "One pass over the sections that are due (or all of them with --force), then exit.",
        discussion: """
            Every fetch, answered or not, is recorded as one event. The pass ends with a summary of \
            sections fetched, unchanged (304), failed and skipped (a missing scope, a route ESI \
            reports Down, a suspended token). The exit status is 0 when the pass ran, whatever \
            individual fetches did, and non-zero when it could not run (no database, no token key, \
            bad arguments). A worker running at the same time shares the queue: no section is \
            fetched by both.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scope: SyncScope

    @Flag(help: "Sync every selected section now, due or not.")
    var force = false

    @Option(help: "Output format of the summary: table or json.")
    var format: OutputFormat = .table

    @Flag(help: "Do not bring the read models up to date after the pass.")
    var noProject = false

    func run() async throws {
        let context = try SyncContext(self.global)
        try context.sync.requireSSOCredentials()
        let filter = try self.scope.filter(context)
        let summary = try await context.withMigratedDatabase { database in
            let logger = Logger(label: "memberaudit.sync")
            let engine = SyncEngine(pool: database.pool, settings: context.sync, cipher: context.cipher, logger: logger)
            let result = Mutex(PassSummary())
            let pass = PassService(engine: engine, filter: filter, force: self.force) { summary in
                result.withLock { $0 = summary }
            }
            try await Services.run([pass], finite: true, logger: logger)
            let summary = result.withLock { $0 }
            if !self.noProject {
                try await prepareReadModels(engine.pool)
                let applied = try await ProjectionRunner(pool: engine.pool).catchUp()
                printError("read models: \(applied) events applied")
                let indexed = try await AuditIndex(pool: engine.pool).catchUp()
                printError("audit index: \(indexed.changes) change points")
            }
            return summary
        }
        switch self.format {
        case .json: try printJSON(summary)
        case .table: print(describe(summary))
        }
    }
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Sync continuously: claim due sections from the shared queue until stopped.",
        discussion: """
            Run as many workers as you like, on one machine or several, against one database: they \
            share the queue (a section is synced by one worker at a time), ESI's error limit and its \
            rate-limit buckets. SIGTERM or SIGINT stops claiming and lets the sections in flight \
            finish; a second signal exits at once (the leases then expire and other workers rescue \
            them after MEMBERAUDIT_SYNC_LEASE_SECONDS). A worker also keeps the read models current: \
            it applies new events as they are recorded (several workers share that work too), and \
            keeps the audit index current.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scope: SyncScope
    @OptionGroup var metrics: MetricsOptions

    func run() async throws {
        let context = try SyncContext(self.global)
        try context.sync.requireSSOCredentials()
        let filter = try self.scope.filter(context)
        let summary = try await context.withMigratedDatabase { database in
            let logger = Logger(label: "memberaudit.worker")
            let metrics = self.metrics.service(pool: database.pool, logger: logger)
            let engine = SyncEngine(pool: database.pool, settings: context.sync, cipher: context.cipher, logger: logger)
            printError("worker \(engine.workerID) started (pid \(ProcessInfo.processInfo.processIdentifier))")
            // The read models: new or changed ones rebuilt first, then kept current as events arrive.
            try await prepareReadModels(engine.pool)
            let summary = Mutex(PassSummary())
            let workers = WorkerServices(pool: database.pool, engines: [engine], filter: filter) { last in
                summary.withLock { $0 = last }
            }
            try await Services.run((metrics.map { [$0] } ?? []) + workers.services, logger: logger)
            return summary.withLock { $0 }
        }
        printError("worker stopped. \(describe(summary))")
    }
}

/// What a worker process runs (`worker`, and `run` with its web server): sync engines claiming
/// from the queue, the projection runner, the audit index and the compliance groups.
struct WorkerServices {
    let pool: PostgresPool
    let engines: [SyncEngine]
    let filter: PassFilter
    /// Told each engine's summary when it stops.
    let finished: @Sendable (PassSummary) -> Void

    /// In the order they start; they stop in reverse: the engines first (their sections in flight
    /// finish), the projection runner last (a final catch-up of what they recorded).
    var services: [any Service] { self.background + self.syncing }

    /// The sync engines' loops.
    var syncing: [any Service] {
        self.engines.map { WorkerService(engine: $0, filter: self.filter, finished: self.finished) }
    }

    /// The projection runner, the audit index and the compliance groups.
    var background: [any Service] {
        let pool = self.pool
        return [
            ProjectionService(pool: pool),
            // The audit index every few seconds (audit commands catch up what is left).
            PeriodicService(name: "audit index", interval: .seconds(10)) {
                _ = try await AuditIndex(pool: pool).catchUp()
            },
            // Compliance groups every minute: characters come and go through other processes.
            PeriodicService(name: "compliance groups", interval: .seconds(60)) {
                try await updateComplianceGroups(pool)
            },
            // Sealed partitions' indexes rebuilt packed, one at a time across the workers.
            PeriodicService(name: "log compaction", interval: .seconds(600)) {
                _ = try await pool.withConnection { try PartitionCompaction.run(limit: 1, on: $0) }
            },
        ]
    }
}

func describe(_ summary: PassSummary) -> String {
    var parts = [
        "\(summary.sections) sections: \(summary.fetched) fetched, \(summary.notModified) unchanged, "
            + "\(summary.failed) failed, \(summary.skipped) skipped"
    ]
    if summary.leaseLost > 0 { parts.append("\(summary.leaseLost) taken over by another worker") }
    if summary.rescued > 0 { parts.append("\(summary.rescued) rescued from dead workers") }
    parts.append("\(summary.requests) requests in \(String(format: "%.1f", summary.seconds)) s")
    return parts.joined(separator: "; ")
}

/// A progress bar on a terminal; a plain line every few seconds otherwise.
final class ProgressReporter: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let last = Mutex((time: Date.distantPast, drawn: false))

    func show(_ progress: PassProgress) {
        let now = Date()
        let interval = self.isTerminal ? 0.1 : 5
        let due = self.last.withLock { last in
            guard now.timeIntervalSince(last.time) >= interval || progress.done == progress.total else { return false }
            last = (now, true)
            return true
        }
        guard due else { return }
        let total = max(progress.total, progress.done)
        let s = progress.summary
        let counts = "\(s.fetched) fetched, \(s.notModified) unchanged, \(s.failed) failed, \(s.skipped) skipped"
        if self.isTerminal {
            let width = 30
            let filled = total == 0 ? width : width * progress.done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(
                Data("\r[\(bar)] \(progress.done)/\(total) sections · \(counts)\u{1B}[K".utf8)
            )
        } else {
            printError("progress: \(progress.done)/\(total) sections; \(counts)")
        }
    }

    func finish() {
        if self.isTerminal, self.last.withLock({ $0.drawn }) { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
