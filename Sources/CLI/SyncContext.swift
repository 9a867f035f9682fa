import Foundation
import Migrations
import Postgres
import Settings
import Sync
import TokenVault

/// What the sync commands need: settings, the token key (refused before anything starts when
/// missing) and a migrated database.
struct SyncContext {
    let settings: Settings
    let sync: SyncSettings
    let cipher: TokenCipher

    init(_ global: GlobalOptions) throws {
        self.settings = try global.settings()
        self.sync = try SyncSettings.load(from: self.settings)
        let key = try TokenCipher.key(
            token: self.settings.string("MEMBERAUDIT_TOKEN_KEY"),
            file: self.settings.string("MEMBERAUDIT_TOKEN_KEY_FILE")
        )
        self.cipher = try TokenCipher(key: key)
    }

    func withMigratedDatabase<T>(_ body: (Database) async throws -> T) async throws -> T {
        try await CLI.withMigratedDatabase(self.settings, body)
    }
}

/// Opens the database, applies pending migrations (they are idempotent and serialised), runs `body`.
func withMigratedDatabase<T>(_ settings: Settings, _ body: (Database) async throws -> T) async throws -> T {
    try await withDatabase(settings) { database in
        let report = try await database.pool.withConnection { try Migrator().migrate($0) }
        for name in report.applied { printError("applied migration \(name)") }
        return try await body(database)
    }
}

/// Opens the migrated database with its read models current (built first where missing or
/// changed, with progress), and runs `body`: what every command that reads them starts with.
func withReadModels<T>(_ global: GlobalOptions, _ body: (Database) async throws -> T) async throws -> T {
    try await withMigratedDatabase(try global.settings()) { database in
        try await prepareReadModels(database.pool)
        return try await body(database)
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Prints `value` as indented JSON with sorted keys and ISO 8601 dates.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
