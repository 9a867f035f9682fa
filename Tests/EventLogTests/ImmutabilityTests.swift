import EventLog
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct ImmutabilityTests {
    static let forbidden = [
        "UPDATE eventlog.entries SET route_id = 1",
        "DELETE FROM eventlog.entries",
        "TRUNCATE eventlog.entries",
        "TRUNCATE eventlog.entries_000000",
        "UPDATE eventlog.entries_000000 SET route_id = 1",
        "DELETE FROM eventlog.entries_000000",
        "UPDATE eventlog.streams SET name = 'x'",
        "DELETE FROM eventlog.streams",
        "TRUNCATE eventlog.streams",
        "UPDATE eventlog.routes SET section = 'x'",
        "DELETE FROM eventlog.routes",
        "TRUNCATE eventlog.routes",
        // The view readers read cannot be written at all.
        "UPDATE eventlog.events SET section = 'x'",
        "DELETE FROM eventlog.events",
        "TRUNCATE eventlog.events",
        "UPDATE eventlog.payloads SET codec = 0",
        "DELETE FROM eventlog.payloads",
        "TRUNCATE eventlog.payloads",
        "UPDATE eventlog.appends SET event_count = 9",
        "DELETE FROM eventlog.appends",
        "TRUNCATE eventlog.appends",
    ]

    @Test("changing the log fails, even for its owner", arguments: forbidden)
    func changesFail(statement: String) async throws {
        try await TestDatabase.with { pool, _ in
            try await EventStore(pool: pool).append([fetched(1, "assets", "[1]"), fetched(2, "skills", "{}")])
            do {
                try await pool.withConnection { try $0.execute(statement) }
                Issue.record("\(statement) must fail")
            } catch let error as PostgresError {
                // TRUNCATE of the payloads is refused even earlier, by the events' foreign key.
                let refusals: Set<SQLState> = [
                    .appendOnlyViolation, SQLState(rawValue: "0A000"), SQLState(rawValue: "55000"),
                    SQLState(rawValue: "42809"),
                ]
                #expect(refusals.contains(error.sqlState!), "\(statement): \(error)")
            }
            let statistics = try await EventStore(pool: pool).statistics()
            #expect(statistics.events == 2)
            #expect(statistics.payloads == 2)
        }
    }

    @Test func theApplicationRoleMayOnlyAppendAndRead() async throws {
        try await TestDatabase.with { pool, conninfo in
            try await EventStore(pool: pool).append(fetched(1, "assets", "[1]"))
            let role = "app_\(UUID().uuidString.prefix(8).lowercased())"
            try await pool.withConnection { connection in
                try connection.executeScript("CREATE ROLE \(role) LOGIN IN ROLE memberaudit_app")
            }
            defer {
                Task {
                    try? await pool.withConnection { try $0.executeScript("DROP OWNED BY \(role); DROP ROLE \(role)") }
                }
            }
            let app = PostgresPool(conninfo: conninfo + " user=\(role)")
            defer { app.close() }
            let store = EventStore(pool: app)
            try await store.append(fetched(1, "assets", "[2]"))
            // A new stream and route: the role may add to the lookup tables.
            try await store.append(fetched(2, "skills", "{}"))
            let readBack = try await store.read(after: 0)
            #expect(readBack.count == 3)
            // Without the owner's trigger in the way, privileges alone refuse changes.
            for statement in [
                "UPDATE eventlog.entries SET route_id = 1", "DELETE FROM eventlog.payloads",
                "UPDATE eventlog.streams SET name = 'x'",
            ] {
                let error = await #expect(throws: PostgresError.self) {
                    try await app.withConnection { try $0.execute(statement) }
                }
                #expect(error?.sqlState == .insufficientPrivilege)
            }
        }
    }
}
