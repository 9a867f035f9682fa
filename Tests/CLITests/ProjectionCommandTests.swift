import Foundation
import LocalPostgres
import TestSupport
import Testing

/// The read-model commands end to end: sync projects, show, overview, project, rebuild, stats.
@Suite struct ProjectionCommandTests {
    @Test func syncThenReadTheCharactersBackAndRebuildWithVerification() async throws {
        let (simulator, base, tokens) = try await startSimulator(characters: 2)
        defer { simulator.terminate() }
        try await TestDatabase.with { _, conninfo in
            let environment = simulatorEnvironment(database: conninfo, simulator: base)
            func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                try await runMemberAudit(arguments, environment: environment)
            }
            for token in tokens { #expect(try await run(["characters", "add", "--refresh-token", token]).status == 0) }
            let sync = try await run(["sync"])
            #expect(sync.status == 0 && sync.output.contains("read models:"), "\(sync.output)")

            let list = try await run(["characters", "list", "--format", "json"])
            let characters = try #require(
                try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]]
            )
            let name = try #require(characters.first?["name"] as? String)
            let id = try #require(characters.first?["id"] as? Int)

            // show: by name, every section as a member of one JSON object.
            let shown = try await run(["show", name, "--format", "json"])
            #expect(shown.status == 0, "\(shown.output)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any])
            #expect(object["id"] as? Int == id && object["name"] as? String == name)
            for section in [
                "assets", "attributes", "character_details", "contacts", "contracts", "corporation_history", "fw_stats",
                "implants", "jump_clones", "location", "loyalty", "mails", "mining_ledger", "online_status", "planets",
                "roles", "ship", "skill_queue", "skills", "standings", "titles", "wallet_balance", "wallet_journal",
                "wallet_transactions", "overview", "update_status",
            ] {
                #expect(object[section] != nil, "section \(section)")
            }
            let location = try #require(object["location"] as? [String: Any])
            #expect(location["solar_system"] is String, "the system is named: \(location)")
            #expect((object["assets"] as? [Any])?.isEmpty == false)

            // By id, one section, as CSV and as a table.
            let csv = try await run(["show", String(id), "--section", "skills", "--format", "csv"])
            #expect(
                csv.output.hasPrefix("# skills.totals\ntotal_sp,unallocated_sp,fetched_at"),
                "\(csv.output.prefix(200))"
            )
            let table = try await run(["show", String(id), "--section", "ship"])
            #expect(table.status == 0 && table.output.contains("== ship ==") && table.output.contains("ship_type"))
            let nobody = try await run(["show", "Nobody At All"])
            #expect(nobody.status != 0 && nobody.output.contains("no character known by \"Nobody At All\""))
            let badSection = try await run(["show", name, "--section", "asets"])
            #expect(badSection.status != 0 && badSection.output.contains("no section named asets"))

            let overview = try await run(["overview", "--format", "json"])
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(overview.output.utf8)) as? [[String: Any]]
            )
            #expect(rows.count == 2 && rows.allSatisfy { $0["sp"] is Int && $0["location"] is String })

            // export: a zip per topic, or plain CSV; each with its header line.
            let folder = FileManager.default.temporaryDirectory.appending(path: "export-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let exported = try await run(["export", "--output", folder.path])
            #expect(exported.status == 0 && exported.output.contains("wallet-journal"), "\(exported.output)")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            #expect(files.count == 4 && files.allSatisfy { $0.hasPrefix("memberaudit-") && $0.hasSuffix(".zip") })
            let contracts = try #require(files.first { $0.contains("-contracts-") })
            let entries = try inspectZip(Array(try Data(contentsOf: folder.appending(path: contracts))))
            #expect(entries.first?.text.hasPrefix("character_id,character,contract_id,type,status") == true)
            let plain = try await run([
                "export", "contract-items", "--csv", "--character", String(id), "--output", folder.path,
            ])
            #expect(plain.status == 0, "\(plain.output)")
            let csvFile = try #require(
                try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasSuffix(".csv") }
            )
            let items = try String(contentsOf: folder.appending(path: csvFile), encoding: .utf8)
            #expect(items.hasPrefix("character_id,character,contract_id,record_id,type_id,type,quantity"))
            #expect(items.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("\(id),") })
            let badTopic = try await run(["export", "assets-of-everyone"])
            #expect(badTopic.status != 0 && badTopic.output.contains("assets-of-everyone"))

            #expect(try await run(["project"]).output.contains("applied 0 events"))
            let rebuild = try await run(["rebuild", "--verify"])
            #expect(rebuild.status == 0, "\(rebuild.output)")
            #expect(rebuild.output.contains("equal") && !rebuild.output.contains("DIFFERENT"), "\(rebuild.output)")
            let badProjection = try await run(["rebuild", "--projection", "nope"])
            #expect(badProjection.status != 0 && badProjection.output.contains("no read model named nope"))

            let stats = try await run(["stats", "--format", "json"])
            let statistics = try #require(
                try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any]
            )
            let projections = try #require(statistics["projections"] as? [String: Any])
            #expect(projections["quarantined"] as? Int == 0)
            #expect(try await run(["stats"]).output.contains("read models (log head"))
        }
    }
}
