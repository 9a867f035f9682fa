import ESISimulator
import EventLog
import Foundation
import Sync
import SyncTestSupport
import Testing
import Vocabulary

@Suite struct WorkerTests {
    @Test(.timeLimit(.minutes(10)))
    func twoWorkersNeverFetchASectionTwiceInOneDuePeriod() async throws {
        var faults = Faults()
        faults.latencyMilliseconds = 20
        try await withSyncHarness(characters: 100, faults: faults) { harness in
            try await harness.register()
            let sections = harness.settings.sections
            let filter = PassFilter(sections: sections)
            let (a, b) = (harness.engine { $0.concurrency = 16 }, harness.engine { $0.concurrency = 16 })
            async let first = a.runPass(filter: filter, force: false)
            async let second = b.runPass(filter: filter, force: false)
            let (one, two) = try await (first, second)
            #expect(one.sections > 0 && two.sections > 0, "both workers took part: \(one.sections) and \(two.sections)")
            #expect(one.sections + two.sections == 100 * sections.count)
            #expect(one.leaseLost + two.leaseLost == 0)

            let counts: [Int] = try await harness.column(
                """
                SELECT count(*)::int8 FROM eventlog.events WHERE stream LIKE 'character:%'
                  AND section NOT IN ('asset_names', 'contract_items', 'contract_bids', 'mail_body', 'corporation_members')
                GROUP BY stream, section
                """
            )
            let routes = sections.flatMap(\.routes).count
            #expect(counts.count == 100 * routes)
            #expect(counts.allSatisfy { $0 == 1 })
            // Public data too: each name batch, station and structure asked once.
            let stations: [Int] = try await harness.column(
                "SELECT count(*)::int8 FROM eventlog.events WHERE section IN ('station', 'structure') GROUP BY parameters->>'station_id', parameters->>'structure_id'"
            )
            #expect(stations.allSatisfy { $0 == 1 })
        }
    }

    @Test func aWorkerStopsGracefullyAndGivesBackItsLeases() async throws {
        var faults = Faults()
        faults.latencyMilliseconds = 100
        try await withSyncHarness(characters: 10, faults: faults) { harness in
            try await harness.register()
            let engine = harness.engine { $0.concurrency = 4 }
            let worker = Task { try await engine.runWorker(filter: PassFilter(sections: harness.settings.sections)) }
            // Stop once some sections are done (not after a fixed time: a loaded machine may not
            // have finished any yet), long before all of them are.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let done: [Int] = try await harness.column(
                    "SELECT count(*)::int8 FROM sync.work WHERE last_finished_at IS NOT NULL"
                )
                if done.first ?? 0 > 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            engine.stop()
            let summary = try await worker.value
            #expect(summary.sections > 0 && summary.sections < 10 * harness.settings.sections.count)
            let leased: [Int] = try await harness.column(
                "SELECT count(*)::int8 FROM sync.work WHERE lease_owner IS NOT NULL"
            )
            #expect(leased == [0])
            let stopped: [Int] = try await harness.column(
                "SELECT count(*)::int8 FROM sync.workers WHERE stopped_at IS NOT NULL"
            )
            #expect(stopped == [1])
        }
    }
}
