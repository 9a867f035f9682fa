import ArgumentParser
import Foundation
import Postgres
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
            paused rate-limit buckets. The event log has its own: memberaudit log stats.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let settings = try self.global.settings()
        let statistics = try await withMigratedDatabase(settings) { database in
            try await SyncStatistics.load(database.pool)
        }
        switch self.format {
        case .json: try printJSON(statistics)
        case .table: print(render(statistics))
        }
    }

    private func render(_ statistics: SyncStatistics) -> String {
        var table = TextTable(columns: [
            "section", "queued", "due", "overdue", "leased", "failing", "skipped", "runs 24h", "avg ms", "max ms",
        ])
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
            "", table.render(), "",
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
