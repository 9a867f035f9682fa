import Application
import ESI
import ESISimulator
import EventLog
import Foundation
import Postgres
import Reports
import SkillSets
import Sync
import SyncTestSupport
import Testing

@testable import Projections

/// Skill-set checks kept current by the projection runner as a worker runs it: after a simulated
/// week, characters who finished training can fly sets they could not, with no step in between
/// but syncing. The corporation member lists come from the same syncs.
@Suite struct SkillSetWeekTests {
    @Test func checksFollowTrainingWithoutAManualStep() async throws {
        try await withSyncHarness(characters: 6, rateLimitScale: 100) { harness in
            let ids = harness.characterIDs
            let registered = try await harness.register(Array(ids.prefix(4)))
            // ids[4] logged in once (its owner is known), ids[5] never did.
            let sso = SSOClient(http: HTTPClient(userAgent: "memberaudit-tests"), configuration: harness.settings.sso)
            let token = try #require(harness.simulator.issueRefreshToken(characterID: Int(ids[4]), scopes: []))
            _ = try await harness.registry.claim(refreshToken: token, user: registered[0].user, sso: sso)

            _ = try await Rebuilder(pool: harness.pool).prepare()
            let runner = ProjectionRunner(pool: harness.pool)
            let projecting = Task { try await runner.run(pollInterval: 0.2) }
            defer {
                runner.stop()
                projecting.cancel()
            }
            func pass() async throws {
                _ = try await harness.engine().runPass(
                    filter: PassFilter(sections: harness.settings.sections),
                    force: true
                )
                try await waitUntilProjected(harness.pool)
            }
            // Two passes: the member lists need the characters' details first.
            try await pass()
            try await pass()

            // One set per registered character: the next skill of its queue that finishes within
            // six simulated days, at the level it finishes.
            let horizon = harness.simulator.clock.now().addingTimeInterval(6 * 86_400)
            let targets = try await harness.pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT DISTINCT ON (character_id) character_id, skill_id, finished_level FROM readmodel.skill_queue
                    WHERE finish_date <= $1 ORDER BY character_id, queue_position
                    """,
                    [horizon]
                ).map { (try $0.get(0, as: Int64.self), try $0.get(1, as: Int.self), try $0.get(2, as: Int.self)) }
            }
            try #require(!targets.isEmpty, "some character finishes a skill within six days")
            try await harness.pool.transaction { connection in
                for (character, skill, level) in targets {
                    try SkillSetStore.save(
                        SkillSet(name: "Next \(character)", skills: [SkillLevels(skillID: skill, required: level)]),
                        by: "test",
                        on: connection
                    )
                    try SkillSetStore.add(set: "Next \(character)", toGroup: "Training", by: "test", on: connection)
                }
                try SkillSetChecks.refresh(on: connection)
            }
            func canFly() async throws -> [Int64: Set<String>] {
                let table = try await harness.pool.withConnection { try Reports.skillSets(group: "Training", on: $0) }
                var result = [Int64: Set<String>]()
                for row in table.rows {
                    guard case .int(let id) = row[2], case .text(let sets) = row[6] else { continue }
                    result[id] = Set(sets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                }
                return result
            }
            let before = try await canFly()
            #expect(Set(before.keys) == Set(ids.prefix(4)), "every registered character is checked")
            for (character, _, _) in targets { #expect(before[character]?.contains("Next \(character)") == false) }

            // Membership: each corporation's list names its unregistered members.
            let members = try await harness.pool.withConnection { try Reports.membership(on: $0) }
            let unregistered = members.rows.compactMap { row -> Int64? in
                if case .int(let id) = row[2] { id } else { nil }
            }
            #expect(Set(unregistered) == [ids[4], ids[5]])
            #expect(members.rows.first { $0[2] == .int(ids[4]) }?[4] == .text(registered[0].user))
            #expect(members.rows.first { $0[2] == .int(ids[5]) }?[4] == .null)

            // A week of syncing twice a day.
            for _ in 0..<14 {
                try await harness.advanceTime(by: 12 * 3_600)
                try await pass()
            }
            let after = try await canFly()
            for (character, _, _) in targets {
                #expect(
                    after[character]?.contains("Next \(character)") == true,
                    "character \(character) trained its skill"
                )
            }
            #expect(after != before)

            // Removed and registered again: synced afresh, its older events out of the read models
            // alike incrementally and in the rebuild below.
            _ = try await CharacterActions.remove(ids[1], pool: harness.pool)
            try await harness.register([ids[1]])
            try await pass()
            #expect(
                try await value(
                    harness.pool,
                    "SELECT count(*) FROM readmodel.skill_set_checks WHERE character_id = $1",
                    [ids[1]],
                    as: Int64.self
                ) == 1
            )

            // The checks kept incrementally equal a rebuild's (verify compares them, then swaps).
            let incremental = try await rows(harness.pool, "SELECT * FROM readmodel.skill_set_checks ORDER BY 1, 2")
            runner.stop()
            let report = try await Rebuilder(pool: harness.pool).rebuild(RebuildOptions(verify: true))
            #expect(report.checks.contains { $0.table == "skill_set_checks" && $0.matches == true })
            #expect(
                try await rows(harness.pool, "SELECT * FROM readmodel.skill_set_checks ORDER BY 1, 2") == incremental
            )
        }
    }
}

/// Waits until every installed projector has applied the whole log.
func waitUntilProjected(_ pool: PostgresPool, timeout: Double = 60) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let behind = try await value(
            pool,
            "SELECT count(*) FROM projection.projectors WHERE position < (SELECT position FROM eventlog.head)",
            as: Int64.self
        )
        if behind == 0 { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("the read models did not catch up within \(timeout) s")
}
