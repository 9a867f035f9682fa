import ArgumentParser
import Foundation
import LocalPostgres
import Postgres
import Settings

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "database",
        abstract: "Start, stop or inspect the embedded PostgreSQL server.",
        discussion: """
            Each command starts the embedded server when it is not running and stops it again when \
            it ends. To run many commands in a row without that cost, start it once with \
            'memberaudit database start' (commands then use it and leave it running) and stop it \
            with 'memberaudit database stop'. With MEMBERAUDIT_DATABASE_URL set there is no \
            embedded server: the configured one is used.
            """,
        subcommands: [StartDatabase.self, StopDatabase.self, DatabaseStatus.self]
    )
}

/// The embedded server of the settings' data folder, or an explanation why there is none.
private func embeddedServer(_ global: GlobalOptions) throws -> LocalPostgres {
    let settings = try global.settings()
    guard settings.databaseURL == nil else {
        throw ValidationError("MEMBERAUDIT_DATABASE_URL is set: that server is used, there is no embedded one")
    }
    return try LocalPostgres(
        dataDirectory: settings.dataDirectory,
        systemUser: settings.string("MEMBERAUDIT_PG_SYSTEM_USER") ?? "postgres",
        binDirectory: settings.string("MEMBERAUDIT_PG_BINDIR").map { URL(fileURLWithPath: $0) }
    )
}

struct StartDatabase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start the embedded server (creating it on first use) and leave it running."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let server = try embeddedServer(self.global)
        let started = try await runBlocking { try server.start() }
        print(
            "\(started ? "started" : "already running"): PostgreSQL in \(server.dataDirectory.path) "
                + "(socket in \(server.socketDirectory.path)); stop it with: memberaudit database stop"
        )
    }
}

struct StopDatabase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop the embedded server.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let server = try embeddedServer(self.global)
        let wasRunning = server.isRunning
        try await runBlocking { try server.stop() }
        print(wasRunning ? "stopped PostgreSQL in \(server.dataDirectory.path)" : "not running")
    }
}

struct DatabaseStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Whether the embedded server runs, and where."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let server = try embeddedServer(self.global)
        print("\(server.isRunning ? "running" : "not running"): PostgreSQL in \(server.dataDirectory.path)")
    }
}
