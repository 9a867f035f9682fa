import ESISimulator
import EventLog
import Foundation
import LocalPostgres
import Sync
import SyncTestSupport
import Testing
import Vocabulary

@Suite struct CrashTests {
    @Test(.timeLimit(.minutes(10)))
    func aKilledWorkersLeasesAreRescuedAndNoFetchIsLostOrRecordedTwice() async throws {
        var faults = Faults()
        faults.latencyMilliseconds = 150
        try await withSyncHarness(characters: 30, faults: faults) { harness in
            try await harness.register()
            let sections = harness.settings.sections
            let total = 30 * sections.count

            let worker = try startWorker(harness)
            defer { if worker.isRunning { worker.terminate() } }
            // Let it get well into the sync, then kill it without a chance to clean up.
            var finished = 0
            for _ in 0..<600 where finished < total / 3 {
                try await Task.sleep(for: .milliseconds(50))
                let done: [Int] = try await harness.column(
                    "SELECT count(*)::int8 FROM sync.work WHERE last_finished_at IS NOT NULL"
                )
                finished = done[0]
            }
            try #require(worker.isRunning, "the worker died on its own")
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            let orphaned: [Int] = try await harness.column(
                "SELECT count(*)::int8 FROM sync.work WHERE lease_owner IS NOT NULL"
            )
            #expect(orphaned[0] > 0, "it died holding leases")
            let before = try await harness.events().count

            // A new worker waits out the dead one's leases (3 s here) and takes them over.
            try await Task.sleep(for: .seconds(3.5))
            let summary = try await harness.engine().runPass(filter: PassFilter(sections: sections), force: false)
            #expect(summary.rescued == orphaned[0], "\(summary)")

            let counts: [Int] = try await harness.column(
                """
                SELECT count(*)::int8 FROM eventlog.events WHERE stream LIKE 'character:%'
                  AND section NOT IN ('asset_names', 'contract_items', 'contract_bids', 'mail_body', 'corporation_members')
                GROUP BY stream, section
                """
            )
            #expect(counts.count == 30 * sections.flatMap(\.routes).count, "no fetch lost")
            #expect(counts.allSatisfy { $0 == 1 }, "none recorded twice")
            let unfinished: [Int] = try await harness.column(
                "SELECT count(*)::int8 FROM sync.work WHERE last_finished_at IS NULL OR lease_owner IS NOT NULL"
            )
            #expect(unfinished == [0])
            #expect(try await harness.events().count > before)
        }
    }
}

/// Starts the built `memberaudit worker` against the harness's database and simulator.
func startWorker(_ harness: SyncHarness) throws -> ChildProcess {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(
        path: "memberaudit"
    )
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw CancellationError()
    }
    return try ChildProcess(
        binary.path,
        ["worker"],
        environment: ProcessInfo.processInfo.environment.merging([
            "MEMBERAUDIT_DATABASE_URL": harness.conninfo,
            "MEMBERAUDIT_TOKEN_KEY": harness.key,
            "MEMBERAUDIT_ESI_BASE_URL": harness.base,
            "MEMBERAUDIT_SSO_BASE_URL": harness.base,
            "MEMBERAUDIT_SSO_CLIENT_ID": "memberaudit-demo",
            "MEMBERAUDIT_SSO_CLIENT_SECRET": "memberaudit-demo-secret",
            "MEMBERAUDIT_SYNC_LEASE_SECONDS": "3",
            "MEMBERAUDIT_SYNC_CONCURRENCY": "16",
        ]) { $1 }
    )
}
