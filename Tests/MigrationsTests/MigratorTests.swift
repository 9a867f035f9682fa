import Migrations
import Postgres
import TestSupport
import Testing

@testable import Migrations

@Suite struct MigratorTests {
    @Test func rerunningIsANoOp() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let first = try await pool.withConnection { try Migrator().migrate($0) }
            #expect(first.applied == Migration.embedded.map(\.name))
            let second = try await pool.withConnection { try Migrator().migrate($0) }
            #expect(second.applied.isEmpty)
            #expect(second.alreadyApplied == Migration.embedded.count)
        }
    }

    @Test func failedMigrationLeavesTheDatabaseAsItWasAndSaysWhere() async throws {
        let good = Migration(version: 1, name: "0001_good.sql", sql: "CREATE TABLE good (id int);")
        let bad = Migration(
            version: 2,
            name: "0002_bad.sql",
            sql: "CREATE TABLE half (id int);\n\nINSERT INTO half VALUES (1);\nINSERT INTO missing_table VALUES (1);\n"
        )
        try await TestDatabase.with(migrate: false) { pool, _ in
            do {
                _ = try await pool.withConnection { try Migrator(migrations: [good, bad]).migrate($0) }
                Issue.record("the bad migration must fail")
            } catch let error as MigrationError {
                #expect(error.file == "0002_bad.sql")
                #expect(error.statementNumber == 3)
                #expect(error.line == 4)
                #expect(error.description.contains("missing_table"))
            }
            let tables = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT to_regclass('good') IS NOT NULL, to_regclass('half') IS NOT NULL"
                )[0]
            }
            #expect(try tables.get(0, as: Bool.self))  // the first migration stays applied
            #expect(try tables.get(1, as: Bool.self) == false)  // nothing of the failed one remains
            let versions = try await pool.withConnection { try Migrator().appliedVersions($0) }
            #expect(versions == [1])
        }
    }

    @Test func anEditedAppliedMigrationIsRefused() async throws {
        let original = Migration(version: 1, name: "0001_a.sql", sql: "CREATE TABLE a (id int);")
        let edited = Migration(version: 1, name: "0001_a.sql", sql: "CREATE TABLE a (id bigint);")
        try await TestDatabase.with(migrate: false) { pool, _ in
            _ = try await pool.withConnection { try Migrator(migrations: [original]).migrate($0) }
            await #expect(throws: MigrationError.self) {
                _ = try await pool.withConnection { try Migrator(migrations: [edited]).migrate($0) }
            }
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await TestDatabase.with(migrate: false, maxConnections: 4) { pool, _ in
            let reports = try await withThrowingTaskGroup(of: MigrationReport.self) { group in
                for _ in 0..<4 { group.addTask { try await pool.withConnection { try Migrator().migrate($0) } } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.map(\.applied.count).reduce(0, +) == Migration.embedded.count)
        }
    }
}
