import Foundation
import LocalPostgres
import Postgres

/// The database a command works on: the configured server, or the embedded one in the data folder.
///
/// ``open(_:)`` starts the embedded server if it is not running; ``close()`` stops it again if
/// this process started it, so a command leaves the machine as it found it.
public final class Database: Sendable {
    public let pool: PostgresPool
    /// The embedded server, when no database is configured.
    public let embedded: LocalPostgres?
    private let startedHere: Bool

    private init(pool: PostgresPool, embedded: LocalPostgres?, startedHere: Bool) {
        self.pool = pool
        self.embedded = embedded
        self.startedHere = startedHere
    }

    /// Connects to the configured server or starts the embedded one, and checks the connection.
    ///
    /// The embedded server is first simply connected to: when it runs (the usual case) a command
    /// spawns nothing (`runuser … test -w` and `pg_ctl status` as the server's user cost about
    /// 8 ms of CPU per command) and opens no second connection. Only when that fails is it created, started or given its
    /// database.
    public static func open(_ settings: Settings) async throws -> Database {
        let poolSize = try settings.integer("MEMBERAUDIT_DB_POOL_SIZE", default: 8, in: 1...256)
        var embedded: LocalPostgres?
        let conninfo: String
        if let url = settings.databaseURL {
            conninfo = url
        } else {
            let local = try LocalPostgres(
                dataDirectory: settings.dataDirectory,
                systemUser: settings.string("MEMBERAUDIT_PG_SYSTEM_USER") ?? "postgres",
                binDirectory: settings.string("MEMBERAUDIT_PG_BINDIR").map { URL(fileURLWithPath: $0) }
            )
            embedded = local
            conninfo = local.conninfo + " application_name='\(Self.applicationName)'"
        }
        let pool = PostgresPool(conninfo: conninfo, maxConnections: poolSize)
        var startedHere = false
        do {
            _ = try await pool.withConnection { $0.serverVersion }
        } catch {
            guard let local = embedded else {
                pool.close()
                throw error
            }
            // Not running, not created yet, or without its database: bring it up and try again.
            do {
                startedHere = try await runBlocking { try local.start() }
                _ = try await pool.withConnection { $0.serverVersion }
            } catch {
                pool.close()
                if startedHere { try? local.stop() }
                throw error
            }
        }
        return Database(pool: pool, embedded: embedded, startedHere: startedHere)
    }

    /// Closes the pool and stops the embedded server if this process started it. Blocks while the
    /// server shuts down.
    public func close() throws {
        self.pool.close()
        guard self.startedHere, let embedded = self.embedded else { return }
        // Another process may have come to use the server this one started (a command beside
        // `memberaudit run`, or the next `run` while this one stopped): stopping it would cut
        // that process off. The server is then left running; `memberaudit database stop` stops it.
        if embedded.hasOtherClients(than: Self.applicationName) == true { return }
        try embedded.stop()
    }

    /// How this process's sessions on the embedded server are named, to tell them from others'.
    private static let applicationName = "memberaudit-\(ProcessInfo.processInfo.processIdentifier)"
}
