import Foundation
import Vocabulary

/// Static data (CCP's SDE, see `data/sde/README.md`) decoded and indexed by id: the whole of it,
/// or a subset read from a database. Processes that serve users read it from the database, where
/// it is loaded once per data version; decoding the whole archive is for loading it there, for the
/// simulator and for tests.
public struct StaticData: Sendable {
    public let skills: [Int: Skill]
    public let skillGroups: [Int: SkillGroup]
    public let types: [Int: ItemType]
    public let groups: [Int: ItemGroup]
    public let categories: [Int: ItemCategory]
    public let systems: [Int: SolarSystem]
    public let stations: [Int: Station]
    public let regions: [Int: Region]
    public let constellations: [Int: Constellation]
    public let npcCorporations: [Int: NPCCorporation]
    public let factions: [Int: Faction]
    public let races: [Int: Race]
    public let bloodlines: [Int: Bloodline]
    public let ancestries: [Int: Ancestry]
    /// Types by curated kind, each list ordered by id (choices made from them are deterministic).
    private let typesByKind: [String: [ItemType]]
    /// Ids ordered ascending, for deterministic choices.
    public let systemIDs: [Int]
    public let stationIDs: [Int]
    /// Published types with a market group (the ones with a market price), ordered by id.
    public let marketTypes: [ItemType]
    /// Published skills with a rank and attributes (the ones characters can train), by id.
    public let trainableSkills: [Skill]

    /// The embedded archive, decoded once per process on first use (about a second in a debug
    /// build): for the simulator and tests, never on a command's path to its first query.
    public static let shipped: StaticData = {
        do {
            return try StaticData(jsonLines: UniverseArchive.text())
        } catch {
            // The archive is part of the build: a failure here is a broken build, not bad input.
            fatalError("the embedded static data does not decode: \(error)")
        }
    }()

    /// Decodes an archive's JSON Lines: per table a header line `{"_file": NAME, "_meta": ...}`
    /// followed by one record per line.
    public init(jsonLines: [UInt8]) throws {
        var tables = [String: [ArraySlice<UInt8>]]()
        var current: String?
        var lineNumber = 0
        for line in jsonLines.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            lineNumber += 1
            if line.starts(with: Array(#"{"_file":"#.utf8)) {
                guard let header = try? JSONDecoder().decode(Header.self, from: Data(line)) else {
                    throw StaticDataError(.malformed, "line \(lineNumber): a malformed table header")
                }
                current = header.file
                tables[header.file, default: []] = []
            } else if let table = current {
                tables[table]?.append(line)
            } else {
                throw StaticDataError(.malformed, "line \(lineNumber): a record before any table header")
            }
        }
        func load<T: Decodable>(_ table: String, as: T.Type) throws -> [T] {
            guard let lines = tables[table] else { throw StaticDataError(.malformed, "table \(table) is missing") }
            // One array of the table's lines: a single decode, not one per record.
            var array = [UInt8]()
            array.reserveCapacity(lines.reduce(2) { $0 + $1.count + 1 })
            array.append(UInt8(ascii: "["))
            for (index, line) in lines.enumerated() {
                if index > 0 { array.append(UInt8(ascii: ",")) }
                array.append(contentsOf: line)
            }
            array.append(UInt8(ascii: "]"))
            do {
                return try JSONDecoder().decode([T].self, from: Data(array))
            } catch {
                throw StaticDataError(.malformed, "\(table): \(error)")
            }
        }
        self.init(
            skills: try load("skills", as: Skill.self),
            skillGroups: try load("skill_groups", as: SkillGroup.self),
            types: try load("types", as: ItemType.self),
            groups: try load("groups", as: ItemGroup.self),
            categories: try load("categories", as: ItemCategory.self),
            systems: try load("systems", as: SolarSystem.self),
            stations: try load("stations", as: Station.self),
            regions: try load("regions", as: Region.self),
            constellations: try load("constellations", as: Constellation.self),
            npcCorporations: try load("npc_corporations", as: NPCCorporation.self),
            factions: try load("factions", as: Faction.self),
            races: try load("races", as: Race.self),
            bloodlines: try load("bloodlines", as: Bloodline.self),
            ancestries: try load("ancestries", as: Ancestry.self)
        )
    }

    /// Indexes records; any table may be empty (a subset read from a database).
    public init(
        skills: [Skill] = [],
        skillGroups: [SkillGroup] = [],
        types: [ItemType] = [],
        groups: [ItemGroup] = [],
        categories: [ItemCategory] = [],
        systems: [SolarSystem] = [],
        stations: [Station] = [],
        regions: [Region] = [],
        constellations: [Constellation] = [],
        npcCorporations: [NPCCorporation] = [],
        factions: [Faction] = [],
        races: [Race] = [],
        bloodlines: [Bloodline] = [],
        ancestries: [Ancestry] = []
    ) {
        func index<T>(_ records: [T], _ id: KeyPath<T, Int>) -> [Int: T] {
            Dictionary(records.map { ($0[keyPath: id], $0) }) { first, _ in first }
        }
        self.skills = index(skills, \.id)
        self.skillGroups = index(skillGroups, \.id)
        self.types = index(types, \.id)
        self.groups = index(groups, \.id)
        self.categories = index(categories, \.id)
        self.systems = index(systems, \.id)
        self.stations = index(stations, \.id)
        self.regions = index(regions, \.id)
        self.constellations = index(constellations, \.id)
        self.npcCorporations = index(npcCorporations, \.id)
        self.factions = index(factions, \.id)
        self.races = index(races, \.id)
        self.bloodlines = index(bloodlines, \.id)
        self.ancestries = index(ancestries, \.id)
        self.typesByKind = Dictionary(grouping: self.types.values.sorted { $0.id < $1.id }) { $0.kind ?? "" }
        self.systemIDs = self.systems.keys.sorted()
        self.stationIDs = self.stations.keys.sorted()
        self.marketTypes = self.types.values.filter { $0.published && $0.marketGroupID != nil }.sorted { $0.id < $1.id }
        self.trainableSkills = self.skills.values
            .filter { $0.published && $0.rank != nil && $0.primaryAttribute != nil && $0.secondaryAttribute != nil }
            .sorted { $0.id < $1.id }
    }

    /// Types of one curated kind (`ship`, `module`, `charge`, `drone`, `attribute_implant`, ...),
    /// ordered by id so that choices made from them are deterministic.
    public func types(ofKind kind: String) -> [ItemType] { self.typesByKind[kind] ?? [] }
}

/// The static data does not decode.
/// Static data that does not read: its code and a message.
public typealias StaticDataError = ModuleError<StaticDataErrorCodes>

/// The codes of ``StaticDataError``.
public enum StaticDataErrorCodes {}

extension ErrorCode where Owner == StaticDataErrorCodes {
    /// The embedded archive or a table of it is damaged: a bug in the build.
    public static let malformed = Self("malformed", .failure)
}

private struct Header: Decodable {
    let file: String

    enum CodingKeys: String, CodingKey { case file = "_file" }
}
