import Crypto
import Foundation
import Postgres
import StaticData
import Vocabulary
import Zip

/// Reads CCP's official Static Data Export in its JSON Lines variant
/// (`eve-online-static-data-<build>-jsonl.zip`: one `<table>.jsonl` per table, one object per
/// line, integer keys as `_key`, localised names as `{"en": ...}`) into ``StaticData``.
///
/// Unknown fields are ignored and optional ones may be missing; a line that is not a JSON object,
/// lacks `_key` or a required field, or holds a value of the wrong kind is refused with its file
/// and line, before anything is written.
public struct SDEImport: Sendable {
    public var data: StaticData
    public var version: UniverseVersion
    /// Tables the archive does not have (optional ones); their loaded rows are kept.
    public var missingTables: [String]

    /// Files that must be present.
    static let required = [
        "types", "groups", "categories", "typeDogma", "mapRegions", "mapConstellations", "mapSolarSystems",
        "npcStations", "npcCorporations",
    ]

    /// Reads an archive. `build` overrides the build number (else `_sde.jsonl`, else the file name).
    public static func read(zip bytes: [UInt8], fileName: String, build: Int? = nil) throws -> SDEImport {
        let archive: ZipReader
        do { archive = try ZipReader(bytes) } catch { throw SDEImportError(.notAnArchive, "\(fileName): \(error)") }
        func lines(_ table: String) throws -> [(line: Int, record: [String: Any])]? {
            // CCP's zip holds the files at its root; accept them one folder down too.
            guard
                let entry = archive.entries.first(where: {
                    $0.name == table + ".jsonl" || $0.name.hasSuffix("/" + table + ".jsonl")
                })
            else { return nil }
            let contents: [UInt8]
            do { contents = try archive.contents(of: entry) } catch { throw SDEImportError(.notAnArchive, "\(error)") }
            var records = [(Int, [String: Any])]()
            var number = 0
            for line in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                number += 1
                let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
                guard !trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed)) as? [String: Any] else {
                    throw SDEImportError(.malformedRecord, "\(entry.name) line \(number): not a JSON object")
                }
                records.append((number, object))
            }
            return records
        }
        var tables = [String: [(line: Int, record: [String: Any])]]()
        var missing = [String]()
        for table in Self.required + Self.optional {
            if let records = try lines(table) {
                tables[table] = records
            } else if Self.required.contains(table) {
                throw SDEImportError(
                    .missingTable,
                    "\(fileName): \(table).jsonl is missing; is this CCP's JSON Lines SDE?"
                )
            } else {
                missing.append(table)
            }
        }
        var reader = Reader(tables: tables)
        let data = try reader.staticData()
        let number =
            try build ?? reader.build()
            ?? fileName.firstMatch(of: /static-data-(\d+)/).flatMap { Int($0.1) }
        guard let number, number > 0 else {
            throw SDEImportError(
                .noBuild,
                "\(fileName): no build number (no _sde.jsonl, none in the file name); give --build"
            )
        }
        let checksum = SHA256.hash(data: bytes).hexEncoded
        return SDEImport(
            data: data,
            version: UniverseVersion(
                build: number,
                releasedAt: reader.releaseDate,
                source: .import,
                checksum: checksum
            ),
            // Only these tables of schema sde come from one optional file each.
            missingTables: missing.filter { ["factions", "races", "bloodlines", "ancestries"].contains($0) }
        )
    }

    static let optional = [
        "_sde", "metaGroups", "stationOperations", "mapPlanets", "mapMoons", "factions", "races",
        "bloodlines", "ancestries",
    ]
}

/// The import cannot be used; nothing was changed.
/// An SDE file that cannot be imported: its code and a message (nothing changed).
public typealias SDEImportError = ModuleError<SDEImportErrorCodes>

/// The codes of ``SDEImportError``.
public enum SDEImportErrorCodes {}

extension ErrorCode where Owner == SDEImportErrorCodes {
    /// Not a zip, or a damaged one.
    public static let notAnArchive = Self("not_an_archive", .invalidInput)
    /// A table the product needs is not in the file.
    public static let missingTable = Self("missing_table", .invalidInput)
    /// A line that is not a record of its table.
    public static let malformedRecord = Self("malformed_record", .invalidInput)
    /// The file says no build number and none was given.
    public static let noBuild = Self("no_build", .invalidInput)
    /// A newer build is loaded already.
    public static let olderBuild = Self("older_build", .conflict)
}

/// Turns the records into typed static data, checking each field it reads.
private struct Reader {
    typealias Line = (line: Int, record: [String: Any])
    let tables: [String: [Line]]
    var releaseDate: Date?

    init(tables: [String: [Line]]) { self.tables = tables }

    // MARK: Fields

    private func fail(_ table: String, _ line: Int, _ problem: String) -> SDEImportError {
        SDEImportError(.malformedRecord, "\(table).jsonl line \(line): \(problem)")
    }

    private func int(_ table: String, _ line: Line, _ key: String) throws -> Int? {
        guard let value = line.record[key], !(value is NSNull) else { return nil }
        // Whole numbers only, within Int: a float, a string or 1e300 is refused, not converted.
        guard let number = value as? NSNumber, !isBoolean(number),
            let exact = Int(exactly: number.doubleValue), Double(exact) == number.doubleValue
        else { throw self.fail(table, line.line, "\(key) is not a whole number") }
        return exact
    }

    private func requiredInt(_ table: String, _ line: Line, _ key: String) throws -> Int {
        guard let value = try self.int(table, line, key) else { throw self.fail(table, line.line, "\(key) is missing") }
        return value
    }

    private func double(_ table: String, _ line: Line, _ key: String) throws -> Double? {
        guard let value = line.record[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !isBoolean(number), number.doubleValue.isFinite
        else { throw self.fail(table, line.line, "\(key) is not a number") }
        return number.doubleValue
    }

    private func bool(_ table: String, _ line: Line, _ key: String, default fallback: Bool) throws -> Bool {
        guard let value = line.record[key], !(value is NSNull) else { return fallback }
        if let number = value as? NSNumber, isBoolean(number) || number == 0 || number == 1 { return number.boolValue }
        throw self.fail(table, line.line, "\(key) is not true or false")
    }

    /// A localised name: `{"en": ...}` (or a plain string, as in some files).
    private func name(_ table: String, _ line: Line, _ key: String = "name") throws -> String? {
        guard let value = line.record[key], !(value is NSNull) else { return nil }
        if let text = value as? String { return text }
        if let names = value as? [String: Any], let english = names["en"] as? String { return english }
        throw self.fail(table, line.line, "\(key) is not a name")
    }

    private func requiredName(_ table: String, _ line: Line) throws -> String {
        guard let name = try self.name(table, line) else { throw self.fail(table, line.line, "name is missing") }
        return name
    }

    private func key(_ table: String, _ line: Line) throws -> Int { try self.requiredInt(table, line, "_key") }

    // MARK: Tables

    mutating func build() throws -> Int? {
        guard let line = self.tables["_sde"]?.first else { return nil }
        if let date = line.record["releaseDate"] as? String { self.releaseDate = try? Date(date, strategy: .iso8601) }
        return try self.int("_sde", line, "buildNumber")
    }

    func staticData() throws -> StaticData {
        let categories = try (self.tables["categories"] ?? []).map {
            ItemCategory(
                id: try self.key("categories", $0),
                name: try self.requiredName("categories", $0),
                published: try self.bool("categories", $0, "published", default: false)
            )
        }
        let groups = try (self.tables["groups"] ?? []).map {
            ItemGroup(
                id: try self.key("groups", $0),
                name: try self.requiredName("groups", $0),
                categoryID: try self.requiredInt("groups", $0, "categoryID"),
                published: try self.bool("groups", $0, "published", default: false)
            )
        }
        let categoryByID = Dictionary(categories.map { ($0.id, $0) }) { first, _ in first }
        let groupByID = Dictionary(groups.map { ($0.id, $0) }) { first, _ in first }
        let metaGroups = Dictionary(
            try (self.tables["metaGroups"] ?? []).map {
                (try self.key("metaGroups", $0), try self.name("metaGroups", $0))
            }
        ) { first, _ in first }
        let dogma = try self.dogma()

        var types = [ItemType]()
        var skills = [Skill]()
        for line in self.tables["types"] ?? [] {
            let id = try self.key("types", line)
            let groupID = try self.requiredInt("types", line, "groupID")
            let group = groupByID[groupID]
            let categoryID = group?.categoryID ?? 0
            let attributes = dogma[id] ?? [:]
            let requirements = Self.requirements(attributes)
            var type = ItemType(
                id: id,
                name: try self.requiredName("types", line),
                groupID: groupID,
                groupName: group?.name ?? String(groupID),
                categoryID: categoryID,
                categoryName: categoryByID[categoryID]?.name ?? String(categoryID),
                metaGroup: try self.int("types", line, "metaGroupID").flatMap { metaGroups[$0] ?? nil },
                marketGroupID: try self.int("types", line, "marketGroupID"),
                published: try self.bool("types", line, "published", default: false),
                volume: try self.double("types", line, "volume"),
                raceID: try self.int("types", line, "raceID"),
                factionID: try self.int("types", line, "factionID"),
                requiredSkills: requirements.isEmpty ? nil : requirements,
                implantSlot: attributes[331].flatMap { Int(exactly: $0) }
            )
            let bonuses = Self.attributeBonuses(attributes)
            type.attributeBonus = bonuses.isEmpty ? nil : bonuses
            types.append(type)
            if categoryID == 16 {
                skills.append(
                    Skill(
                        id: id,
                        name: type.name,
                        groupID: groupID,
                        groupName: type.groupName,
                        rank: attributes[275],
                        primaryAttribute: attributes[180].flatMap(Self.attribute),
                        secondaryAttribute: attributes[181].flatMap(Self.attribute),
                        published: type.published,
                        requiredSkills: requirements
                    )
                )
            }
        }

        let regions = try (self.tables["mapRegions"] ?? []).map {
            Region(id: try self.key("mapRegions", $0), name: try self.requiredName("mapRegions", $0))
        }
        let constellations = try (self.tables["mapConstellations"] ?? []).map {
            Constellation(
                id: try self.key("mapConstellations", $0),
                name: try self.requiredName("mapConstellations", $0),
                regionID: try self.requiredInt("mapConstellations", $0, "regionID")
            )
        }
        let corporations = try (self.tables["npcCorporations"] ?? []).map {
            NPCCorporation(
                id: try self.key("npcCorporations", $0),
                name: try self.requiredName("npcCorporations", $0),
                factionID: try self.int("npcCorporations", $0, "factionID"),
                homeSystemID: try self.int("npcCorporations", $0, "solarSystemID")
            )
        }
        let stationLines = self.tables["npcStations"] ?? []
        var stationsBySystem = [Int: [Int]]()
        for line in stationLines {
            stationsBySystem[try self.requiredInt("npcStations", line, "solarSystemID"), default: []].append(
                try self.key("npcStations", line)
            )
        }
        let systems = try (self.tables["mapSolarSystems"] ?? []).map { line in
            let id = try self.key("mapSolarSystems", line)
            return SolarSystem(
                id: id,
                name: try self.requiredName("mapSolarSystems", line),
                constellationID: try self.requiredInt("mapSolarSystems", line, "constellationID"),
                regionID: try self.requiredInt("mapSolarSystems", line, "regionID"),
                securityStatus: try self.double("mapSolarSystems", line, "securityStatus") ?? 0,
                securityClass: line.record["securityClass"] as? String,
                stations: (stationsBySystem[id] ?? []).sorted()
            )
        }
        let stations = try self.stations(systems: systems, corporations: corporations)
        return StaticData(
            skills: skills,
            types: types,
            groups: groups,
            categories: categories,
            systems: systems,
            stations: stations,
            regions: regions,
            constellations: constellations,
            npcCorporations: corporations,
            factions: try (self.tables["factions"] ?? []).map {
                Faction(
                    id: try self.key("factions", $0),
                    name: try self.requiredName("factions", $0),
                    raceID: ($0.record["memberRaces"] as? [Any])?.first.flatMap { ($0 as? NSNumber)?.intValue },
                    homeSystemID: try self.int("factions", $0, "solarSystemID"),
                    corporationID: try self.int("factions", $0, "corporationID"),
                    militiaCorporationID: try self.int("factions", $0, "militiaCorporationID")
                )
            },
            races: try (self.tables["races"] ?? []).map {
                Race(id: try self.key("races", $0), name: try self.requiredName("races", $0))
            },
            bloodlines: try (self.tables["bloodlines"] ?? []).map {
                Bloodline(
                    id: try self.key("bloodlines", $0),
                    name: try self.requiredName("bloodlines", $0),
                    raceID: try self.requiredInt("bloodlines", $0, "raceID"),
                    corporationID: try self.int("bloodlines", $0, "corporationID"),
                    perception: try self.int("bloodlines", $0, "perception") ?? 0,
                    willpower: try self.int("bloodlines", $0, "willpower") ?? 0,
                    charisma: try self.int("bloodlines", $0, "charisma") ?? 0,
                    memory: try self.int("bloodlines", $0, "memory") ?? 0,
                    intelligence: try self.int("bloodlines", $0, "intelligence") ?? 0
                )
            },
            ancestries: try (self.tables["ancestries"] ?? []).map {
                Ancestry(
                    id: try self.key("ancestries", $0),
                    name: try self.requiredName("ancestries", $0),
                    bloodlineID: try self.requiredInt("ancestries", $0, "bloodlineID"),
                    perception: try self.int("ancestries", $0, "perception") ?? 0,
                    willpower: try self.int("ancestries", $0, "willpower") ?? 0,
                    charisma: try self.int("ancestries", $0, "charisma") ?? 0,
                    memory: try self.int("ancestries", $0, "memory") ?? 0,
                    intelligence: try self.int("ancestries", $0, "intelligence") ?? 0
                )
            }
        )
    }

    /// Dogma attribute values by type: `typeDogma.jsonl` lists `dogmaAttributes: [{attributeID, value}]`.
    private func dogma() throws -> [Int: [Int: Double]] {
        var result = [Int: [Int: Double]]()
        for line in self.tables["typeDogma"] ?? [] {
            let id = try self.key("typeDogma", line)
            guard let list = line.record["dogmaAttributes"] else { continue }
            guard let attributes = list as? [[String: Any]] else {
                throw self.fail("typeDogma", line.line, "dogmaAttributes is not a list of objects")
            }
            var values = [Int: Double]()
            for attribute in attributes {
                let entry = (line.line, attribute)
                guard let attributeID = try self.int("typeDogma", entry, "attributeID"),
                    let value = try self.double("typeDogma", entry, "value")
                else { throw self.fail("typeDogma", line.line, "an attribute without attributeID or value") }
                values[attributeID] = value
            }
            result[id] = values
        }
        return result
    }

    /// CCP's required-skill attributes (skill, level): 182/277, 183/278, 184/279, 1285/1286,
    /// 1289/1287, 1290/1288.
    static func requirements(_ attributes: [Int: Double]) -> [SkillRequirement] {
        [(182, 277), (183, 278), (184, 279), (1285, 1286), (1289, 1287), (1290, 1288)].compactMap { skill, level in
            guard let id = attributes[skill].flatMap({ Int(exactly: $0) }), id > 0,
                let required = attributes[level].flatMap({ Int(exactly: $0) }), (0...5).contains(required)
            else { return nil }
            return SkillRequirement(skillID: id, level: required)
        }
    }

    /// Attribute bonuses of implants and boosters: 175 charisma … 179 willpower, non-zero only.
    static func attributeBonuses(_ attributes: [Int: Double]) -> [String: Int] {
        let names = [175: "charisma", 176: "intelligence", 177: "memory", 178: "perception", 179: "willpower"]
        var bonuses = [String: Int]()
        for (id, name) in names {
            if let value = attributes[id].flatMap({ Int(exactly: $0) }), value != 0 { bonuses[name] = value }
        }
        return bonuses
    }

    /// Attribute ids 164–168 as the attribute they name.
    static func attribute(_ value: Double) -> CharacterAttribute? {
        switch Int(exactly: value) {
        case 164: .charisma
        case 165: .intelligence
        case 166: .memory
        case 167: .perception
        case 168: .willpower
        default: nil
        }
    }

    /// Stations named as CCP's client composes them (CCP ships no names):
    /// `<celestial> - <corporation>[ <operation>]`, the celestial being the planet or moon's own
    /// name where `mapPlanets`/`mapMoons` give one, else `<system> <roman index>[ - Moon <n>]`.
    private func stations(systems: [SolarSystem], corporations: [NPCCorporation]) throws -> [Station] {
        let systemByID = Dictionary(systems.map { ($0.id, $0) }) { first, _ in first }
        let corporationByID = Dictionary(corporations.map { ($0.id, $0.name) }) { first, _ in first }
        var operations = [Int: String]()
        for line in self.tables["stationOperations"] ?? [] {
            operations[try self.key("stationOperations", line)] = try self.name(
                "stationOperations",
                line,
                "operationName"
            )
        }
        var uniqueNames = [Int: String]()
        for table in ["mapPlanets", "mapMoons"] {
            for line in self.tables[table] ?? [] {
                if let name = try self.name(table, line, "uniqueName") { uniqueNames[try self.key(table, line)] = name }
            }
        }
        return try (self.tables["npcStations"] ?? []).map { line in
            let id = try self.key("npcStations", line)
            let systemID = try self.requiredInt("npcStations", line, "solarSystemID")
            let owner = try self.requiredInt("npcStations", line, "ownerID")
            let system = systemByID[systemID]
            var celestial = system?.name ?? String(systemID)
            if let orbit = try self.int("npcStations", line, "orbitID"), let unique = uniqueNames[orbit] {
                celestial = unique
            } else if let index = try self.int("npcStations", line, "celestialIndex") {
                celestial += " " + romanNumeral(index)
                // A station orbiting a moon carries the moon's number.
                if let moon = try self.int("npcStations", line, "orbitIndex") { celestial += " - Moon \(moon)" }
            }
            var name = celestial + " - " + (corporationByID[owner] ?? String(owner))
            if try self.bool("npcStations", line, "useOperationName", default: false),
                let operation = try self.int("npcStations", line, "operationID").flatMap({ operations[$0] })
            {
                name += " " + operation
            }
            return Station(
                id: id,
                name: name,
                systemID: systemID,
                regionID: system?.regionID ?? 0,
                typeID: try self.requiredInt("npcStations", line, "typeID"),
                owner: owner
            )
        }
    }
}

/// JSONSerialization gives true and false as NSNumbers too; theirs is the type code of a C bool.
private func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }
