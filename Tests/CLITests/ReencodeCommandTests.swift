import EventLog
import Foundation
import LocalPostgres
import Postgres
import TestSupport
import Testing

/// `memberaudit log reencode` killed midway loses nothing, and the next run goes on from where it
/// stopped.
@Suite struct ReencodeCommandTests {
    @Test(.timeLimit(.minutes(10)))
    func aRunKilledMidwayLosesNothingAndTheNextGoesOn() async throws {
        try await TestDatabase.with { pool, conninfo in
            let store = EventStore(pool: pool, maximumChain: 0)
            var bodies = [[UInt8]]()
            for version in 0..<4 {
                for character in 1...30 {
                    let body = Array(
                        (0..<300).map {
                            "{\"item_id\":\($0),\"type_id\":\(34 + ($0 + version) % 9),\"owner\":\(character)}"
                        }
                        .joined(separator: ",").utf8
                    )
                    bodies.append(body)
                    try await store.append(
                        NewEvent(
                            stream: .character(Int64(character)),
                            section: "assets",
                            route: "/characters/{character_id}/assets",
                            outcome: .fetched,
                            httpStatus: 200,
                            fetchedAt: Date(),
                            payload: .bytes(body)
                        )
                    )
                }
            }
            let environment = ["MEMBERAUDIT_DATABASE_URL": conninfo]
            let (process, printed) = try launchMemberAudit(
                ["log", "reencode", "--maximum-chain", "8", "--pause", "100"],
                environment: environment
            )
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            // Killed without warning once a few streams are done.
            func checkpointed() async throws -> Int64 {
                try await pool.withConnection { connection in
                    try connection.query(
                        "SELECT count(*) FROM eventlog.reencodings WHERE last_stream IS NOT NULL AND finished_at IS NULL"
                    )[0].get(0, as: Int64.self)
                }
            }
            let deadline = Date().addingTimeInterval(60)
            while try await checkpointed() == 0 && Date() < deadline && process.isRunning {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(250))
            #expect(process.isRunning, "the run ended before it could be killed: \(printed.text)")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let done = try await pool.withConnection { connection in
                try connection.query("SELECT last_stream FROM eventlog.reencodings WHERE finished_at IS NULL")[0]
                    .get(0, as: String?.self)
            }
            #expect(done != nil && done != "character:9", "killed midway: \(String(describing: done))")
            // Nothing lost: every payload reads back, verified.
            let readBack = try await EventStore(pool: pool).payloads(bodies.map { PayloadHash(of: $0) }, verify: true)
            #expect(readBack.count == bodies.count)

            let second = try await runMemberAudit(
                ["log", "reencode", "--maximum-chain", "8"],
                environment: environment
            )
            #expect(second.status == 0, "\(second.output)")
            #expect(second.output.contains("(resumed)"), "\(second.output)")
            let state = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT count(*) FILTER (WHERE finished_at IS NULL), count(*),
                           (SELECT count(*) FROM eventlog.payloads WHERE codec = 2)
                    FROM eventlog.reencodings
                    """
                )[0]
            }
            #expect(try state.get(0, as: Int64.self) == 0 && state.get(1, as: Int64.self) == 1)
            #expect(try state.get(2, as: Int64.self) == 30 * 3)
            let verified = try await runMemberAudit(["audit", "verify"], environment: environment)
            #expect(verified.status == 0, "\(verified.output)")
            let again = try await EventStore(pool: pool).payloads(bodies.map { PayloadHash(of: $0) }, verify: true)
            #expect(zip(bodies, bodies.map { again[PayloadHash(of: $0)] }).allSatisfy { $0 == $1 })
        }
    }
}
