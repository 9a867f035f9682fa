import ArgumentParser
import Migrations
import Postgres
import Settings

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the database schema.",
        discussion: """
            Applies the numbered migrations built into this program (schema/*.sql), in order, each in \
            its own transaction, and records them in public.schema_migrations. Running it again \
            applies nothing. A failed migration leaves the database as it was and names the file, \
            statement and line that failed.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "List the migrations and whether each is applied, without applying any.")
    var status = false

    func run() async throws {
        let settings = try self.global.settings()
        try await withDatabase(settings) { database in
            let migrator = Migrator()
            if self.status {
                let applied = Set(try await database.pool.withConnection { try migrator.appliedVersions($0) })
                for migration in migrator.known {
                    print("\(applied.contains(migration.version) ? "applied" : "pending")  \(migration.name)")
                }
                return
            }
            let report = try await database.pool.withConnection { try migrator.migrate($0) }
            for name in report.applied { print("applied \(name)") }
            if report.applied.isEmpty {
                print("up to date (\(report.alreadyApplied) migrations already applied)")
            }
        }
    }
}
