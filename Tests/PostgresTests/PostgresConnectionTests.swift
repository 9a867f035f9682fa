import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresConnectionTests {
    @Test func transactionRollsBackWhenBodyThrows() async throws {
        struct Boom: Error {}
        try await TestDatabase.with(migrate: false) { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE t (id int PRIMARY KEY)") }
            await #expect(throws: Boom.self) {
                try await pool.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES (1)")
                    throw Boom()
                }
            }
            let count = try await pool.withConnection { try $0.query("SELECT count(*) FROM t")[0].get(0, as: Int.self) }
            #expect(count == 0)
        }
    }

    @Test func serverErrorsCarrySQLStateAndDoNotLeakValues() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE t (secret text PRIMARY KEY)") }
            _ = try await pool.withConnection { try $0.execute("INSERT INTO t VALUES ($1)", ["hunter2"]) }
            do {
                _ = try await pool.withConnection { try $0.execute("INSERT INTO t VALUES ($1)", ["hunter2"]) }
                Issue.record("a duplicate key must fail")
            } catch let error as PostgresError {
                #expect(error.sqlState == .uniqueViolation)
                #expect(error.code == .server)
                #expect(!error.description.contains("hunter2"))
                #expect(error.debugDescription.contains("hunter2"))  // the DETAIL, for debugging only
            }
        }
    }

    @Test func copyInLoadsRowsInBinaryFormat() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let copied = try await pool.withConnection { connection in
                try connection.executeScript("CREATE TABLE t (id bigint, name text, data bytea, at timestamptz)")
                return try connection.copyIn("COPY t (id, name, data, at) FROM STDIN (FORMAT binary)") { writer in
                    for index in 0..<5000 {
                        try writer.append(
                            [
                                Int64(index), index % 7 == 0 ? nil : "name \(index)", ByteA([UInt8(index % 256)]),
                                Date(timeIntervalSince1970: Double(index)),
                            ] as [any PostgresEncodable]
                        )
                    }
                }
            }
            #expect(copied == 5000)
            let row = try await pool.withConnection {
                try $0.query("SELECT count(*), count(name), sum(id), max(at) FROM t")[0]
            }
            #expect(try row.get(0, as: Int.self) == 5000)
            #expect(try row.get(1, as: Int.self) == 5000 - 715)
            #expect(try row.get(2, as: Int.self) == 4999 * 5000 / 2)
            #expect(try row.get(3, as: Date.self) == Date(timeIntervalSince1970: 4999))
        }
    }

    @Test func badCopyDataIsRejectedAndConnectionStaysUsable() async throws {
        try await TestDatabase.with(migrate: false, maxConnections: 1) { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE t (id int NOT NULL)") }
            await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    try connection.copyIn("COPY t (id) FROM STDIN (FORMAT binary)") { writer in
                        try writer.append([Int32?.none])
                    }
                }
            }
            let one = try await pool.withConnection { try $0.query("SELECT 1")[0].get(0, as: Int.self) }
            #expect(one == 1)
        }
    }

    @Test func cancellingTheTaskCancelsTheRunningStatement() async throws {
        try await TestDatabase.with(migrate: false, maxConnections: 1) { pool, _ in
            let started = ContinuousClock.now
            let task = Task { try await pool.withConnection { try $0.query("SELECT pg_sleep(30)") } }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - started < .seconds(20))
            guard case .failure(let error as PostgresError) = result else {
                Issue.record("expected a PostgresError, got \(result)")
                return
            }
            #expect(error.code == .cancelled)
            // The connection is still fine for the next body.
            let one = try await pool.withConnection { try $0.query("SELECT 1")[0].get(0, as: Int.self) }
            #expect(one == 1)
        }
    }

    @Test func poolNeverOpensMoreThanItsLimit() async throws {
        try await TestDatabase.with(migrate: false, maxConnections: 3) { pool, _ in
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            try connection.query("SELECT pg_sleep(0.01)")
                            return try connection.query("SELECT pg_backend_pid()")[0].get(0, as: Int.self)
                        }
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(pids.count <= 3)
        }
    }

    @Test func serverDownGivesAClearMessage() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(conninfo: "host=/nonexistent/socket/dir dbname=postgres connect_timeout=2")
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.description.contains("cannot connect to PostgreSQL") == true)
        #expect(error?.description.contains("No such file or directory") == true)
    }

    @Test func unknownRoleGivesAClearMessage() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(conninfo: "user=no_such_role_here dbname=postgres")
        }
        #expect(error?.description.contains("no_such_role_here") == true)
    }

    @Test func wrongPasswordGivesAClearMessage() async throws {
        // Password authentication over loopback TCP needs a role with a password and a pg_hba rule;
        // the throwaway cluster of tools/test provides both (see tools/test).
        guard let port = ProcessInfo.processInfo.environment["MEMBERAUDIT_TEST_TCP_PORT"] else {
            throw TestSetupError("MEMBERAUDIT_TEST_TCP_PORT is not set: run the tests with tools/test")
        }
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(
                conninfo: "host=127.0.0.1 port=\(port) user=memberaudit_test password=wrong-password dbname=postgres"
            )
        }
        #expect(error?.description.contains("password authentication failed") == true)
        #expect(error?.description.contains("wrong-password") == false)
    }
}
