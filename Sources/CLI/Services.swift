import Audit
import Foundation
import Logging
import Postgres
import Projections
import ServiceLifecycle
import Sync
import Synchronization
import UnixSignals

/// The long-running parts of `serve` and `worker`, as services of one `ServiceGroup`: SIGTERM or
/// SIGINT shuts them down gracefully, in the reverse order of the group (a worker stops claiming
/// and finishes its sections in flight before the projection runner makes its last catch-up).
/// A second signal, once shutdown has begun, ends the process at once.
enum Services {
    /// Runs `services` until a signal shuts them down. A service that returns before is an error
    /// (a server or worker must not stop by itself), but with `finite` (a one-shot pass), whose
    /// end shuts the group down.
    static func run(_ services: [any Service], finite: Bool = false, logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    ServiceGroupConfiguration.ServiceConfiguration(
                        service: $0,
                        successTerminationBehavior: finite ? .gracefullyShutdownGroup : .cancelGroup
                    )
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// Runs `body` every `interval` until shutdown; a failure is said and tried again at the next tick.
struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let body: @Sendable () async throws -> Void

    func run() async throws {
        let (name, interval, body) = (self.name, self.interval, self.body)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await body()
                } catch  where !(error is CancellationError) && !Task.isCancelled {
                    // A query cancelled by the shutdown itself (a long REINDEX) is no failure.
                    printError("\(name): \(error); retrying in \(interval.components.seconds) s")
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}

/// The sync engine's worker loop: on shutdown it stops claiming and lets what is in flight finish.
struct WorkerService: Service {
    let engine: SyncEngine
    let filter: PassFilter
    let finished: @Sendable (PassSummary) -> Void

    func run() async throws {
        let lastReport = Mutex(Date())
        let summary = try await withGracefulShutdownHandler {
            try await self.engine.runWorker(filter: self.filter) { summary in
                let due = lastReport.withLock { last in
                    guard Date().timeIntervalSince(last) >= 60 else { return false }
                    last = Date()
                    return true
                }
                if due { printError(describe(summary)) }
            }
        } onGracefulShutdown: {
            stopClaiming(self.engine)
        }
        self.finished(summary)
    }
}

/// One pass of the sync engine (`memberaudit sync`), with a progress bar; the group ends with it.
struct PassService: Service {
    let engine: SyncEngine
    let filter: PassFilter
    let force: Bool
    let finished: @Sendable (PassSummary) -> Void

    func run() async throws {
        let reporter = ProgressReporter()
        let summary = try await withGracefulShutdownHandler {
            try await self.engine.runPass(filter: self.filter, force: self.force) { reporter.show($0) }
        } onGracefulShutdown: {
            stopClaiming(self.engine)
        }
        reporter.finish()
        self.finished(summary)
    }
}

/// The first signal: the engine claims nothing more and lets the sections in flight finish; the
/// next ends the process at once.
private func stopClaiming(_ engine: SyncEngine) {
    printError("stopping: finishing the sections in flight (signal again to exit at once)")
    engine.stop()
    exitOnNextSignal()
}

/// The projection runner: keeps the read models current; on shutdown, one last catch-up of what
/// the last sections recorded.
struct ProjectionService: Service {
    let pool: PostgresPool

    func run() async throws {
        let runner = ProjectionRunner(pool: self.pool)
        try await withGracefulShutdownHandler {
            try await runner.run { printError("projection: \($0); retrying in 5 s") }
        } onGracefulShutdown: {
            runner.stop()
        }
        try await ProjectionRunner(pool: self.pool).catchUp()
    }
}

/// After the first signal began a graceful shutdown, the next SIGTERM or SIGINT ends the process
/// at once (the leases of sections in flight then expire and other workers rescue them).
private func exitOnNextSignal() {
    Task {
        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
            printError("stopping now")
            exit(130)
        }
    }
}
