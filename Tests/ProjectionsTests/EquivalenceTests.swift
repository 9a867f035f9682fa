import ESISimulator
import EventLog
import Foundation
import Postgres
import Sync
import SyncTestSupport
import TestSupport
import Testing

@testable import Projections

/// The property the design rests on: however the events were applied — as they arrived, in
/// batches of any size, interrupted by a crash — the read models equal a rebuild from the log.
@Suite struct EquivalenceTests {
    @Test(.timeLimit(.minutes(10)))
    func aMonthOfSyncingWithFaultsProjectsTheSameIncrementallyAndInARebuild() async throws {
        var faults = Faults()
        faults.serverErrorRate = 0.04
        faults.htmlShare = 0.5
        faults.malformedRate = 0.02
        faults.forbiddenStructures = [1_035_000_000_000]
        // Buckets scaled: a month of syncs runs in a minute of wall-clock time.
        try await withSyncHarness(characters: 6, faults: faults, rateLimitScale: 100) { harness in
            try await harness.register()
            var random = SeededRandom(5)  // the simulator's generator: a failing run can be repeated
            let sections = harness.settings.sections
            for step in 0..<60 {  // 30 days, every 12 hours
                try await harness.advanceTime(by: 12 * 3600)
                // Each pass syncs a varying part of the sections, as due times would.
                let chosen = sections.filter { _ in random.next() % 3 != 0 }
                _ = try await harness.engine().runPass(filter: PassFilter(sections: chosen), force: true)
                if step % 17 == 5 {
                    // Something ESI never sends but a projector must survive: quarantined, skipped.
                    try await appendFetch(
                        harness.pool,
                        character: harness.characterIDs[step % 6],
                        section: "contacts",
                        json: "{\"oops\""
                    )
                }
                // Incremental projection in batches of varying size, sometimes skipped for a while.
                if random.next() % 4 != 0 {
                    let batch = [1, 7, 64, 2000][Int(random.next() % 4)]
                    try await project(harness.pool, batchSize: batch)
                }
            }
            try await project(harness.pool)
            let incremental = try await dumpReadModels(harness.pool)
            let quarantined = try await rows(
                harness.pool,
                "SELECT projector, position, reason FROM projection.quarantine ORDER BY 1, 2"
            )
            #expect(quarantined.count >= 3)
            #expect(incremental.values.reduce(0) { $0 + $1.count } > 5_000, "a month of six characters is a real log")

            // The verify path: rebuilt tables equal the live ones table by table, then swap.
            let report = try await Rebuilder(pool: harness.pool).rebuild(RebuildOptions(verify: true, jobs: 3))
            #expect(!report.checks.isEmpty && report.checks.allSatisfy { $0.matches == true })
            // And directly: the swapped-in tables are row for row the incremental ones.
            let rebuilt = try await dumpReadModels(harness.pool)
            for (table, rows) in incremental { #expect(rebuilt[table] == rows, "table \(table)") }
            #expect(
                try await rows(
                    harness.pool,
                    "SELECT projector, position, reason FROM projection.quarantine ORDER BY 1, 2"
                ) == quarantined
            )
            // A rebuild on one job is the same as on three.
            _ = try await Rebuilder(pool: harness.pool).rebuild(RebuildOptions(jobs: 1))
            #expect(try await dumpReadModels(harness.pool) == incremental)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aCrashMidProjectionNeitherLosesNorRepeatsAnEvent() async throws {
        try await withSyncHarness(characters: 8, rateLimitScale: 100) { harness in
            try await harness.register()
            for _ in 0..<6 {
                try await harness.advanceTime(by: 8 * 3600)
                _ = try await harness.engine().runPass(
                    filter: PassFilter(sections: harness.settings.sections),
                    force: true
                )
            }
            _ = try await Rebuilder(pool: harness.pool).prepare()
            // Install empty read models at position 0 so everything goes through the incremental path.
            try await harness.pool.withConnection { connection in
                try connection.executeScript("UPDATE projection.projectors SET position = 0")
                for table in Catalog.projectors.flatMap(\.tables) {
                    try connection.executeScript("TRUNCATE readmodel.\"\(table.name)\"")
                }
            }
            let head = try await value(harness.pool, "SELECT position FROM eventlog.head", as: Int64.self)
            // Project in small batches and kill the projecting connection mid-way: a crash.
            let crashPool = PostgresPool(
                conninfo: harness.conninfo + " application_name=crashing_projector",
                maxConnections: 1
            )
            let runner = ProjectionRunner(pool: crashPool, batchSize: 25)
            let projecting = Task { try await runner.catchUp() }
            var checkpoint: Int64 = 0
            while checkpoint < head / 4 {
                try await Task.sleep(for: .milliseconds(5))
                checkpoint = try await value(
                    harness.pool,
                    "SELECT min(position) FROM projection.projectors",
                    as: Int64.self
                )
            }
            try await harness.pool.withConnection { connection in
                try connection.execute(
                    """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'crashing_projector'
                    """
                )
            }
            await #expect(throws: (any Error).self) { try await projecting.value }
            crashPool.close()
            let stopped = try await value(
                harness.pool,
                "SELECT min(position) FROM projection.projectors",
                as: Int64.self
            )
            #expect(stopped > 0 && stopped < head, "the crash came mid-way (checkpoint \(stopped) of \(head))")

            // Resuming applies the rest exactly once: the result is a rebuild's, attempt counters included.
            try await ProjectionRunner(pool: harness.pool, batchSize: 500).catchUp()
            let resumed = try await dumpReadModels(harness.pool)
            let report = try await Rebuilder(pool: harness.pool).rebuild(RebuildOptions(verify: true))
            #expect(report.checks.allSatisfy { $0.matches == true })
            #expect(try await dumpReadModels(harness.pool) == resumed)
            let attempts = try await value(
                harness.pool,
                "SELECT sum(attempts)::int8 FROM readmodel.sync_status",
                as: Int64.self
            )
            let events = try await value(
                harness.pool,
                "SELECT count(*) FROM eventlog.events WHERE stream LIKE 'character:%'",
                as: Int64.self
            )
            #expect(attempts == events)
        }
    }

    @Test func aRebuildThatDisagreesWithTheLiveTablesIsRefusedTableByTable() async throws {
        try await TestDatabase.with { pool, _ in
            try await appendFetch(
                pool,
                character: 1,
                section: "titles",
                json: #"[{"title_id":1,"name":"A"},{"title_id":2,"name":"B"}]"#
            )
            try await appendFetch(pool, character: 1, section: "implants", json: "[9899]")
            try await project(pool)
            // Someone edits a read model behind the projectors' back.
            try await pool.withConnection {
                try $0.execute("DELETE FROM readmodel.character_titles WHERE title_id = 2")
            }
            await #expect(throws: RebuildRefused.self) {
                try await Rebuilder(pool: pool).rebuild(RebuildOptions(verify: true))
            }
            do {
                _ = try await Rebuilder(pool: pool).rebuild(RebuildOptions(projectors: ["characters"], verify: true))
                Issue.record("the rebuild of the edited read model was not refused")
            } catch let refused as RebuildRefused {
                let bad = refused.checks.filter { $0.matches == false }
                #expect(bad.map(\.table) == ["character_titles"])
                #expect(bad.first?.liveRows == 1 && bad.first?.rebuiltRows == 2)
            }
            // Nothing was swapped, no shadow left behind; without --verify the rebuild repairs it.
            #expect(try await value(pool, "SELECT count(*) FROM readmodel.character_titles", as: Int64.self) == 1)
            #expect(
                try await value(
                    pool,
                    "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'readmodel_shadow%'",
                    as: Int64.self
                ) == 0
            )
            _ = try await Rebuilder(pool: pool).rebuild(RebuildOptions(projectors: ["characters"]))
            #expect(try await value(pool, "SELECT count(*) FROM readmodel.character_titles", as: Int64.self) == 2)
        }
    }

    @Test func aChangedReadModelVersionIsRebuiltAtStartUp() async throws {
        try await TestDatabase.with { pool, _ in
            try await appendFetch(pool, character: 1, section: "implants", json: "[9899, 9941]")
            try await project(pool)
            // As if an older build had installed another version of the skills read model.
            try await pool.withConnection {
                try $0.execute("UPDATE projection.projectors SET version = 0 WHERE name = 'characters'")
            }
            let status = try await ProjectionStatus.load(pool)
            #expect(status.projectors.first { $0.name == "characters" }?.needsRebuild == true)
            #expect(try await Rebuilder(pool: pool).prepare() == ["characters"])
            #expect(try await Rebuilder(pool: pool).prepare() == [])
            #expect(try await value(pool, "SELECT count(*) FROM readmodel.character_implants", as: Int64.self) == 2)
            // The views came back with the swapped tables.
            #expect(try await value(pool, "SELECT count(*) FROM readmodel.character_overview", as: Int64.self) == 1)
        }
    }

    @Test func changedViewsAreMadeAgainAtStartUpWithoutARebuild() async throws {
        try await TestDatabase.with { pool, _ in
            try await appendFetch(pool, character: 1, section: "implants", json: "[9899, 9941]")
            try await project(pool)
            // As if an older build had installed other views: one missing, an older stamp.
            try await pool.withConnection {
                try $0.executeScript(
                    "DROP VIEW readmodel.character_overview; COMMENT ON SCHEMA readmodel IS 'views.sql sha256 old'"
                )
            }
            let rebuiltAt = try await value(
                pool,
                "SELECT max(rebuilt_at)::text FROM projection.projectors",
                as: String.self
            )
            #expect(try await Rebuilder(pool: pool).prepare() == [])
            #expect(try await value(pool, "SELECT count(*) FROM readmodel.character_overview", as: Int64.self) == 1)
            #expect(
                try await value(pool, "SELECT max(rebuilt_at)::text FROM projection.projectors", as: String.self)
                    == rebuiltAt
            )
        }
    }

    @Test func aDDLFileThatDisagreesWithItsProjectorIsRefusedWithTheDifference() async throws {
        try await TestDatabase.with { pool, _ in
            let wrong = Projector(
                name: "mining_ledger",
                tables: [
                    TableSpec(
                        "mining_ledger",
                        [("character_id", .bigint), ("tons", .double)],
                        key: ["character_id"],
                        mode: .upsert
                    )
                ],
                sections: [:]
            ) { _, _ in [] }
            let message = try await pool.withConnection { connection -> String in
                do {
                    try connection.transaction { try ProjectionSchema.createTables(wrong, in: "readmodel", on: $0) }
                    return ""
                } catch {
                    return "\(error)"
                }
            }
            #expect(message.contains("projections/mining_ledger.sql: table mining_ledger has columns"))
            #expect(message.contains("but the projector writes (character_id bigint, tons double precision)"))
        }
    }
}
