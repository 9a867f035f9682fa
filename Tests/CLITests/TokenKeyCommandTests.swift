import Foundation
import LocalPostgres
import TestSupport
import Testing

/// `memberaudit token-key rotate` end to end: the built binary against the built simulator.
@Suite struct TokenKeyCommandTests {
    @Test func rotateMovesTheStoredTokensAndTheSyncRunsOnTheNewKey() async throws {
        let (simulator, base, tokens) = try await startSimulator(characters: 2)
        defer { simulator.terminate() }
        let folder = FileManager.default.temporaryDirectory.appending(path: "token-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestDatabase.with { _, conninfo in
            let old = simulatorEnvironment(database: conninfo, simulator: base)
            for token in tokens.prefix(2) {
                let add = try await runMemberAudit(["characters", "add", "--refresh-token", token], environment: old)
                #expect(add.status == 0, "\(add.output)")
            }
            let newKey = try #require(try await runMemberAudit(["token-key"]).output.split(separator: "\n").first)
            let newKeyFile = folder.appending(path: "new.key")
            try Data(newKey.utf8).write(to: newKeyFile)
            let sameKeyFile = folder.appending(path: "same.key")
            try Data(try #require(old["MEMBERAUDIT_TOKEN_KEY"]).utf8).write(to: sameKeyFile)

            let same = try await runMemberAudit(
                ["token-key", "rotate", "--new-key-file", sameKeyFile.path],
                environment: old
            )
            #expect(same.status != 0 && same.output.contains("the new key is the old key"), "\(same.output)")

            let rotate = try await runMemberAudit(
                ["token-key", "rotate", "--new-key-file", newKeyFile.path],
                environment: old
            )
            #expect(rotate.status == 0, "\(rotate.output)")
            #expect(rotate.output.contains("re-sealed the tokens of 2 character(s)"), "\(rotate.output)")

            var new = old
            new["MEMBERAUDIT_TOKEN_KEY"] = String(newKey)
            let sync = try await runMemberAudit(["sync", "--force", "--section", "skills"], environment: new)
            #expect(sync.status == 0 && sync.output.contains("2 fetched"), "\(sync.output)")
            let stale = try await runMemberAudit(["sync", "--force", "--section", "skills"], environment: old)
            #expect(stale.output.contains("2 failed"), "the old key no longer opens them: \(stale.output)")

            let again = try await runMemberAudit(
                ["token-key", "rotate", "--old-key-file", sameKeyFile.path, "--new-key-file", newKeyFile.path],
                environment: new
            )
            #expect(again.status == 0 && again.output.contains("of 0 character(s)"), "\(again.output)")
            #expect(again.output.contains("2 already had it"), "\(again.output)")
        }
    }

    @Test func theHelpSaysHowToRotate() async throws {
        let help = try await runMemberAudit(["token-key", "rotate", "--help"])
        #expect(help.output.contains("--new-key-file") && help.output.contains("Stop the workers"), "\(help.output)")
    }
}
