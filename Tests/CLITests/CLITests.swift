import EventLog
import Foundation
import LocalPostgres
import TestSupport
import Testing

/// Runs the built `memberaudit` binary, as a user would.
@Suite struct CLITests {
    @Test func helpExplainsEveryCommand() async throws {
        let top = try await runMemberAudit(["--help"])
        #expect(top.status == 0)
        for command in ["migrate", "log", "config"] { #expect(top.output.contains(command)) }
        let stats = try await runMemberAudit(["log", "stats", "--help"])
        #expect(stats.output.contains("compression ratio"))
        #expect(stats.output.contains("--format"))
    }

    @Test func migrateThenStatsAsJSON() async throws {
        try await TestDatabase.with(migrate: false) { pool, conninfo in
            let environment = ["MEMBERAUDIT_DATABASE_URL": conninfo]
            let migrate = try await runMemberAudit(["migrate"], environment: environment)
            #expect(migrate.status == 0, "\(migrate.output)")
            #expect(migrate.output.contains("applied 0001_event_log.sql"))
            #expect(try await runMemberAudit(["migrate"], environment: environment).output.contains("up to date"))

            let store = EventStore(pool: pool)
            let time = Date()
            try await store.append(
                NewEvent(
                    stream: .character(90_000_001),
                    section: "assets",
                    route: "/characters/{character_id}/assets",
                    outcome: .fetched,
                    httpStatus: 200,
                    fetchedAt: time,
                    payload: .bytes(Array("[]".utf8))
                )
            )
            try await store.append(
                NewEvent(
                    stream: .character(90_000_001),
                    section: "assets",
                    route: "/characters/{character_id}/assets",
                    outcome: .failed,
                    httpStatus: 503,
                    fetchedAt: time,
                    payload: .none
                )
            )
            let stats = try await runMemberAudit(["log", "stats", "--format", "json"], environment: environment)
            #expect(stats.status == 0, "\(stats.output)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any])
            let sections = try #require(json["sections"] as? [String: [String: Any]])
            #expect(sections["assets"]?["fetched"] as? Int == 1)
            #expect(sections["assets"]?["failed"] as? Int == 1)
            #expect(json["events"] as? Int == 2)

            let table = try await runMemberAudit(["log", "stats"], environment: environment)
            #expect(table.output.contains("assets"))
            #expect(table.output.contains("compression ratio"))
        }
    }

    @Test func anUnreachableServerIsAClearErrorAndAFailure() async throws {
        let result = try await runMemberAudit(
            ["log", "stats"],
            environment: ["MEMBERAUDIT_DATABASE_URL": "host=/nonexistent/socket connect_timeout=2"]
        )
        #expect(result.status != 0)
        #expect(result.output.contains("cannot connect to PostgreSQL"))
    }

    @Test func theSimulatorStartsFromEitherCommandWritesTokensAndStopsOnSIGTERM() async throws {
        let help = try await runMemberAudit(["simulator", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("--tokens-file"))

        let tokens = FileManager.default.temporaryDirectory.appending(path: "tokens-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: tokens) }
        let (process, _) = try BuiltProgram.launch(
            ["--port", "0", "--characters", "3", "--clock", "manual", "--tokens-file", tokens.path],
            program: "esi-simulator"
        )
        defer { if process.isRunning { process.terminate() } }
        var waited = 0
        while !FileManager.default.fileExists(atPath: tokens.path) && waited < 300 {
            usleep(50_000)
            waited += 1
        }
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: tokens)) as? [[String: Any]])
        #expect(entries.count == 3)
        #expect(
            entries.allSatisfy {
                ($0["refresh_token"] as? String)?.count == 24 && ($0["scopes"] as? [String])?.isEmpty == false
            }
        )
        process.terminate()  // SIGTERM: a graceful stop
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
    }

    @Test func simulatorArgumentsAreChecked() async throws {
        let result = try await runMemberAudit(["simulator", "--clock", "sometimes"])
        #expect(result.status != 0)
        #expect(result.output.contains("--clock must be real, manual or fast:FACTOR"))
    }

    @Test func tokenKeyPrintsAFreshKey() async throws {
        let first = try await runMemberAudit(["token-key"])
        let second = try await runMemberAudit(["token-key"])
        #expect(first.status == 0)
        let key = first.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Data(base64Encoded: key)?.count == 32)
        #expect(key != second.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func configNeverPrintsSecrets() async throws {
        let result = try await runMemberAudit(
            ["config"],
            environment: ["MEMBERAUDIT_TOKEN_KEY": "c2VjcmV0LXZhbHVlLWhlcmU="]
        )
        #expect(result.status == 0)
        #expect(!result.output.contains("c2VjcmV0LXZhbHVlLWhlcmU="))
        #expect(result.output.contains("MEMBERAUDIT_TOKEN_KEY"))
    }

    @Test func badArgumentsAreRefused() async throws {
        let result = try await runMemberAudit(["log", "stats", "--format", "xml"])
        #expect(result.status != 0)
        #expect(result.output.contains("xml"))
    }
}

/// Runs the built `memberaudit` to its end: its exit status and what it printed.
func runMemberAudit(
    _ arguments: [String],
    environment: [String: String] = [:]
) async throws -> (status: Int32, output: String) {
    let run = try await BuiltProgram.run(arguments, environment: environment)
    return (run.status, run.output)
}

/// Runs the built `memberaudit` in `directory`, killing it after `timeout` seconds.
func runMemberAudit(
    _ arguments: [String],
    environment: [String: String],
    directory: URL,
    timeout: TimeInterval
) async throws -> (ending: BuiltProgram.Ending, output: String) {
    let run = try await BuiltProgram.run(arguments, environment: environment, directory: directory, timeout: timeout)
    return (run.ending, run.output)
}
