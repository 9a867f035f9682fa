import Foundation
import Migrations
import Postgres

/// A fresh, migrated database on the test server, dropped when the test body ends.
///
/// The server comes from libpq's `PG*` variables, which `tools/test` sets for the throwaway
/// cluster it starts. Without them tests fail (they must not pass by skipping).
package enum TestDatabase {
    /// The server's connection settings, or a failure telling how to run the tests.
    package static func serverConninfo() throws -> String {
        guard let host = ProcessInfo.processInfo.environment["PGHOST"], !host.isEmpty else {
            throw TestSetupError(
                "PGHOST is not set: run the tests with tools/test, which starts a throwaway PostgreSQL server"
            )
        }
        return ""
    }

    /// Runs `body` with a pool on a new database; `migrate: false` leaves it empty.
    package static func with<T: Sendable>(
        migrate: Bool = true,
        maxConnections: Int = 4,
        _ body: (PostgresPool, String) async throws -> T
    ) async throws -> T {
        let base = try serverConninfo()
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await runBlocking {
            try PostgresConnection(conninfo: base + " dbname=postgres").executeScript("CREATE DATABASE \(name)")
        }
        let drop: @Sendable () async throws -> Void = {
            try await runBlocking {
                try PostgresConnection(conninfo: base + " dbname=postgres")
                    .executeScript("DROP DATABASE \(name) WITH (FORCE)")
            }
        }
        let conninfo = base + " dbname=\(name)"
        let pool = PostgresPool(conninfo: conninfo, maxConnections: maxConnections)
        do {
            if migrate { _ = try await pool.withConnection { try Migrator().migrate($0) } }
            let value = try await body(pool, conninfo)
            pool.close()
            try await drop()
            return value
        } catch {
            pool.close()
            try? await drop()
            throw error
        }
    }
}

package struct TestSetupError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
