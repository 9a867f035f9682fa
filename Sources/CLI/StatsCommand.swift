import ArgumentParser
import Foundation
import Postgres
import Projections
import Reports
import Settings
import Sync

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "The sync queue, run durations per section and ESI's budget.",
        discussion: """
            Per section: queued rows, due now, overdue (due for more than five minutes: the workers \
            are behind), leased (being synced), failing and skipped, and the average and longest run \
            of the last 24 hours. Then ESI's error-limit budget as the workers last saw it and any \
            paused rate-limit buckets. Last, the read models: each one's log position, how many \
            events and seconds it is behind, and the events quarantined because they could not be \
            decoded. The event log has its own: memberaudit log stats.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let settings = try self.global.settings()
        let (statistics, projections) = try await withMigratedDatabase(settings) { database in
            (try await SyncStatistics.load(database.pool), try await ProjectionStatus.load(database.pool))
        }
        switch self.format {
        case .json: try printJSON(StatsOutput(statistics: statistics, projections: projections))
        case .table: print(render(statistics) + "\n\n" + render(projections))
        }
    }

    private func render(_ status: ProjectionStatus) -> String {
        var table = ReportTable(name: "", columns: ["read model", "version", "position", "behind", "lag s", "state"])
        for row in status.projectors {
            let state =
                row.installedVersion == nil
                ? "not installed (built at the next worker start or by memberaudit project)"
                : row.needsRebuild ? "changed: rebuilt at the next worker start or by memberaudit rebuild" : "current"
            table.add([
                row.name, "\(row.version)", "\(row.position)", "\(row.eventsBehind)",
                String(format: "%.1f", row.lagSeconds), state,
            ])
        }
        var lines = ["read models (log head \(status.head)):", table.text()]
        if status.quarantined == 0 {
            lines.append("quarantined events: none")
        } else {
            lines.append(
                "quarantined events: \(status.quarantined) (newest first; memberaudit project --retry-quarantined after a fix)"
            )
            for entry in status.quarantine {
                lines.append(
                    "  #\(entry.position) \(entry.stream) \(entry.section) [\(entry.projector)]: \(entry.reason)"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    private func render(_ statistics: SyncStatistics) -> String {
        var table = ReportTable(
            name: "",
            columns: [
                "section", "queued", "due", "overdue", "leased", "failing", "skipped", "runs 24h", "avg ms", "max ms",
            ]
        )
        for row in statistics.sections {
            table.add([
                row.section, "\(row.rows)", "\(row.due)", "\(row.overdue)", "\(row.leased)", "\(row.failing)",
                "\(row.skipped)", "\(row.runs)", row.averageMilliseconds.map { String(format: "%.0f", $0) } ?? "-",
                row.maximumMilliseconds.map(String.init) ?? "-",
            ])
        }
        var lines = [
            "characters \(statistics.characters) (\(statistics.suspended) suspended, \(statistics.disabled) disabled); "
                + "workers running \(statistics.activeWorkers); unread notifications \(statistics.unreadNotifications)",
            "queue: \(statistics.queued) sections, \(statistics.due) due, \(statistics.overdue) overdue, \(statistics.leased) leased",
            "", table.text(), "",
        ]
        if statistics.limits.isEmpty { lines.append("ESI budget: nothing observed yet") }
        for limit in statistics.limits {
            var text = "ESI \(limit.scope == "errors" ? "error limit" : limit.scope):"
            if let remaining = limit.remaining { text += " \(remaining) left" }
            if let paused = limit.pausedUntil, paused > Date() {
                text += ", paused until \(paused.formatted(.iso8601))"
            }
            text += " (seen \(limit.observedAt.formatted(.iso8601)))"
            lines.append(text)
        }
        return lines.joined(separator: "\n")
    }
}

/// `stats --format json`: the sync's statistics with a `projections` member.
struct StatsOutput: Encodable {
    let statistics: SyncStatistics
    let projections: ProjectionStatus

    private enum Keys: String, CodingKey { case projections }

    func encode(to encoder: any Encoder) throws {
        try self.statistics.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(self.projections, forKey: .projections)
    }
}
