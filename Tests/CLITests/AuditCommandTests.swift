import Foundation
import LocalPostgres
import Postgres
import TestSupport
import Testing

/// The audit commands end to end against the built binary: after a sync, each answers in its
/// formats; bad arguments get clear errors; verify passes on a sound log and names a payload a
/// superuser corrupted, and a guard left disabled.
@Suite struct AuditCommandTests {
    @Test func auditAfterASyncAndVerifyFindsACorruptedPayload() async throws {
        let (simulator, base, tokens) = try await startSimulator(characters: 1)
        defer { simulator.terminate() }
        try await TestDatabase.with { pool, conninfo in
            let environment = simulatorEnvironment(database: conninfo, simulator: base)
            func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                try await runMemberAudit(arguments, environment: environment)
            }
            let before = Date()
            for token in tokens { #expect(try await run(["characters", "add", "--refresh-token", token]).status == 0) }
            #expect(try await run(["sync"]).status == 0)
            let list = try await run(["characters", "list", "--format", "json"])
            let characters = try #require(
                try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]]
            )
            let id = String(try #require(characters.first?["id"] as? Int))
            let name = try #require(characters.first?["name"] as? String)

            // at: by name, as JSON; before the first fetch, no data yet.
            let at = try await run(["audit", "at", name, "--section", "location", "--format", "json"])
            #expect(at.status == 0, "\(at.output)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(at.output.utf8)) as? [String: Any])
            let location = try #require(object["location"] as? [String: Any])
            #expect((location["coverage"] as? [String: Any])?["stale"] as? Bool == false)
            #expect((location["character_location"] as? [String: Any])?["solar_system_name"] is String, "\(location)")
            let early = try await run(["audit", "at", id, "--time", before.addingTimeInterval(-60).formatted(.iso8601)])
            #expect(early.status == 0 && early.output.contains("no data yet"), "\(early.output.prefix(300))")
            let assets = try await run(["audit", "at", id, "--section", "assets", "--format", "csv"])
            #expect(
                assets.output.contains("# assets.assets\nitem_id,type_id,type_name,"),
                "\(assets.output.prefix(300))"
            )

            // diff, timeline, series.
            let diff = try await run([
                "audit", "diff", id, "--from", before.addingTimeInterval(-60).formatted(.iso8601),
            ])
            #expect(
                diff.status == 0 && diff.output.contains("== assets ==") && diff.output.contains("+ "),
                "\(diff.output.prefix(300))"
            )
            let timeline = try await run(["audit", "timeline", id, "--format", "csv"])
            #expect(
                timeline.output.hasPrefix("time,kind,section,what\r\n") && timeline.output.contains(",change,location,")
            )
            let series = try await run(["audit", "series", id, "--metric", "wallet", "--format", "json"])
            let points = try #require(
                try JSONSerialization.jsonObject(with: Data(series.output.utf8)) as? [[String: Any]]
            )
            #expect(points.count == 1 && points[0]["wallet"] is Double, "\(series.output)")

            // find: the type of one of its assets, by name.
            let typeName = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT t.name FROM audit.asset_types a JOIN sde.types t ON t.id = a.type_id
                    WHERE t.name NOT IN (SELECT name FROM sde.types GROUP BY name HAVING count(*) > 1) LIMIT 1
                    """
                )[0].get(0, as: String.self)
            }
            let found = try await run(["audit", "find", "--type", typeName, "--format", "json"])
            let holders = try #require(
                try JSONSerialization.jsonObject(with: Data(found.output.utf8)) as? [[String: Any]]
            )
            #expect(!holders.isEmpty && Set(holders.map { $0["character_id"] as? Int }) == [Int(id)], "\(found.output)")

            // Clear errors.
            let none = try await run(["audit", "find"])
            #expect(
                none.status != 0 && none.output.contains("give exactly one of --type, --location and --counterparty")
            )
            let badTime = try await run(["audit", "at", id, "--time", "last tuesday"])
            #expect(badTime.status != 0 && badTime.output.contains("\"last tuesday\" is not a moment"))
            let badMetric = try await run(["audit", "series", id, "--metric", "iskies"])
            #expect(badMetric.status != 0 && badMetric.output.contains("no metric iskies"))
            let unknownType = try await run(["audit", "find", "--type", "Golden Rifter"])
            #expect(unknownType.status != 0 && unknownType.output.contains("no type is named \"Golden Rifter\""))
            let backwards = try await run(["audit", "diff", id, "--from", "now", "--to", "-1d"])
            #expect(backwards.status != 0 && backwards.output.contains("--from must not be later than --to"))

            // verify: sound, then a payload corrupted and a guard disabled by a superuser.
            let sound = try await run(["audit", "verify"])
            #expect(sound.status == 0 && sound.output.contains("no problems found"), "\(sound.output)")
            let corrupted = try await pool.withConnection { connection in
                let hash = try connection.query(
                    """
                    SELECT encode(e.payload_hash, 'hex') FROM eventlog.events e JOIN eventlog.payloads p ON p.hash = e.payload_hash
                    WHERE e.section = 'assets' AND p.codec = 1 LIMIT 1
                    """
                )[0].get(0, as: String.self)
                try connection.executeScript(
                    """
                    SET session_replication_role = replica;
                    UPDATE eventlog.payloads SET body = overlay(body PLACING '\\x00' FROM length(body) - 2 FOR 1)
                        WHERE hash = decode('\(hash)', 'hex');
                    SET session_replication_role = DEFAULT;
                    ALTER TABLE eventlog.entries_000000 DISABLE TRIGGER entries_000000_no_truncate;
                    """
                )
                return hash
            }
            let broken = try await run(["audit", "verify"])
            #expect(broken.status == 1, "\(broken.output)")
            #expect(broken.output.contains("PROBLEM payload \(corrupted):"), "\(broken.output)")
            #expect(
                broken.output.contains("eventlog.entries_000000: the TRUNCATE guard is disabled"),
                "\(broken.output)"
            )
            try await pool.withConnection {
                try $0.executeScript("ALTER TABLE eventlog.entries_000000 ENABLE TRIGGER entries_000000_no_truncate")
            }
            let mine = try await run(["audit", "verify", "--character", id, "--format", "json"])
            #expect(mine.status == 1)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(mine.output.utf8)) as? [String: Any])
            let problems = try #require(report["problems"] as? [[String: Any]])
            #expect(problems.count == 1 && problems[0]["subject"] as? String == corrupted, "\(problems)")

            #expect(try await run(["audit", "reindex"]).status == 0)
            #expect(try await run(["audit", "--help"]).output.contains("timeline"))
        }
    }
}
