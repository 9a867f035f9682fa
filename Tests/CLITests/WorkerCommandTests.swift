import Foundation
import FoundationNetworking
import LocalPostgres
import Postgres
import Synchronization
import TestSupport
import Testing

/// `memberaudit worker` and `sync` as service groups: on SIGTERM they stop claiming, finish what
/// is in flight, make a last catch-up and exit 0.
@Suite struct WorkerCommandTests {
    @Test func aWorkerSyncsAndStopsGracefullyOnSIGTERM() async throws {
        try await withCLISession(characters: 1) { session in
            let add = try await session.run(["characters", "add", "--refresh-token", session.tokens[0]])
            #expect(add.status == 0, "\(add.output)")
            let list = try await session.run(["characters", "list", "--format", "json"])
            let characters = try #require(
                try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]]
            )
            let id = try #require(characters.first?["id"] as? Int)

            let (process, printed) = try launchMemberAudit(["worker"], environment: session.environment)
            defer { if process.isRunning { process.terminate() } }

            // Every section of the character synced and projected by the running worker.
            var synced = false
            // Polled twice a second: each look is a process of its own, and the suite runs beside it.
            for _ in 0..<240 where !synced {
                try await Task.sleep(for: .milliseconds(500))
                let show = try await session.run(["show", String(id), "--section", "skills", "--format", "json"])
                synced = show.status == 0 && show.output.contains("\"skill_id\"")
            }
            #expect(synced, "the worker did not sync: \(printed.text)")

            process.terminate()  // SIGTERM: a graceful stop
            for _ in 0..<300 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            let text = printed.text
            #expect(!process.isRunning && process.terminationReason == .exit, "\(text)")
            #expect(process.terminationStatus == 0, "\(text)")
            #expect(text.contains("finishing the sections in flight") && text.contains("worker stopped."), "\(text)")
        }
    }

    @Test func aPassStoppedBySIGTERMFinishesWhatIsInFlight() async throws {
        try await withCLISession(characters: 1) { session in
            let add = try await session.run(["characters", "add", "--refresh-token", session.tokens[0]])
            #expect(add.status == 0, "\(add.output)")
            // Every ESI answer takes 3 s: a signal after one lands while the sections are in flight.
            var slow = URLRequest(url: URL(string: session.base + "/_sim/faults")!)
            slow.httpMethod = "POST"
            slow.httpBody = Data(#"{"latency_ms": 3000}"#.utf8)
            _ = try await URLSession.shared.data(for: slow)

            let (process, printed) = try launchMemberAudit(
                ["sync", "--force", "--no-project"],
                environment: session.environment
            )
            defer { if process.isRunning { process.terminate() } }
            // The signal goes once the pass holds its sections (claimed in the queue), not after a
            // fixed wait: beside the whole suite, starting the process may take longer than one.
            let database = try PostgresConnection(conninfo: session.conninfo)
            var claimed: Int64 = 0
            for _ in 0..<600 where claimed == 0 && process.isRunning {
                try await Task.sleep(for: .milliseconds(50))
                claimed = try database.query("SELECT count(*) FROM sync.work WHERE lease_owner IS NOT NULL")[0].get(0)
            }
            #expect(
                claimed > 0 && process.isRunning,
                "the pass did not start or ended before the signal: \(printed.text)"
            )
            process.terminate()
            // What is in flight finishes first: with 3 s an answer, a section with dependent fetches
            // (mail bodies, contract items) takes tens of seconds.
            for _ in 0..<1200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            let text = printed.text
            #expect(
                !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 0,
                "\(text)"
            )
            #expect(text.contains("finishing the sections in flight") && text.contains("sections:"), "\(text)")
        }
    }
}

/// Starts the built `memberaudit` in the background, collecting what it prints.
func launchMemberAudit(_ arguments: [String], environment: [String: String]) throws -> (ChildProcess, Printed) {
    try BuiltProgram.launch(arguments, environment: environment)
}
