import ArgumentParser
import Projections
import Settings

struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete a removed character's events from the log for good (the one destructive command).",
        discussion: """
            Every other command keeps the event log as it is: removing a character deletes its read \
            models but keeps its events, so its history can still be audited. Purging deletes its \
            events, and the payloads no other event shares, permanently; its history is gone and no \
            rebuild brings it back. The character must be removed first. The purge itself is \
            recorded in eventlog.purges (stream, counts, time and database user). Needs a database \
            role that may delete from the log (the application role may not), and --yes.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The removed character's id (repeatable).")
    var character: [Int64] = []

    @Flag(help: "Confirm that the events are to be deleted permanently.")
    var yes = false

    func validate() throws {
        guard !self.character.isEmpty else { throw ValidationError("name a character with --character ID") }
        guard self.yes else {
            throw ValidationError("purging deletes events permanently; run again with --yes to confirm")
        }
    }

    func run() async throws {
        let settings = try self.global.settings()
        try await withMigratedDatabase(settings) { database in
            for id in self.character {
                let purged = try await CharacterRemoval.purge(id, pool: database.pool)
                print("purged character \(id): \(purged.events) events, \(purged.payloads) payloads deleted")
            }
        }
    }
}
