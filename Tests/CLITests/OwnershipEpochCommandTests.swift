import Foundation
import TestSupport
import Testing

/// A character sold and added again from the buyer's account, through the binary: a new
/// ownership epoch, which `audit timeline` prints, and the buyer's registration.
@Suite struct OwnershipEpochCommandTests {
    @Test func aSaleStartsAnEpochThatTheTimelineShows() async throws {
        try await withCLISession(characters: 1) { session in
            let (base, tokens, run) = (session.base, session.tokens, session.run)
            #expect(try await run(["characters", "add", "--refresh-token", tokens[0], "--user", "seller"]).status == 0)
            #expect(try await run(["sync"]).status == 0)
            let list = try await run(["characters", "list", "--format", "json"])
            let id = try #require(
                (try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]])?.first?["id"]
                    as? Int
            )

            // Sold in game; the buyer's account adds it with a token of its own.
            _ = try curl(base + "/_sim/characters/\(id)/transfer", body: "{}")
            let grant = try curl(base + "/_sim/tokens", body: "{\"character_id\": \(id), \"scopes\": \"all\"}")
            let token = try #require(
                (try JSONSerialization.jsonObject(with: Data(grant.utf8)) as? [String: Any])?["refresh_token"]
                    as? String
            )
            let added = try await run(["characters", "add", "--refresh-token", token, "--user", "buyer"])
            #expect(added.status == 0, "\(added.output)")
            let owners = try await run(["characters", "list", "--format", "json"])
            #expect(owners.output.contains("\"user\":\"buyer\"") || owners.output.contains("\"user\" : \"buyer\""))
            #expect(try await run(["sync"]).status == 0)

            let timeline = try await run(["audit", "timeline", String(id)])
            #expect(timeline.status == 0 && timeline.output.contains("owner changed"), "\(timeline.output.suffix(600))")
            #expect(try await run(["rebuild", "--verify"]).status == 0)
        }
    }
}

/// POSTs JSON with curl; returns the body.
private func curl(_ url: String, body: String) throws -> String {
    let run = try BuiltProgram.run(
        executable: URL(fileURLWithPath: "/usr/bin/curl"),
        ["-sS", "-X", "POST", "-H", "Content-Type: application/json", "-d", body, url],
        keepErrors: false
    )
    guard run.status == 0 else { throw TestSetupError("curl \(url) failed") }
    return run.output
}
