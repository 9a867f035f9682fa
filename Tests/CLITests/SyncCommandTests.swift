import Foundation
import LocalPostgres
import Postgres
import TestSupport
import Testing

/// The sync commands end to end: the built `memberaudit` against the built `esi-simulator`.
@Suite struct SyncCommandTests {
    @Test func syncRefusesToStartWithoutATokenKey() async throws {
        try await TestDatabase.with { _, conninfo in
            let result = try await runMemberAudit(
                ["sync"],
                environment: [
                    "MEMBERAUDIT_DATABASE_URL": conninfo, "MEMBERAUDIT_TOKEN_KEY": "", "MEMBERAUDIT_TOKEN_KEY_FILE": "",
                ]
            )
            #expect(result.status != 0)
            #expect(result.output.contains("memberaudit token-key"), "\(result.output)")
        }
    }

    @Test func badArgumentsAreRefused() async throws {
        let result = try await runMemberAudit(["sync", "--section", "asets"])
        #expect(result.status != 0)
        #expect(result.output.contains("asets"))
        #expect(try await runMemberAudit(["characters", "--help"]).output.contains("notifications"))
    }

    @Test func addSyncAndReadTheStatistics() async throws {
        let (simulator, base, tokens) = try await startSimulator(characters: 2)
        defer { simulator.terminate() }
        try await TestDatabase.with { _, conninfo in
            let environment = simulatorEnvironment(database: conninfo, simulator: base)
            let add = try await runMemberAudit(
                ["characters", "add", "--refresh-token", tokens[0], "--user", "alice"],
                environment: environment
            )
            #expect(add.status == 0, "\(add.output)")
            #expect(add.output.contains("for user alice"))
            let list = try await runMemberAudit(["characters", "list", "--format", "json"], environment: environment)
            let characters = try #require(
                try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]]
            )
            #expect(characters.count == 1 && characters[0]["user"] as? String == "alice")

            let sync = try await runMemberAudit(["sync", "--format", "json"], environment: environment)
            #expect(sync.status == 0, "\(sync.output)")
            let json = try #require(
                sync.output.split(separator: "\n").drop { !$0.hasPrefix("{") }.joined(separator: "\n").data(
                    using: .utf8
                )
            )
            let summary = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            #expect(summary["fetched"] as? Int == 24, "\(summary)")
            #expect(sync.output.contains("progress:"), "plain progress lines when not on a terminal")

            let again = try await runMemberAudit(["sync"], environment: environment)
            #expect(again.output.contains("0 sections"), "nothing is due: \(again.output)")
            let stats = try await runMemberAudit(["stats"], environment: environment)
            #expect(
                stats.status == 0 && stats.output.contains("wallet_journal") && stats.output.contains("error limit"),
                "\(stats.output)"
            )

            let id = try #require(characters[0]["id"] as? Int)
            #expect(
                try await runMemberAudit(["characters", "disable", String(id)], environment: environment).status == 0
            )
            #expect(
                try await runMemberAudit(["sync", "--force"], environment: environment).output.contains("0 sections")
            )
            #expect(try await runMemberAudit(["characters", "remove", "42"], environment: environment).status != 0)
            #expect(
                try await runMemberAudit(["characters", "remove", String(id)], environment: environment).status == 0
            )
        }
    }
}

/// Settings for syncing from a simulator at `base` into the database `conninfo`: the simulator's
/// demo client and a fixed token key.
func simulatorEnvironment(database conninfo: String, simulator base: String) -> [String: String] {
    [
        "MEMBERAUDIT_DATABASE_URL": conninfo,
        "MEMBERAUDIT_TOKEN_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "MEMBERAUDIT_ESI_BASE_URL": base, "MEMBERAUDIT_SSO_BASE_URL": base,
        "MEMBERAUDIT_SSO_CLIENT_ID": "memberaudit-demo",
        "MEMBERAUDIT_SSO_CLIENT_SECRET": "memberaudit-demo-secret",
    ]
}

/// Starts the built `esi-simulator` on a free port; returns it, its base URL and refresh tokens.
/// `history` is the simulator's `--history`: brief unless a test needs a real character's volume.
/// The waits for its first line and its tokens happen on a dispatch thread: blocking one of the
/// suite's two cooperative threads for a simulator's start starves the in-process servers of the
/// tests running meanwhile.
func startSimulator(characters: Int, history: String = "brief") async throws -> (ChildProcess, String, [String]) {
    try await runBlocking { try startSimulatorBlocking(characters: characters, history: history) }
}

private func startSimulatorBlocking(characters: Int, history: String) throws -> (ChildProcess, String, [String]) {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let tokens = FileManager.default.temporaryDirectory.appending(path: "tokens-\(UUID().uuidString).json")
    let printed = Printed()
    let process = try ChildProcess(
        folder.appending(path: "esi-simulator").path,
        [
            "--port", "0", "--characters", String(characters), "--clock", "real", "--tokens-file", tokens.path,
            "--history", history,
        ],
        output: printed.destination
    )
    // The first line names the URL: "esi-simulator: serving N characters on http://127.0.0.1:PORT".
    let deadline = Date().addingTimeInterval(60)
    while !printed.text.contains("\n") && process.isRunning && Date() < deadline { usleep(10_000) }
    let line = printed.text.prefix { $0 != "\n" }
    let text = String(line)
    guard let range = text.range(of: "http://") else {
        process.terminate()
        throw TestSetupError("the simulator did not start: \(text)")
    }
    let base = String(text[range.lowerBound...].prefix { !$0.isWhitespace })
    for _ in 0..<100 where !FileManager.default.fileExists(atPath: tokens.path) { Thread.sleep(forTimeInterval: 0.05) }
    Thread.sleep(forTimeInterval: 0.1)
    let grants = try JSONSerialization.jsonObject(with: Data(contentsOf: tokens)) as? [[String: Any]] ?? []
    return (process, base, grants.compactMap { $0["refresh_token"] as? String })
}

/// The binary against a simulator of its own and a fresh database: `run` passes both.
struct CLISession: Sendable {
    let base: String
    let tokens: [String]
    let conninfo: String
    var environment: [String: String] { simulatorEnvironment(database: self.conninfo, simulator: self.base) }

    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await runMemberAudit(arguments, environment: self.environment)
    }
}

/// Runs `body` with a simulator of `characters` and a fresh database, stopping both after.
func withCLISession(
    characters: Int,
    history: String = "brief",
    _ body: @Sendable (CLISession) async throws -> Void
) async throws {
    let (simulator, base, tokens) = try await startSimulator(characters: characters, history: history)
    defer { simulator.terminate() }
    try await TestDatabase.with { _, conninfo in
        try await body(CLISession(base: base, tokens: tokens, conninfo: conninfo))
    }
}
