import ESI
import ESISimulator
import EventLog
import Foundation
import Sync
import SyncTestSupport
import Testing
import Vocabulary

@Suite struct SyncFaultTests {
    @Test(.timeLimit(.minutes(10)))
    func aSyncThroughFaultsRecordsEveryFetchOnceAndNeverMeetsTheErrorLimit() async throws {
        var faults = Faults()
        faults.serverErrorRate = 0.05
        faults.timeoutRate = 0.01
        faults.timeoutSeconds = 2
        faults.malformedRate = 0.01
        let forbidden = 1_035_000_000_000  // the first structure: every fourth character has a clone there
        faults.forbiddenStructures = [forbidden]
        faults.downRoutes = ["/characters/{character_id}/fw/stats"]
        try await withSyncHarness(characters: 50, faults: faults) { harness in
            try await harness.register()
            let sections = harness.settings.sections
            // One retry only, so that some fetches fail for good and must be recorded as failures.
            let summary = try await harness.engine { $0.esi.retries = 1 }.runPass(
                filter: PassFilter(sections: sections),
                force: false
            )
            #expect(summary.sections == 50 * sections.count, "\(summary)")
            #expect(summary.skipped == 50, "fw_stats is Down for everyone")
            let statuses = harness.simulator.answeredStatuses
            #expect(statuses[420] == nil, "\(statuses)")
            #expect(
                statuses[502, default: 0] + statuses[503, default: 0] + statuses[504, default: 0] > 50,
                "\(statuses)"
            )

            let events = try await harness.events()
            for id in harness.characterIDs {
                for section in sections where section != .fwStats {
                    for route in section.routes {
                        let count = events.filter { $0.stream == .character(id) && $0.section == route.name }.count
                        #expect(count == 1, "\(id) \(route.name): \(count) events")
                    }
                }
            }
            #expect(!events.contains { $0.section == "fw_stats" })
            let skipped: [String] = try await harness.column(
                "SELECT DISTINCT last_error FROM sync.work WHERE section = 'fw_stats'"
            )
            #expect(skipped == ["ESI reports /characters/{character_id}/fw/stats as Down"])
            for failure in events where failure.outcome == .failed {
                #expect(failure.error?.isEmpty == false, "\(failure.section) failed without a reason")
            }
            // Failures say what happened: an HTTP status with ESI's words, an HTML page, truncated JSON.
            let failures = events.filter { $0.outcome == .failed && $0.section != "structure" }
            #expect(failures.count > 0, "with one retry, some of ~1,700 fetches fail twice")
            #expect(failures.allSatisfy { ($0.httpStatus ?? 0) >= 500 || $0.httpStatus == 200 })
            // A section fails when one of its own routes failed for good; a dependent fetch (a mail
            // body, a contract's items) failing is recorded but does not fail its section.
            var sectionOfRoute = [String: Vocabulary.Section]()
            for section in sections { for route in section.routes { sectionOfRoute[route.name] = section } }
            var failedSections = Set<String>()
            for failure in failures {
                guard let section = sectionOfRoute[failure.section] else { continue }
                failedSections.insert("\(failure.stream) \(section.rawValue)")
            }
            #expect(summary.failed == failedSections.count, "\(failedSections.sorted())")

            // The refusing structure was asked once, and is not asked again before its time.
            let refused = events.filter {
                $0.section == "structure" && $0.parameters["structure_id"] == String(forbidden)
            }
            #expect(refused.count == 1 && refused.first?.httpStatus == 403)
            harness.simulator.setFaults(Faults())
            _ = try await harness.engine().runPass(filter: PassFilter(sections: [.jumpClones]), force: true)
            let after = try await harness.events().filter {
                $0.section == "structure" && $0.parameters["structure_id"] == String(forbidden)
            }
            #expect(after.count == 1)
            let state: [String] = try await harness.column(
                "SELECT state FROM sync.locations WHERE id = $1",
                [Int64(forbidden)]
            )
            #expect(state == ["forbidden"])
        }
    }
}
