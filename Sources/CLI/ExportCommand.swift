import ArgumentParser
import Exports
import Foundation
import Postgres
import Settings

extension DataExport.Topic: ExpressibleByArgument {}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write contracts, contract items, wallet journals and transactions as CSV in zip files.",
        discussion: """
            The original's data export: one zip per topic, named memberaudit-TOPIC-YYYYMMDD.zip, \
            holding one CSV file with a header line (times in UTC, names and places resolved where \
            known; an empty field is unknown). Topics: \
            \(DataExport.Topic.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")). \
            The command line exports every registered character (as an administrator); the web \
            page /exports, for users with exports_access, only the characters they may view.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Topics to export (default: all).")
    var topics: [DataExport.Topic] = []

    @Option(help: "The folder to write into (created if missing).")
    var output = "."

    @Option(help: "Only this character (repeatable).")
    var character: [Int64] = []

    @Flag(help: "Write plain .csv files instead of zip files.")
    var csv = false

    func run() async throws {
        let folder = URL(fileURLWithPath: self.output, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create \(self.output): \(error.localizedDescription)")
        }
        let topics = self.topics.isEmpty ? DataExport.Topic.allCases : self.topics
        let characters = self.character.isEmpty ? nil : self.character
        let plain = self.csv
        try await withReadModels(self.global) { database in
            let now = Date()
            for topic in topics {
                let started = Date()
                let file = folder.appending(path: topic.fileStem(at: now) + (plain ? ".csv" : ".zip"))
                let (size, rows) = try await database.pool.withConnection { connection -> (Int, Int) in
                    if plain { return try Self.writeCSV(topic, characters: characters, to: file, on: connection) }
                    let (archive, rows) = try DataExport.zip(topic, characters: characters, now: now, on: connection)
                    try Self.write(archive, to: file)
                    return (archive.count, rows)
                }
                print(
                    "wrote \(file.path): \(rows) rows, \(ByteCountFormatter.string(fromByteCount: Int64(size), countStyle: .file)) "
                        + "in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
                )
            }
        }
    }

    static func write(_ bytes: [UInt8], to file: URL) throws {
        do {
            try Data(bytes).write(to: file, options: .atomic)
        } catch {
            throw ValidationError("cannot write \(file.path): \(error.localizedDescription)")
        }
    }

    /// Streams the CSV into a file beside `file`, a megabyte at a time, then moves it into place.
    static func writeCSV(
        _ topic: DataExport.Topic,
        characters: [Int64]?,
        to file: URL,
        on connection: PostgresConnection
    ) throws -> (size: Int, rows: Int) {
        let partial = file.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw ValidationError("cannot write \(partial.path)")
        }
        let handle = try FileHandle(forWritingTo: partial)
        var buffer = [UInt8]()
        var size = 0
        do {
            let rows = try DataExport.csv(topic, characters: characters, on: connection) { chunk in
                buffer.append(contentsOf: chunk)
                if buffer.count >= 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    size += buffer.count
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: buffer)
            try handle.close()
            _ = try? FileManager.default.removeItem(at: file)
            try FileManager.default.moveItem(at: partial, to: file)
            return (size + buffer.count, rows)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }
}
