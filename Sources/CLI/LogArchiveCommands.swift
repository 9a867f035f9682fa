import ArgumentParser
import Audit
import EventLog
import Foundation
import Postgres
import Projections
import Reports
import Settings
import Sync

struct LogPartitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions",
        abstract: "List the log's partitions: their positions, events and times, in the database or archived.",
        discussion: """
            The log's rows are kept in partitions of consecutive positions (10,000,000 each). A \
            partition is sealed once every position of it is written; sealed partitions can be \
            archived (memberaudit log archive) and restored (memberaudit log restore).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let partitions = try await withMigratedDatabase(try self.global.settings()) { database in
            try await database.pool.withConnection { try LogArchive.partitions(on: $0) }
        }
        if self.format == .json { return try printJSON(partitions) }
        var table = ReportTable(
            name: "",
            columns: ["partition", "positions", "events", "fetched from", "fetched to", "state"]
        )
        for partition in partitions {
            let state =
                partition.archived
                ? "archived to \(partition.location ?? "?")" : (partition.sealed ? "sealed" : "filling")
            table.add([
                partition.name, "\(partition.firstPosition)–\(partition.lastPosition)", "\(partition.events)",
                partition.firstFetchedAt.map { $0.formatted(.iso8601) } ?? "-",
                partition.lastFetchedAt.map { $0.formatted(.iso8601) } ?? "-", state,
            ])
        }
        print(table.text())
    }
}

struct LogArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Move sealed partitions of the log older than a date to files, verified, then out of the database.",
        discussion: """
            Every sealed partition whose newest event was recorded before --before is written to \
            DIR/entries_NNNNNN/: its rows (PostgreSQL binary COPY), the names of their streams and \
            routes, every payload they refer to (as LZ4 keyframes) and manifest.json with each \
            file's size and SHA-256. The files are read back in full (rows compared with the \
            database's, payloads decoded and hashed) and only then is the partition detached and \
            dropped, with the payloads no other event refers to, in one transaction recorded in \
            the log's history (eventlog.archive_history). A partition whose events a read model or \
            the audit index has not applied yet is refused unless --force. Afterwards `rebuild` \
            refuses until the partitions are restored (or --without-archived), and audit questions \
            about the archived period name the archive to restore (memberaudit log restore DIR). \
            Run it as the database's owner; appends wait during the final transaction (seconds). \
            Keep DIR on storage of its own and back it up: it is the only copy of those events.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Archive partitions whose newest event was recorded before this moment (a date, or -90d).")
    var before: String

    @Option(help: "The folder the archives are written to (created if missing).")
    var to: String

    @Flag(help: "Archive even partitions a read model or the audit index has not caught up with.")
    var force = false

    @Flag(help: "Only say which partitions would be archived.")
    var dryRun = false

    func validate() throws {
        if self.to.isEmpty { throw ValidationError("--to must name a folder") }
        _ = try AuditTime.parse(self.before)
    }

    func run() async throws {
        let before = try AuditTime.parse(self.before)
        let directory = URL(fileURLWithPath: self.to).standardizedFileURL
        try await withMigratedDatabase(try self.global.settings()) { database in
            try await database.pool.withConnection { connection in
                let partitions = try LogArchive.partitions(on: connection)
                let candidates = partitions.filter {
                    !$0.archived && $0.sealed && $0.events > 0 && ($0.lastRecordedAt ?? .distantFuture) < before
                }
                guard !candidates.isEmpty else {
                    let sealed = partitions.filter { !$0.archived && $0.sealed && $0.events > 0 }
                    let newest = sealed.compactMap(\.lastRecordedAt).min().map { $0.formatted(.iso8601) }
                    print(
                        "nothing to archive: "
                            + (newest.map { "the oldest sealed partition's newest event was recorded \($0)" }
                                ?? "no partition is sealed yet (the one being filled is never archived)")
                    )
                    return
                }
                let applied = try self.applied(on: connection)
                for partition in candidates {
                    let behind = applied.filter { $0.position < partition.lastPosition }
                    if !behind.isEmpty, !self.force {
                        throw EventLogError.refused(
                            "\(partition.name) is still needed: "
                                + behind.map { "\($0.name) has applied the log up to \($0.position)" }
                                .joined(separator: ", ")
                                + " (it ends at \(partition.lastPosition)); let the workers catch up "
                                + "(memberaudit project, memberaudit audit reindex) or pass --force"
                        )
                    }
                    if self.dryRun {
                        print(
                            "would archive \(partition.name): \(partition.events) events fetched "
                                + "\(partition.firstFetchedAt.map { $0.formatted(.iso8601) } ?? "-") to "
                                + "\(partition.lastFetchedAt.map { $0.formatted(.iso8601) } ?? "-")"
                        )
                        continue
                    }
                    printError("archiving \(partition.name) (\(partition.events) events) to \(directory.path) ...")
                    let keeping = try QueuedETags.payloads(on: connection) + AuditIndex.payloadsInUse(on: connection)
                    let outcome = try LogArchive.archive(
                        partition.name,
                        to: directory,
                        keeping: keeping,
                        forced: !behind.isEmpty,
                        on: connection
                    )
                    print(
                        "archived \(outcome.partition) to \(outcome.folder): \(outcome.events) events, "
                            + "\(outcome.payloads) payloads (\(outcome.payloadsMoved) left the database"
                            + (outcome.keyframed > 0 ? "; \(outcome.keyframed) others stored as keyframes" : "")
                            + ")"
                    )
                }
            }
        }
    }

    /// How far each read model and the audit index have applied the log.
    private func applied(on connection: PostgresConnection) throws -> [(name: String, position: Int64)] {
        let projectors = try connection.query("SELECT name, position FROM projection.projectors ORDER BY name")
            .map { (name: "read model " + (try $0.get(0, as: String.self)), position: try $0.get(1, as: Int64.self)) }
        return projectors + [("the audit index", try AuditIndex.lag(on: connection).indexed)]
    }
}

struct LogRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring archived partitions of the log back from their files.",
        discussion: """
            DIR is a folder `log archive` wrote (DIR/entries_NNNNNN/) or one partition's folder. \
            Every partition there that the log records as archived to those files is checked \
            (each file against the manifest, every payload decoded and hashed, the rows counted \
            and summed) and attached again in one transaction, recorded in the log's history. \
            Afterwards audit verify and rebuild see the whole log again.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The archive folder.")
    var directory: String

    func run() async throws {
        let folder = URL(fileURLWithPath: self.directory).standardizedFileURL
        let manager = FileManager.default
        var folders = [folder]
        let fromParent = !manager.fileExists(atPath: folder.appending(path: "manifest.json").path)
        if fromParent {
            let names = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            folders = names.filter { $0.hasPrefix("entries_") && !$0.hasSuffix(".partial") }.sorted().map {
                folder.appending(path: $0)
            }
            guard !folders.isEmpty else {
                throw ValidationError(
                    "\(folder.path) holds no archive of the log (no manifest.json, no entries_* folder)"
                )
            }
        }
        let partitionFolders = folders
        try await withMigratedDatabase(try self.global.settings()) { database in
            try await database.pool.withConnection { connection in
                let archived = Set(try LogArchive.archived(on: connection).map(\.name))
                var restored = 0
                for partition in partitionFolders {
                    // From a parent folder, only what the log misses (the rest is back already).
                    if fromParent, !archived.contains(partition.lastPathComponent) { continue }
                    printError("restoring \(partition.lastPathComponent) from \(partition.path) ...")
                    let outcome = try LogArchive.restore(from: partition, on: connection)
                    print(
                        "restored \(outcome.partition): \(outcome.events) events, \(outcome.payloads) payloads "
                            + "(\(outcome.payloadsMoved) came back into the database)"
                    )
                    restored += 1
                }
                if restored == 0 { print("nothing to restore: every partition in \(folder.path) is in the log") }
            }
        }
    }
}
