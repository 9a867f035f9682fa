import ESI
import ESISimulator
import EventLog
import Foundation
import Postgres
import Sync
import SyncTestSupport
import TestSupport
import Testing

@testable import Projections

/// ESI answering 200 with bodies no honest ESI sends (``HostilePayload``: numbers past Int64,
/// negative and fractional ids, strings and nulls where integers belong, 10,000-deep nesting,
/// 50 MB, invalid UTF-8, duplicate keys): the sync records each fetch, the projector applies what
/// it understands and quarantines the rest, nothing crashes, and the next honest sync repairs it.
@Suite struct HostilePayloadTests {
    @Test(.timeLimit(.minutes(10)))
    func hostileBodiesAreRecordedOrQuarantinedAndNothingDies() async throws {
        try await withSyncHarness(characters: 2, rateLimitScale: 100) { harness in
            try await harness.register()
            let sections = harness.settings.sections
            try await Rebuilder(pool: harness.pool).prepare()
            var positions = [HostilePayload: (first: Int64, last: Int64)]()
            for kind in HostilePayload.allCases {
                var faults = Faults()
                faults.hostileRate = 1
                faults.hostilePayloads = [kind]
                harness.simulator.setFaults(faults)
                try await harness.advanceTime(by: 3600)
                let first = try await head(harness.pool)
                // No retries: a hostile body is as hostile the second time.
                _ = try await harness.engine { $0.esi.retries = 0 }.runPass(
                    filter: PassFilter(sections: sections),
                    force: true
                )
                try await ProjectionRunner(pool: harness.pool).catchUp()
                positions[kind] = (first + 1, try await head(harness.pool))
            }

            let recorded = try await harness.events()
            func events(of kind: HostilePayload) -> [RecordedEvent] {
                let range = positions[kind]!
                return recorded.filter { (range.first...range.last).contains($0.position) }
            }
            for kind in HostilePayload.allCases {
                #expect(events(of: kind).count >= 2 * 10, "\(kind): every section's fetch is recorded")
            }
            // Bodies no JSON parser takes are failures that say why; the 50 MB one was not taken.
            for kind in [HostilePayload.deepNesting, .invalidUTF8] {
                let failed = events(of: kind).filter { $0.outcome == .failed }
                #expect(
                    !failed.isEmpty && failed.allSatisfy { $0.error?.contains("not valid JSON") == true },
                    "\(kind)"
                )
            }
            let huge = events(of: .huge).filter { $0.outcome == .failed }
            #expect(!huge.isEmpty && huge.allSatisfy { $0.error?.contains("larger than 16 MiB") == true })
            // Numbers that are not the integers a field needs: quarantined, with the reason.
            let quarantined: [String] = try await harness.column(
                "SELECT DISTINCT reason FROM projection.quarantine ORDER BY 1"
            )
            #expect(quarantined.contains { $0.contains("no integer") }, "\(quarantined)")

            // An honest sync afterwards: the read models are whole again and equal a rebuild.
            harness.simulator.setFaults(Faults())
            try await harness.advanceTime(by: 3600)
            _ = try await harness.engine().runPass(filter: PassFilter(sections: sections), force: true)
            try await ProjectionRunner(pool: harness.pool).catchUp()
            let names: [String] = try await harness.column(
                "SELECT name FROM readmodel.character_details WHERE name IS NOT NULL ORDER BY 1"
            )
            #expect(names.count == 2)
            let incremental = try await dumpReadModels(harness.pool)
            let report = try await Rebuilder(pool: harness.pool).rebuild(RebuildOptions(verify: true, jobs: 2))
            #expect(report.checks.allSatisfy { $0.matches == true })
            #expect(try await dumpReadModels(harness.pool) == incremental)
        }
    }

    private func head(_ pool: PostgresPool) async throws -> Int64 {
        try await pool.withConnection {
            try $0.query("SELECT coalesce(max(position), 0) FROM eventlog.events")[0].get(0)
        }
    }
}
