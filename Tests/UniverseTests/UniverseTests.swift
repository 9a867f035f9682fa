import Foundation
import Postgres
import StaticData
import TestSupport
import Testing
import Vocabulary
import Zip

@testable import Universe

/// CCP's JSON Lines SDE, as `universe import-sde` reads it: the real records of
/// `Fixtures/ccp-jsonl-sample` (see its README), zipped here as CCP ships them.
@Suite struct SDEImportTests {
    static let sample = Bundle.module.url(forResource: "Fixtures/ccp-jsonl-sample", withExtension: nil)!

    /// The sample as a zip; `edit` may change a file's text first.
    static func archive(build: Int? = 3_650_286, _ edit: (String, String) -> String = { $1 }) throws -> [UInt8] {
        var zip = ZipArchive()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.sample.path)
            .filter { $0.hasSuffix(".jsonl") }.sorted()
        for file in files {
            let text = try String(contentsOf: Self.sample.appending(path: file), encoding: .utf8)
            try zip.add(file, data: Array(edit(file, text).utf8))
        }
        if let build {
            try zip.add(
                "_sde.jsonl",
                data: Array(#"{"_key": "sde", "buildNumber": \#(build), "releaseDate": "2026-10-26T11:08:19Z"}"#.utf8)
            )
        }
        return try zip.finish()
    }

    @Test func readsCCPsRecords() throws {
        let sde = try SDEImport.read(zip: try Self.archive(), fileName: "eve-online-static-data-3650286-jsonl.zip")
        #expect(sde.version.build == 3_650_286)
        #expect(sde.version.source == .import)
        let data = sde.data
        #expect(data.types.count == 125)
        #expect(data.types[587]?.name == "Rifter")
        #expect(data.types[587]?.groupName == "Frigate")
        #expect(data.types[587]?.categoryName == "Ship")
        #expect(data.types[587]?.requiredSkills == [SkillRequirement(skillID: 3329, level: 1)])
        #expect(data.types[23]?.name == "Cargo Container")
        #expect(data.types[19540]?.name == "High-grade Snake Alpha")
        #expect(data.systems[30_000_142]?.name == "Jita")
        #expect(data.systems[30_000_142]?.securityClass == "B")
        #expect(data.regions[10_000_002]?.name == "The Forge")
        // Names composed as CCP's client does: Jita IV - Moon 4 - Caldari Navy Assembly Plant,
        // except for the operation, whose name is in stationOperations (not in the sample).
        #expect(data.stations[60_003_760]?.name.hasPrefix("Jita IV - Moon 4 - ") == true)
        #expect(data.stations[60_000_463]?.name.hasPrefix("Jita VI - ") == true)
        // A station in a system newer than the map data keeps its system id.
        #expect(data.stations[60_015_198]?.systemID == 30_100_045)
        #expect(sde.missingTables.sorted() == ["ancestries", "bloodlines", "factions", "races"])
    }

    @Test func theBuildComesFromTheFileNameOrTheOption() throws {
        let zip = try Self.archive(build: nil)
        #expect(
            try SDEImport.read(zip: zip, fileName: "eve-online-static-data-3700000-jsonl.zip").version.build
                == 3_700_000
        )
        #expect(try SDEImport.read(zip: zip, fileName: "sde.zip", build: 42).version.build == 42)
        #expect(throws: SDEImportError.self) { try SDEImport.read(zip: zip, fileName: "sde.zip") }
    }

    @Test(arguments: [
        (
            "types.jsonl", "{\"_key\": 587, \"groupID\": 25, \"name\": {\"en\": \"Rifter\"}",
            "types.jsonl line 126: not a JSON object"
        ),
        ("types.jsonl", "{\"groupID\": 25, \"name\": {\"en\": \"No key\"}}", "types.jsonl line 126: _key is missing"),
        (
            "types.jsonl", "{\"_key\": 1.5, \"groupID\": 25, \"name\": {\"en\": \"x\"}}",
            "types.jsonl line 126: _key is not a whole number"
        ),
        (
            "types.jsonl", "{\"_key\": 1e300, \"groupID\": 25, \"name\": {\"en\": \"x\"}}",
            "types.jsonl line 126: _key is not a whole number"
        ),
        (
            "mapSolarSystems.jsonl", "{\"_key\": 30000001, \"name\": {\"en\": \"x\"}}",
            "mapSolarSystems.jsonl line 102: constellationID is missing"
        ),
        (
            "typeDogma.jsonl", "{\"_key\": 587, \"dogmaAttributes\": 7}",
            "typeDogma.jsonl line 31: dogmaAttributes is not a list of objects"
        ),
    ])
    func aMalformedLineIsRefusedWithItsPlace(file: String, line: String, message: String) throws {
        let zip = try Self.archive { name, text in name == file ? text + line + "\n" : text }
        #expect {
            try SDEImport.read(zip: zip, fileName: "sde-3650286.zip")
        } throws: { error in
            (error as? SDEImportError)?.description == message
        }
    }

    @Test func damagedAndForeignArchivesAreRefused() throws {
        var zip = try Self.archive()
        #expect(throws: SDEImportError.self) { try SDEImport.read(zip: Array(zip.prefix(1000)), fileName: "x.zip") }
        #expect(throws: SDEImportError.self) { try SDEImport.read(zip: Array("not a zip".utf8), fileName: "x.zip") }
        // One flipped byte inside an entry: its CRC-32 no longer matches.
        zip[200] ^= 0xFF
        #expect(throws: SDEImportError.self) { try SDEImport.read(zip: zip, fileName: "x.zip") }
        var other = ZipArchive()
        try other.add("readme.txt", data: Array("hello".utf8))
        #expect(throws: SDEImportError.self) { try SDEImport.read(zip: try other.finish(), fileName: "x.zip") }
    }

    @Test func anImportReplacesTheShippedDataOnceAndAnOlderBuildIsRefused() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                // The template holds the shipped data.
                #expect(try UniverseLoader.loadedVersion(on: connection) == UniverseVersion.shipped)
                try UniverseLoader.ensureShippedLoaded(on: connection)  // no-op
                let newer = try SDEImport.read(zip: try Self.archive(build: 3_700_000), fileName: "sde.zip")
                #expect(try UniverseLoader.load(newer, on: connection) == .loaded)
                let status = try UniverseLoader.status(on: connection)
                #expect(status.version?.build == 3_700_000)
                #expect(status.version?.source == .import)
                let counts = Dictionary(uniqueKeysWithValues: status.counts.map { ($0.table, $0.rows) })
                #expect(counts["types"] == 125)
                #expect(counts["systems"] == 101)
                #expect(counts["stations"] == 45)
                // Tables the archive lacks keep their rows.
                #expect(counts["factions"] == 27)
                #expect(
                    try connection.query("SELECT name FROM sde.types WHERE id = 587")[0].get(0, as: String.self)
                        == "Rifter"
                )
                // The same file again: nothing to do.
                #expect(try UniverseLoader.load(newer, on: connection) == .alreadyLoaded)
                // The shipped (older) build does not replace an imported newer one.
                try UniverseLoader.ensureShippedLoaded(on: connection)
                #expect(try UniverseLoader.loadedVersion(on: connection)?.build == 3_700_000)
                // An older import is refused unless asked for.
                let older = try SDEImport.read(zip: try Self.archive(build: 3_600_000), fileName: "sde.zip")
                #expect(throws: SDEImportError.self) { try UniverseLoader.load(older, on: connection) }
                #expect(try UniverseLoader.loadedVersion(on: connection)?.build == 3_700_000)
                #expect(try UniverseLoader.load(older, allowOlder: true, on: connection) == .loaded)
            }
        }
    }
}

@Suite struct ShippedUniverseTests {
    @Test func theShippedDataIsLoadedOnceWithEveryTable() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                let status = try UniverseLoader.status(on: connection)
                #expect(status.version == UniverseVersion.shipped)
                let counts = Dictionary(uniqueKeysWithValues: status.counts.map { ($0.table, $0.rows) })
                let manifest = UniverseArchive.manifest.counts
                for table in UniverseLoader.tableNames {
                    #expect(counts[table] == manifest[table], "\(table)")
                }
                // Loading again is a no-op: the load time stays.
                let before = try connection.query("SELECT loaded_at FROM sde.meta")[0].get(0, as: Date.self)
                try UniverseLoader.ensureShippedLoaded(on: connection)
                #expect(try connection.query("SELECT loaded_at FROM sde.meta")[0].get(0, as: Date.self) == before)
                let snake = try connection.query(
                    "SELECT implant_slot, attribute_bonus->>'perception' FROM sde.types WHERE id = 19540"
                )[0]
                #expect(try snake.get(0, as: Int32?.self) == 1)
                #expect(try snake.get(1, as: String?.self) != nil)
            }
        }
    }
}
