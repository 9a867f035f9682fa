import Foundation
import LocalPostgres
import TestSupport
import Testing

/// The skill-set, report, remove and purge commands end to end against the built simulator.
@Suite struct SkillSetCommandTests {
    @Test func defineSkillSetsAndReadTheReports() async throws {
        let (simulator, base, tokens) = try await startSimulator(characters: 3)
        defer { simulator.terminate() }
        let folder = FileManager.default.temporaryDirectory.appending(path: "skillsets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func file(_ name: String, _ text: String) throws -> String {
            let url = folder.appending(path: name)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        try await TestDatabase.with { _, conninfo in
            let environment = simulatorEnvironment(database: conninfo, simulator: base)
            func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                try await runMemberAudit(arguments, environment: environment)
            }
            func json(_ arguments: [String]) async throws -> Any {
                let result = try await run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.output)")
                return try JSONSerialization.jsonObject(with: Data(result.output.utf8))
            }
            #expect(try await run(["characters", "add", "--refresh-token", tokens[0], "--user", "alice"]).status == 0)
            #expect(try await run(["characters", "add", "--refresh-token", tokens[1], "--user", "alice"]).status == 0)
            let claim = try await run(["characters", "claim", "--refresh-token", tokens[2], "--user", "alice"])
            #expect(claim.status == 0 && claim.output.contains("is owned by user alice"), "\(claim.output)")
            #expect(try await run(["sync"]).status == 0)

            let fitting = try file(
                "rifter.eft",
                "[Rifter, Fleet Rifter]\nGyrostabilizer I\n[Empty Low slot]\n\n200mm AutoCannon I, EMP S\nBogus Module II\n"
            )
            let strict = try await run(["skillsets", "import-eft", fitting, "--strict"])
            #expect(
                strict.status != 0 && strict.output.contains("Bogus Module II")
                    && strict.output.contains("nothing was saved")
            )
            let eft = try await run(["skillsets", "import-eft", fitting, "--group", "Doctrine"])
            #expect(eft.status == 0, "\(eft.output)")
            #expect(eft.output.contains("warning: line 6: unknown item: Bogus Module II"), "\(eft.output)")
            #expect(
                eft.output.contains("saved skill set Fleet Rifter")
                    && eft.output.contains("characters checked against every set")
            )

            let plan = try file("plan.txt", "Mechanics 4\nHull Upgrades IV\nNot A Skill 3\n")
            let imported = try await run(["skillsets", "import-plan", plan, "--name", "Basics"])
            #expect(imported.status == 0 && imported.output.contains("line 3: unknown skill"), "\(imported.output)")

            #expect(
                try await run(["skillsets", "create", "Custom", "--skill", "Gunnery:3:V", "--skill", "Drones::2"])
                    .status == 0
            )
            let badLevel = try await run(["skillsets", "create", "Broken", "--skill", "Gunnery:7"])
            #expect(badLevel.status != 0 && badLevel.output.contains("is not a level"), "\(badLevel.output)")
            let duplicate = try await run(["skillsets", "create", "Custom", "--skill", "Gunnery:1"])
            #expect(duplicate.status != 0 && duplicate.output.contains("exists already"))
            let shown = try await run(["skillsets", "show", "Custom"])
            #expect(shown.output.contains("Gunnery") && shown.output.contains("III") && shown.output.contains("V"))
            #expect(
                try await run([
                    "skillsets", "edit", "Custom", "--rename", "Custom2", "--remove-skill", "Drones", "--no-visible",
                ]).status == 0
            )
            #expect(try await run(["skillsets", "clone", "Custom2"]).output.contains("cloned Custom2 as Custom2 2"))
            #expect(try await run(["skillsets", "group", "Doctrine", "--add", "Custom2", "--doctrine"]).status == 0)

            let listed = try #require(try await json(["skillsets", "list", "--format", "json"]) as? [String: Any])
            let sets = try #require(listed["skill_sets"] as? [[String: Any]])
            #expect(sets.map { $0["name"] as? String } == ["Basics", "Custom2", "Custom2 2", "Fleet Rifter"])
            let custom = try #require(sets.first { $0["name"] as? String == "Custom2" })
            #expect(custom["is_visible"] as? Bool == false && (custom["skills"] as? [Any])?.count == 1)

            // Export, delete, import: the same definitions come back.
            let export = folder.appending(path: "export.json").path
            #expect(try await run(["skillsets", "export", "--output", export]).status == 0)
            #expect(try await run(["skillsets", "delete", "Custom2"]).status == 0)
            #expect(try await run(["skillsets", "delete", "Custom2"]).status != 0)
            #expect(
                try await run(["skillsets", "import", export]).output.contains("imported 4 skill sets and 1 groups")
            )
            let again = try #require(try await json(["skillsets", "list", "--format", "json"]) as? [String: Any])
            #expect(NSDictionary(dictionary: again) == NSDictionary(dictionary: listed))

            // Reports: stable CSV columns, JSON objects, a file.
            let csv = try await run(["report", "skillsets", "--format", "csv"])
            #expect(
                csv.output.hasPrefix(
                    "group,is_doctrine,character_id,character,user,is_main,can_fly,can_fly_count,sets\r\n"
                )
            )
            #expect(csv.output.components(separatedBy: "\r\n").filter { $0.hasPrefix("Doctrine,yes,") }.count == 2)
            let closest = try #require(
                try await json(["report", "skillsets", "--closest", "--format", "json"]) as? [[String: Any]]
            )
            #expect(
                Set(closest.compactMap { $0["skill_set"] as? String }) == [
                    "Basics", "Custom2", "Custom2 2", "Fleet Rifter",
                ]
            )
            let output = folder.appending(path: "compliance.json").path
            #expect(try await run(["report", "compliance", "--format", "json", "--output", output]).status == 0)
            let compliance = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output)))
                    as? [[String: Any]]
            )
            #expect(compliance.count == 1)
            #expect(compliance[0]["known"] as? Int == 3 && compliance[0]["registered"] as? Int == 2)
            #expect(compliance[0]["compliant"] as? Bool == false)
            #expect(try await run(["report", "corporations"]).output.contains("percent"))
            #expect(try await run(["report", "tokens", "--all"]).status == 0)
            #expect(try await run(["report", "membership"]).status == 0)
            let badReport = try await run(["report", "skillsets", "--top", "0", "--closest"])
            #expect(badReport.status != 0)

            // Remove keeps the events; purge deletes them, and only with --yes.
            let characters = try #require(
                try await json(["characters", "list", "--format", "json"]) as? [[String: Any]]
            )
            let id = try #require(characters.first?["id"] as? Int)
            let removed = try await run(["characters", "remove", String(id)])
            #expect(removed.status == 0 && removed.output.contains("read-model rows deleted"), "\(removed.output)")
            let unconfirmed = try await run(["purge", "--character", String(id)])
            #expect(unconfirmed.status != 0 && unconfirmed.output.contains("--yes"))
            let purged = try await run(["purge", "--character", String(id), "--yes"])
            #expect(purged.status == 0 && purged.output.contains("purged character \(id)"), "\(purged.output)")
        }
    }
}
