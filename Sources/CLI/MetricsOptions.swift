import ArgumentParser
import Foundation
import Logging
import Observability
import Postgres
import Projections
import Prometheus
import ServiceLifecycle
import Sync
import Web

/// `--metrics-port` and `--metrics-host` of `run`, `serve` and `worker`.
struct MetricsOptions: ParsableArguments {
    @Option(
        help: """
            Serve GET /metrics (Prometheus text format) on this port, on a listener of its own \
            (0: any free port, printed at start). Off unless given.
            """
    )
    var metricsPort: Int?

    @Option(help: "The address the metrics listener binds (default: the loopback only).")
    var metricsHost = "127.0.0.1"

    func validate() throws {
        if let port = self.metricsPort, !(0...65_535).contains(port) {
            throw ValidationError("--metrics-port must be between 0 and 65535")
        }
        if self.metricsHost.isEmpty { throw ValidationError("--metrics-host must not be empty") }
    }

    /// The metrics listener as a service, or nil when no port was asked for. Call before anything
    /// counts (the backend is set up here).
    func service(pool: PostgresPool, logger: Logger) -> (any Service)? {
        guard let port = self.metricsPort else { return nil }
        let registry = MetricsSetup.bootstrap()
        let host = self.metricsHost
        return MetricsServer.application(
            host: host,
            port: port,
            logger: logger,
            render: {
                await DatabaseGauges.sample(pool, into: registry)
                return registry.emitToString()
            },
            onRunning: { bound in printError("metrics at http://\(host):\(bound)/metrics") }
        )
    }
}

/// The gauges read from the database at each scrape: the queue, ESI's shared limits, the log's
/// head, the read models' lag and quarantine. They describe the installation, not the process, so
/// every process that serves metrics reports the same values.
enum DatabaseGauges {
    static func sample(_ pool: PostgresPool, into registry: PrometheusCollectorRegistry) async {
        func set(_ name: String, _ labels: [(String, String)] = [], _ help: String, _ value: Double) {
            MetricsSetup.sample(name, labels: labels, help: help, value: value, in: registry)
        }
        let sync: SyncStatistics
        let projections: ProjectionStatus
        do {
            sync = try await SyncStatistics.load(pool)
            projections = try await ProjectionStatus.load(pool)
        } catch {
            set("memberaudit_database_up", [], "1 when the last scrape could read the database", 0)
            return
        }
        set("memberaudit_database_up", [], "1 when the last scrape could read the database", 1)

        let characters = "Registered characters by state"
        set("memberaudit_characters", [("state", "registered")], characters, Double(sync.characters))
        set("memberaudit_characters", [("state", "suspended")], characters, Double(sync.suspended))
        set("memberaudit_characters", [("state", "disabled")], characters, Double(sync.disabled))
        set(
            "memberaudit_sync_workers_active",
            [],
            "Workers with a heartbeat in the last 5 minutes",
            Double(sync.activeWorkers)
        )

        let queue = "Sections in the work queue: all, due now, due for over 5 minutes, leased by a worker"
        set("memberaudit_sync_queue_sections", [("state", "queued")], queue, Double(sync.queued))
        set("memberaudit_sync_queue_sections", [("state", "due")], queue, Double(sync.due))
        set("memberaudit_sync_queue_sections", [("state", "overdue")], queue, Double(sync.overdue))
        set("memberaudit_sync_queue_sections", [("state", "leased")], queue, Double(sync.leased))
        for row in sync.sections {
            set(
                "memberaudit_sync_due_sections",
                [("section", row.section)],
                "Sections due now, by section",
                Double(row.due)
            )
            set(
                "memberaudit_sync_overdue_sections",
                [("section", row.section)],
                "Sections due for over 5 minutes, by section",
                Double(row.overdue)
            )
        }

        // ESI's limits as the workers share them: the error limit, and the buckets paused now.
        let now = Date()
        let errors = sync.limits.first { $0.scope == "errors" }
        if let remaining = errors?.remaining {
            set(
                "memberaudit_esi_shared_error_limit_remaining",
                [],
                "ESI's error limit as the workers last saw it",
                Double(remaining)
            )
        }
        let paused = sync.limits.filter { ($0.pausedUntil ?? .distantPast) > now }
        let pausedHelp = "Limits pausing the workers now: the error limit, or rate-limit buckets"
        set(
            "memberaudit_esi_paused_limits",
            [("limit", "errors")],
            pausedHelp,
            Double(paused.count { $0.scope == "errors" })
        )
        set(
            "memberaudit_esi_paused_limits",
            [("limit", "rate")],
            pausedHelp,
            Double(paused.count { $0.scope.hasPrefix("rate:") })
        )

        set(
            "memberaudit_eventlog_head_position",
            [],
            "The position of the log's newest event",
            Double(projections.head)
        )
        for row in projections.projectors {
            let labels = [("read_model", row.name)]
            set(
                "memberaudit_projection_events_behind",
                labels,
                "Events of the log a read model has not applied",
                Double(row.eventsBehind)
            )
            set(
                "memberaudit_projection_lag_seconds",
                labels,
                "Age of the oldest event a read model has not applied",
                row.lagSeconds
            )
        }
        set(
            "memberaudit_projection_quarantined_events",
            [],
            "Events a read model could not decode (memberaudit stats)",
            Double(projections.quarantined)
        )
    }
}
