import ESISimulator
import Foundation
import Postgres
import Sync
import SyncTestSupport
import TestSupport
import Testing

@testable import Projections

/// Ids the bundled static data does not know (types of a later game patch, in a group that is new
/// too; a new skill; planets) are asked of ESI once each, as events of the public stream
/// `universe`, and named everywhere from them; a rebuild gives the same rows.
@Suite struct UniverseOnDemandTests {
    @Test(.timeLimit(.minutes(10)))
    func aTypeFromAfterTheBundledDataIsNamedThroughESI() async throws {
        try await withSyncHarness(characters: 2, rateLimitScale: 100) { harness in
            try await harness.register()
            try await Rebuilder(pool: harness.pool).prepare()
            let character = harness.characterIDs[0]
            let now = harness.simulator.clock.now()
            for patch in PatchTypes.types {
                #expect(
                    harness.simulator.world.script(
                        Int(character),
                        .giveAsset(typeID: patch.id, quantity: 2, locationID: nil),
                        at: now
                    )
                )
            }
            let sections = harness.settings.sections
            _ = try await harness.engine().runPass(filter: PassFilter(sections: sections), force: true)
            try await ProjectionRunner(pool: harness.pool).catchUp()

            // Every patch type and the new group were asked once, as events of the public stream.
            let asked: [String] = try await harness.column(
                """
                SELECT section || ':' || (parameters->>'id') FROM eventlog.events
                WHERE stream = 'public:universe' ORDER BY 1
                """
            )
            for patch in PatchTypes.types { #expect(asked.contains("universe_type:\(patch.id)"), "\(asked)") }
            #expect(asked.contains("universe_group:\(PatchTypes.newGroup.id)"))
            #expect(Set(asked).count == asked.count, "each id is asked once: \(asked)")
            // Types the bundled data knows are not asked.
            #expect(!asked.contains { $0.hasPrefix("universe_type:") && !$0.hasPrefix("universe_type:99") })

            // The assets view names them, with their group and category.
            let names: [String] = try await harness.column(
                """
                SELECT type_name || ' / ' || coalesce(group_name, '?') || ' / ' || coalesce(category_name, '?')
                FROM readmodel.assets_view WHERE character_id = \(character) AND type_id >= 99000000 ORDER BY type_id
                """
            )
            #expect(
                names == [
                    "Frontier Cargo Container / Cargo Container / Celestial",
                    "Frontier Implant - Alpha / Frontier Implants / Implant",
                    "Frontier Navigation / Navigation / Skill",
                ]
            )
            // The new skill's training data is known too.
            let skill: [String] = try await harness.column(
                "SELECT name || ' rank ' || rank || ' ' || primary_attribute || '/' || secondary_attribute FROM readmodel.universe_skills WHERE id = 99000003"
            )
            #expect(skill == ["Frontier Navigation rank 3 perception/willpower"])

            // A second pass asks nothing again.
            try await harness.advanceTime(by: 3600)
            _ = try await harness.engine().runPass(filter: PassFilter(sections: sections), force: true)
            let again: [Int64] = try await harness.column(
                "SELECT count(*) FROM eventlog.events WHERE stream = 'public:universe'"
            )
            #expect(again == [Int64(asked.count)])

            // A rebuild from the log gives the same rows.
            try await ProjectionRunner(pool: harness.pool).catchUp()
            let incremental = try await dumpReadModels(harness.pool)
            let report = try await Rebuilder(pool: harness.pool).rebuild(RebuildOptions(verify: true, jobs: 2))
            #expect(report.checks.allSatisfy { $0.matches == true })
            #expect(try await dumpReadModels(harness.pool) == incremental)
        }
    }
}
