import Crypto
import Foundation
import Migrations
import Postgres
import Synchronization
import Universe

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
        // A migrated database is a copy of a template migrated, with the static data loaded, once
        // per server: loading the whole universe for each of hundreds of tests would take minutes.
        let template = migrate ? try await Self.template(base) : nil
        try await runBlocking {
            try PostgresConnection(conninfo: base + " dbname=postgres").executeScript(
                "CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? "")
            )
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

extension TestDatabase {
    private static let templateLock = Mutex<Task<String, any Error>?>(nil)

    /// The template's name: named after the migrations and the static data it holds, so a server
    /// that outlives a change of either never hands out a stale copy.
    private static func template(_ base: String) async throws -> String {
        let task = Self.templateLock.withLock { task in
            if let task { return task }
            let created = Task { try await Self.createTemplate(base) }
            task = created
            return created
        }
        return try await task.value
    }

    private static func createTemplate(_ base: String) async throws -> String {
        var hasher = SHA256()
        for migration in Migration.embedded { hasher.update(data: Data(migration.checksum.utf8)) }
        hasher.update(data: Data(UniverseVersion.shipped.checksum.utf8))
        let name = "template_" + hasher.finalize().prefix(8).hexEncoded
        try await runBlocking {
            let server = try PostgresConnection(conninfo: base + " dbname=postgres")
            // One test process per server builds it; another waits on the lock and reuses it.
            try server.execute("SELECT pg_advisory_lock(hashtext('memberaudit_test_template'))")
            defer { _ = try? server.execute("SELECT pg_advisory_unlock(hashtext('memberaudit_test_template'))") }
            let exists =
                try server.query("SELECT count(*) FROM pg_database WHERE datname = $1", [name])[0]
                .get(0, as: Int64.self) > 0
            guard !exists else { return }
            let building = name + "_building"
            try server.executeScript("DROP DATABASE IF EXISTS \(building) WITH (FORCE)")
            try server.executeScript("CREATE DATABASE \(building)")
            do {
                let connection = try PostgresConnection(conninfo: base + " dbname=\(building)")
                _ = try Migrator().migrate(connection)
                try UniverseLoader.ensureShippedLoaded(on: connection)
            }
            try server.executeScript("ALTER DATABASE \(building) RENAME TO \(name)")
        }
        return name
    }
}

package struct TestSetupError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
