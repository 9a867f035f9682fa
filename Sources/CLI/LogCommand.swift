import ArgumentParser
import EventLog
import Foundation
import Reports
import Settings
import Synchronization

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract:
            "Inspect the event log, store its payloads as delta chains, archive, restore and compact old partitions.",
        subcommands: [
            LogStatsCommand.self, LogReencodeCommand.self, LogPartitionsCommand.self, LogArchiveCommand.self,
            LogRestoreCommand.self, LogCompactCommand.self,
        ]
    )
}

struct LogStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count the log's events by section and outcome, and its payload storage.",
        discussion: """
            Events are counted per section as fetched (200), not modified (304) and failed. Payloads \
            are stored once per distinct content: "raw" is their size before LZ4, "stored" after. \
            The compression ratio is raw over stored bytes; the dedup ratio is the bytes all fetched \
            events carried over the distinct raw bytes kept. With --format json the output is one \
            object whose "sections" member maps each section name to its counts.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table

    func run() async throws {
        let statistics = try await withDatabase(try self.global.settings()) { database in
            try await EventStore(pool: database.pool).statistics()
        }
        switch self.format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(statistics), as: UTF8.self))
        case .table:
            print(renderStatistics(statistics))
        }
    }
}

struct LogReencodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reencode",
        abstract: "Store the log's payloads again as delta chains (the same bytes, fewer of them on disk).",
        discussion: """
            New payloads are stored as LZ4 deltas against the previous version of their stream and \
            route (docs/event-log.md). This command does the same for payloads stored before that, \
            or under another --maximum-chain: each stream's, section's and route's versions in order, \
            a delta where it is smaller, a keyframe every --maximum-chain versions. The bytes of a \
            payload and its hash never change, and each rewritten payload is decoded and compared \
            before it is written. It may run while workers sync (--pause leaves the database to \
            them), and may be stopped at any time: each version key is rewritten in one \
            transaction with the run's checkpoint (eventlog.reencodings), and the next run goes on \
            from there. Running it again when nothing is left to do rewrites nothing. \
            --maximum-chain 0 turns every delta back into a keyframe.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The most deltas between a payload and its keyframe (0 to 64).")
    var maximumChain = EventStore.defaultMaximumChain

    @Option(help: "Milliseconds to rest after each stream, section and route (0 to 60000).")
    var pause = 0

    func validate() throws {
        guard (0...64).contains(self.maximumChain) else {
            throw ValidationError("--maximum-chain must be from 0 to 64")
        }
        guard (0...60_000).contains(self.pause) else { throw ValidationError("--pause must be from 0 to 60000") }
    }

    func run() async throws {
        let settings = try self.global.settings()
        try await withMigratedDatabase(settings) { database in
            var reencoder = PayloadReencoder(pool: database.pool, maximumChain: self.maximumChain)
            reencoder.pause = .milliseconds(self.pause)
            let lastReport = Mutex(Date.distantPast)
            let result = try await reencoder.run { progress in
                guard
                    lastReport.withLock({ last in
                        guard Date().timeIntervalSince(last) >= 2 || progress.keysDone == progress.keys else {
                            return false
                        }
                        last = Date()
                        return true
                    })
                else { return }
                printError(
                    "reencode run \(progress.run)\(progress.resumed ? " (resumed)" : ""): "
                        + "\(progress.keysDone) of \(progress.keys) streams and routes, \(progress.payloads) payloads rewritten, "
                        + "\(formatBytes(progress.bytesBefore)) → \(formatBytes(progress.bytesAfter))"
                )
            }
            print(
                "re-encoded \(result.payloads) payloads of \(result.keys) streams and routes: "
                    + "\(formatBytes(result.bytesBefore)) stored before, \(formatBytes(result.bytesAfter)) after"
            )
        }
    }
}

func renderStatistics(_ statistics: LogStatistics) -> String {
    var table = ReportTable(
        name: "",
        columns: ["section", "events", "fetched", "not modified", "failed", "payload bytes"]
    )
    for (name, section) in statistics.sections.sorted(by: { $0.key < $1.key }) {
        table.add([
            name, "\(section.events)", "\(section.fetched)", "\(section.notModified)", "\(section.failed)",
            formatBytes(section.payloadBytes),
        ])
    }
    let totals = statistics.sections.values
    table.add([
        "total", "\(statistics.events)", "\(totals.map(\.fetched).reduce(0, +))",
        "\(totals.map(\.notModified).reduce(0, +))", "\(totals.map(\.failed).reduce(0, +))",
        formatBytes(statistics.referencedRawBytes),
    ])
    var lines = [table.text(), ""]
    lines.append("head position       \(statistics.headPosition)")
    lines.append("distinct payloads   \(statistics.payloads)")
    lines.append("payload bytes raw   \(formatBytes(statistics.payloadRawBytes))")
    lines.append("payload bytes kept  \(formatBytes(statistics.payloadStoredBytes))")
    lines.append("compression ratio   \(String(format: "%.2f", statistics.compressionRatio))x")
    lines.append("dedup ratio         \(String(format: "%.2f", statistics.dedupRatio))x")
    lines.append("on disk             \(formatBytes(statistics.diskBytes))")
    return lines.joined(separator: "\n")
}

func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
