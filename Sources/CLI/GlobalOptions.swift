import ArgumentParser
import Settings

/// Options every command that touches the database accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file of NAME=value lines (default: $MEMBERAUDIT_CONFIG).")
    var config: String?

    func settings() throws -> Settings {
        try Settings.load(configFile: self.config)
    }
}

/// Output formats of the reading commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

/// Opens the database, runs `body`, and closes it (stopping an embedded server this process started).
func withDatabase<T>(_ settings: Settings, _ body: (Database) async throws -> T) async throws -> T {
    let database = try await Database.open(settings)
    do {
        let value = try await body(database)
        try database.close()
        return value
    } catch {
        try? database.close()
        throw error
    }
}
