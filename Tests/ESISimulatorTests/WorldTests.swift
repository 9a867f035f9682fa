import Foundation
import StaticData
import Testing

@testable import ESISimulator

@Suite struct WorldTests {
    @Test func sameSeedAndClockGiveTheSameBytes() throws {
        let paths = [
            "assets", "skills", "skillqueue", "wallet", "wallet/journal", "mail", "contracts", "location", "clones",
        ]
        func snapshot(seed: UInt64) throws -> [[UInt8]] {
            let harness = try Harness(seed: seed, characters: 5)
            var bodies = [[UInt8]]()
            for step in 0..<3 {
                harness.advance(Double(step) * 7_200 + 1)
                bodies += paths.map { harness.get("/characters/\(harness.character)/\($0)").body }
                bodies.append(harness.get("/characters/\(harness.character)", authorized: false).body)
            }
            return bodies
        }
        #expect(try snapshot(seed: 42) == snapshot(seed: 42))
        #expect(try snapshot(seed: 42) != snapshot(seed: 43))
    }

    @Test func skillsTrainByTheSPFormulaAndFinishInQueueOrder() throws {
        let harness = try Harness()
        let c = harness.character
        let queue = harness.get("/characters/\(c)/skillqueue").json as! [[String: Any]]
        try #require(queue.count >= 2)
        let attributes = harness.get("/characters/\(c)/attributes").json as! [String: Any]
        let first = queue[0]
        let skill = try #require(StaticData.shipped.skills[first["skill_id"] as! Int])
        let level = first["finished_level"] as! Int
        #expect(first["level_end_sp"] as? Int == SkillMath.skillPoints(forLevel: level, rank: skill.rank!))
        // Finish − start = SP to train ÷ (primary + secondary/2) per minute.
        let rate = SkillMath.skillPointsPerMinute(
            primary: attributes[skill.primaryAttribute!.rawValue] as! Int,
            secondary: attributes[skill.secondaryAttribute!.rawValue] as! Int
        )
        let start = ISO8601DateFormatter().date(from: first["start_date"] as! String)!
        let finish = ISO8601DateFormatter().date(from: first["finish_date"] as! String)!
        let trained = Double((first["level_end_sp"] as! Int) - (first["training_start_sp"] as! Int))
        #expect(abs(finish.timeIntervalSince(start) - trained / rate * 60) <= 1)
        let finishes = queue.map { ISO8601DateFormatter().date(from: $0["finish_date"] as! String)! }
        #expect(finishes == finishes.sorted())

        // After the first finish, the skill shows the level and the queue moves up.
        harness.advance(finish.timeIntervalSince(harness.simulator.clock.now()) + 121)
        let skills = (harness.get("/characters/\(c)/skills").json as! [String: Any])["skills"] as! [[String: Any]]
        let trainedSkill = skills.first { $0["skill_id"] as? Int == skill.id }
        #expect((trainedSkill?["trained_skill_level"] as? Int ?? 0) >= level)
        let after = harness.get("/characters/\(c)/skillqueue").json as! [[String: Any]]
        #expect(
            after.first?["skill_id"] as? Int != first["skill_id"] as? Int
                || after.first?["finished_level"] as? Int != level
        )
    }

    @Test func theWalletBalanceFollowsTheJournal() throws {
        let harness = try Harness()
        for _ in 0..<48 { harness.advance(3_600) }
        let journal = harness.get("/characters/\(harness.character)/wallet/journal").json as! [[String: Any]]
        try #require(!journal.isEmpty)
        let balance = harness.get("/characters/\(harness.character)/wallet").json as! Double
        #expect(abs((journal[0]["balance"] as! Double) - balance) < 0.01, "the newest entry's balance is the wallet's")
        for (newer, older) in zip(journal, journal.dropFirst()) {
            let expected = (older["balance"] as! Double) + (newer["amount"] as! Double)
            #expect(abs(expected - (newer["balance"] as! Double)) < 0.01)
        }
    }

    @Test func aCorporationChangeAppearsInTheHistory() throws {
        let harness = try Harness(characters: 20)
        let details = harness.get("/characters/\(harness.character)", authorized: false).json as! [String: Any]
        let current = details["corporation_id"] as! Int
        let other = harness.simulator.world.characterIDs.compactMap {
            (harness.get("/characters/\($0)", authorized: false).json as? [String: Any])?["corporation_id"] as? Int
        }.first { $0 != current }!
        _ = harness.admin(
            "POST",
            "/_sim/characters/\(harness.character)/corporation",
            json: "{\"corporation_id\": \(other)}"
        )
        harness.advance(86_401)
        let history =
            harness.get("/characters/\(harness.character)/corporationhistory", authorized: false).json
            as! [[String: Any]]
        #expect(history.first?["corporation_id"] as? Int == other)
        #expect((harness.simulator.world.members(ofCorporation: other)).contains(harness.character))
    }

    @Test func idsAreInESIsRanges() throws {
        let harness = try Harness(characters: 10)
        for id in harness.simulator.world.characterIDs {
            #expect((90_000_000...97_999_999).contains(id) || (2_100_000_000...2_129_999_999).contains(id), "\(id)")
        }
    }

    @Test func theAdminCreatesCharactersAndIssuesTokens() throws {
        let harness = try Harness()
        let created = harness.admin("POST", "/_sim/characters")
        let id = try #require(created["character_id"] as? Int)
        let token = harness.admin(
            "POST",
            "/_sim/tokens",
            json: "{\"character_id\": \(id), \"scopes\": [\"esi-skills.read_skills.v1\"]}"
        )
        #expect((token["refresh_token"] as? String)?.count == 24)
        #expect(token["scopes"] as? [String] == ["esi-skills.read_skills.v1"])
        let clock = harness.admin("POST", "/_sim/clock/advance", json: "{\"seconds\": 3600}")
        #expect(clock["now"] as? String == "2026-11-01T01:00:00Z")
    }
}
