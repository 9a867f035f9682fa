import ArgumentParser
import EventLog
import Foundation
import Postgres
import Settings

struct LogCompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Rebuild the indexes of sealed partitions of the log, packed (once each).",
        discussion: """
            A partition's index by stream, route and time fills its pages only half while rows \
            arrive; once the partition is sealed its indexes are rebuilt packed, a fifth to a third \
            smaller. \
            The rebuild is concurrent (syncing, projections and the web go on) and the workers run \
            it by themselves every ten minutes: this command is for doing it now, or for seeing what \
            is left (--dry-run). An interrupted rebuild is finished by the next run.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Only list the sealed partitions not compacted yet.")
    var dryRun = false

    func run() async throws {
        let dryRun = self.dryRun
        try await withMigratedDatabase(try self.global.settings()) { database in
            try await database.pool.withConnection { connection in
                let pending = try PartitionCompaction.pending(on: connection)
                guard !dryRun else {
                    print(pending.isEmpty ? "no sealed partition to compact" : pending.joined(separator: "\n"))
                    return
                }
                guard !pending.isEmpty else { return print("no sealed partition to compact") }
                let done = try PartitionCompaction.run(on: connection) { partition in
                    print("compacting \(partition) ...")
                }
                if done.isEmpty { return print("another process is compacting the log; nothing done") }
                for partition in done {
                    print(
                        String(
                            format: "%@: indexes %@ → %@ in %.1f s",
                            partition.partition,
                            formatBytes(partition.indexBytesBefore),
                            formatBytes(partition.indexBytesAfter),
                            partition.seconds
                        )
                    )
                }
            }
        }
    }
}
