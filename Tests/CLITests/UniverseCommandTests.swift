import Foundation
import TestSupport
import Testing
import Zip

/// `universe status` and `universe import-sde` end to end: the shipped build is loaded, a newer
/// CCP archive replaces it, a damaged one is refused with its place and changes nothing.
@Suite struct UniverseCommandTests {
    /// A tiny archive in CCP's JSON Lines layout: one of everything the importer needs.
    static func archive(build: Int, extraTypeLine: String = "") throws -> [UInt8] {
        let files = [
            "_sde.jsonl": #"{"_key": "sde", "buildNumber": \#(build), "releaseDate": "2027-01-05T11:00:00Z"}"#,
            "categories.jsonl": #"{"_key": 6, "name": {"en": "Ship"}, "published": true}"#,
            "groups.jsonl": #"{"_key": 25, "categoryID": 6, "name": {"en": "Frigate"}, "published": true}"#,
            "types.jsonl":
                #"{"_key": 587, "groupID": 25, "name": {"en": "Rifter"}, "published": true, "volume": 27289.0}"#
                + "\n" + extraTypeLine,
            "typeDogma.jsonl":
                #"{"_key": 587, "dogmaAttributes": [{"attributeID": 182, "value": 3329.0}, {"attributeID": 277, "value": 1.0}]}"#,
            "mapRegions.jsonl": #"{"_key": 10000002, "name": {"en": "The Forge"}}"#,
            "mapConstellations.jsonl": #"{"_key": 20000020, "name": {"en": "Kimotoro"}, "regionID": 10000002}"#,
            "mapSolarSystems.jsonl":
                #"{"_key": 30000142, "constellationID": 20000020, "name": {"en": "Jita"}, "regionID": 10000002, "securityStatus": 0.945913}"#,
            "npcStations.jsonl":
                #"{"_key": 60003760, "celestialIndex": 4, "orbitIndex": 4, "ownerID": 1000035, "solarSystemID": 30000142, "typeID": 1531}"#,
            "npcCorporations.jsonl": #"{"_key": 1000035, "name": {"en": "Caldari Navy"}}"#,
        ]
        var zip = ZipArchive()
        for (name, text) in files.sorted(by: { $0.key < $1.key }) { try zip.add(name, data: Array(text.utf8)) }
        return try zip.finish()
    }

    @Test func statusShowsTheBuildAndImportReplacesIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "sde-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestDatabase.with { _, conninfo in
            let environment = ["MEMBERAUDIT_DATABASE_URL": conninfo]
            func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                try await runMemberAudit(arguments, environment: environment)
            }
            let shipped = try await run(["universe", "status"])
            #expect(shipped.status == 0 && shipped.output.contains("build 3650286"), "\(shipped.output)")
            #expect(shipped.output.contains("shipped with this program") && shipped.output.contains("53,289"))

            // A malformed line: refused with its file and line, exit 2, nothing changed.
            let broken = folder.appending(path: "eve-online-static-data-3700000-jsonl.zip")
            try Data(try Self.archive(build: 3_700_000, extraTypeLine: #"{"_key": "x""#)).write(to: broken)
            let refused = try await run(["universe", "import-sde", broken.path])
            #expect(refused.status == 2, "\(refused.output)")
            #expect(refused.output.contains("types.jsonl line 2: not a JSON object"), "\(refused.output)")
            #expect(try await run(["universe", "status"]).output.contains("build 3650286"))

            let good = folder.appending(path: "sde.zip")
            try Data(try Self.archive(build: 3_700_000)).write(to: good)
            let loaded = try await run(["universe", "import-sde", good.path])
            #expect(loaded.status == 0 && loaded.output.contains("loaded build 3700000: 1 types"), "\(loaded.output)")
            let status = try await run(["universe", "status"])
            #expect(status.output.contains("build 3700000 released 2027-01-05, imported"), "\(status.output)")
            let again = try await run(["universe", "import-sde", good.path])
            #expect(again.status == 0 && again.output.contains("loaded already; nothing changed"), "\(again.output)")
            let notZip = try await run(["universe", "import-sde", "/etc/hostname"])
            #expect(notZip.status == 2 && notZip.output.contains("not a zip archive"), "\(notZip.output)")
        }
    }
}
