import ArgumentParser
import EventLog
import Foundation
import Reports
import Settings

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Inspect the event log.",
        subcommands: [LogStatsCommand.self]
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
