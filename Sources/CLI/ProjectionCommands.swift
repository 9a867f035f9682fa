import ArgumentParser
import EventLog
import Foundation
import Postgres
import Projections
import Reports
import Settings
import Synchronization

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Bring the read models up to date with the event log, then exit.",
        discussion: """
            Read models missing or of an older version are rebuilt first; then every event not yet \
            applied is applied, in log order, in batches (each batch and its checkpoint commit \
            together). Workers do this continuously; this command is for a one-off catch-up. \
            Events a projector cannot decode are quarantined (listed by memberaudit stats); after a \
            fix, --retry-quarantined tries them again and rebuilds the read models that can now use them.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Try quarantined events again (after a fix) and rebuild what they belong to.")
    var retryQuarantined = false

    @Option(help: "Parallel jobs of a rebuild.")
    var jobs = 2

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        guard self.jobs >= 1, self.jobs <= 64 else { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() async throws {
        let settings = try self.global.settings()
        try await withMigratedDatabase(settings) { database in
            let rebuilder = Rebuilder(pool: database.pool)
            try await prepareReadModels(database.pool)
            let progress = RebuildProgressBar()
            if self.retryQuarantined {
                let report = try await rebuilder.retryQuarantined(jobs: self.jobs) { progress.show($0) }
                progress.finish()
                if self.format == .json { return try printJSON(report) }
                print(
                    "quarantined events tried: \(report.tried); decode now: \(report.decodeNow); "
                        + "rebuilt: \(report.rebuilt.isEmpty ? "none" : report.rebuilt.joined(separator: ", ")); "
                        + "still quarantined: \(report.stillQuarantined)"
                )
                return
            }
            let started = Date()
            let applied = try await ProjectionRunner(pool: database.pool).catchUp()
            let status = try await ProjectionStatus.load(database.pool)
            if self.format == .json { return try printJSON(status) }
            print(
                "applied \(applied) events in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; "
                    + "log head \(status.head); \(status.quarantined) quarantined"
            )
        }
    }
}

struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild read models from the event log, verify them, and swap them in.",
        discussion: """
            Replays the log into shadow tables (bulk COPY, parallel by character), then, holding the \
            projection lock for a moment, applies what arrived meanwhile and swaps the shadow tables \
            in, in one transaction. Readers keep reading the live tables while it runs. With \
            --verify the rebuilt tables are first compared with the live ones at the same log \
            position (row counts and an order-independent checksum per table); a difference is \
            reported table by table and nothing is swapped (exit status 1). Projectors: \
            \(Catalog.names.joined(separator: ", ")).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("projection"), help: "Only this read model (repeatable; default: all).")
    var projections: [String] = []

    @Flag(help: "Compare with the live tables before swapping; refuse the swap on a difference.")
    var verify = false

    @Option(help: "Parallel jobs, each on its own database connection.")
    var jobs = 2

    @Option(help: "Output format of the report: table or json.")
    var format: OutputFormat = .table

    @Flag(
        help: """
            Rebuild although partitions of the log are archived: what only their events hold (old             journal entries, mails, contracts) leaves the read models.
            """
    )
    var withoutArchived = false

    func validate() throws {
        guard self.jobs >= 1, self.jobs <= 64 else { throw ValidationError("--jobs must be between 1 and 64") }
        let known = Set(Catalog.names)
        for name in self.projections where !known.contains(name) {
            throw ValidationError(
                "no read model named \(name); they are: \(Catalog.names.joined(separator: ", "))"
            )
        }
    }

    func run() async throws {
        // Each job takes a connection of the pool (MEMBERAUDIT_DB_POOL_SIZE, 8 by default).
        let settings = try self.global.settings()
        try await withMigratedDatabase(settings) { database in
            let archived = try await database.pool.withConnection { connection in
                try LogArchive.archived(on: connection)
            }
            if !archived.isEmpty, !self.withoutArchived {
                throw EventLogError.refused(
                    "\(archived.map { "\($0.name) (in \($0.location ?? "?"))" }.joined(separator: ", ")) "
                        + "\(archived.count == 1 ? "is" : "are") archived: a rebuild without those events would "
                        + "drop from the read models what only they hold. Restore them first (memberaudit log "
                        + "restore DIR), or pass --without-archived"
                )
            }
            let progress = RebuildProgressBar()
            let report: RebuildReport
            do {
                report = try await Rebuilder(pool: database.pool).rebuild(
                    RebuildOptions(projectors: self.projections, verify: self.verify, jobs: self.jobs)
                ) { progress.show($0) }
                progress.finish()
            } catch let refused as RebuildRefused {
                progress.finish()
                if self.format == .json { try printJSON(refused.checks) } else { print(render(refused.checks)) }
                printError("memberaudit rebuild: \(refused)")
                throw ExitCode(1)
            }
            if self.format == .json { return try printJSON(report) }
            let megabytes = Double(report.rawBytes) / 1_000_000
            print(
                """
                rebuilt \(report.projectors.joined(separator: ", ")) at log position \(report.position)
                \(report.events) events of \(report.streams) streams, \(String(format: "%.1f", megabytes)) MB of JSON \
                (\(String(format: "%.1f", Double(report.decodedBytes) / 1_000_000)) MB decoded), \(report.rows) rows, \
                in \(String(format: "%.2f", report.seconds)) s: \
                \(String(format: "%.0f", Double(report.events) / max(report.seconds, 0.001))) events/s, \
                \(String(format: "%.1f", megabytes / max(report.seconds, 0.001))) MB/s
                \(report.caughtUp) events appended meanwhile applied before the swap; \
                \(report.quarantined) quarantined, \(report.released) released from quarantine
                """
            )
            if self.verify { print(render(report.checks)) }
        }
    }

    private func render(_ checks: [TableCheck]) -> String {
        var table = ReportTable(name: "", columns: ["table", "live rows", "rebuilt rows", "checksum"])
        for check in checks {
            let verdict =
                switch check.matches {
                case true?: "equal"
                case false?: "DIFFERENT"
                case nil: "not compared (new or changed read model)"
                }
            table.add([check.table, check.liveRows.map(String.init) ?? "-", String(check.rebuiltRows), verdict])
        }
        return table.text()
    }
}

/// Builds the read models that are missing or changed (new installation, new version), showing
/// progress: the first command after an upgrade may replay the whole log.
func prepareReadModels(_ pool: PostgresPool) async throws {
    let progress = RebuildProgressBar()
    let rebuilt = try await Rebuilder(pool: pool).prepare { progress.show($0) }
    progress.finish()
    for name in rebuilt { printError("built read model \(name) from the event log (new or changed)") }
}

/// A progress bar on a terminal, a line every few seconds otherwise.
final class RebuildProgressBar: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let last = Mutex((time: Date.distantPast, drawn: false))

    func show(_ progress: RebuildProgress) {
        let now = Date()
        let due = self.last.withLock { last in
            let interval = self.isTerminal ? 0.1 : 5
            guard now.timeIntervalSince(last.time) >= interval || progress.streamsDone == progress.streams else {
                return false
            }
            last = (now, true)
            return true
        }
        guard due else { return }
        let megabytes = Double(progress.rawBytes) / 1_000_000
        let rate = String(
            format: "%.1f MB/s, %.0f events/s",
            megabytes / max(progress.seconds, 0.001),
            Double(progress.events) / max(progress.seconds, 0.001)
        )
        let counts =
            "\(progress.streamsDone)/\(progress.streams) streams · \(progress.events) events · "
            + String(format: "%.1f MB · %.1f s · ", megabytes, progress.seconds) + rate
        if self.isTerminal {
            let width = 30
            let filled = progress.streams == 0 ? width : width * progress.streamsDone / progress.streams
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(counts)\u{1B}[K".utf8))
        } else {
            printError("rebuild: \(counts)")
        }
    }

    func finish() {
        let drawn = self.last.withLock { last in
            defer { last.drawn = false }
            return last.drawn
        }
        if self.isTerminal, drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
