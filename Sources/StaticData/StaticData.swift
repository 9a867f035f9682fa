import Foundation

/// The static data shipped with the program (a subset of CCP's SDE, see `data/sde/README.md`),
/// decoded once and indexed by id.
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
    /// Types by curated kind, each list ordered by id (choices made from them are deterministic).
    private let typesByKind: [String: [ItemType]]
    /// Ids ordered ascending, for deterministic choices.
    public let systemIDs: [Int]
    public let stationIDs: [Int]
    /// Published skills with a rank and attributes (the ones characters can train), by id.
    public let trainableSkills: [Skill]

    /// The embedded data. Decoding takes a few tens of milliseconds, once per process.
    public static let shipped: StaticData = {
        do {
            return try StaticData(text: EmbeddedFiles.text(named:))
        } catch {
            // The files are part of the build; a failure here is a broken build, not bad input.
            fatalError("the embedded static data does not decode: \(error)")
        }
    }()

    /// Decodes the files, read by name through `text`.
    init(text: (String) -> String?) throws {
        func load<T: Decodable>(_ file: String, _ key: String, as: T.Type) throws -> [T] {
            guard let json = text(file) else { throw StaticDataError("\(file) is missing") }
            let decoder = JSONDecoder()
            decoder.userInfo[Member<T>.name] = key
            do {
                return try decoder.decode(Member<[T]>.self, from: Data(json.utf8)).value
            } catch {
                throw StaticDataError("\(file): \(error)")
            }
        }
        func index<T>(_ records: [T], _ id: KeyPath<T, Int>) -> [Int: T] {
            Dictionary(records.map { ($0[keyPath: id], $0) }) { first, _ in first }
        }
        self.skills = index(try load("skills.json", "skills", as: Skill.self), \.id)
        self.skillGroups = index(try load("skill_groups.json", "groups", as: SkillGroup.self), \.id)
        self.types = index(try load("types.json", "types", as: ItemType.self), \.id)
        self.groups = index(try load("groups.json", "groups", as: ItemGroup.self), \.id)
        self.categories = index(try load("categories.json", "categories", as: ItemCategory.self), \.id)
        self.systems = index(try load("systems.json", "systems", as: SolarSystem.self), \.id)
        self.stations = index(try load("stations.json", "stations", as: Station.self), \.id)
        self.regions = index(try load("regions.json", "regions", as: Region.self), \.id)
        self.constellations = index(try load("constellations.json", "constellations", as: Constellation.self), \.id)
        self.npcCorporations = index(
            try load("npc_corporations.json", "corporations", as: NPCCorporation.self),
            \.id
        )
        self.typesByKind = Dictionary(grouping: self.types.values.sorted { $0.id < $1.id }) { $0.kind ?? "" }
        self.systemIDs = self.systems.keys.sorted()
        self.stationIDs = self.stations.keys.sorted()
        self.trainableSkills = self.skills.values
            .filter { $0.published && $0.rank != nil && $0.primaryAttribute != nil && $0.secondaryAttribute != nil }
            .sorted { $0.id < $1.id }
    }

    /// Types of one curated kind (`ship`, `module`, `charge`, `drone`, `attribute_implant`, ...),
    /// ordered by id so that choices made from them are deterministic.
    public func types(ofKind kind: String) -> [ItemType] { self.typesByKind[kind] ?? [] }
}

/// The static data does not decode.
public struct StaticDataError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Decodes one member of a JSON object, named by the decoder's user info, ignoring the others
/// (such as `_meta`).
private struct Member<T: Decodable>: Decodable {
    static var name: CodingUserInfoKey { CodingUserInfoKey(rawValue: "member")! }
    let value: T

    init(from decoder: any Decoder) throws {
        let key = AnyKey(stringValue: decoder.userInfo[Self.name] as! String)
        self.value = try decoder.container(keyedBy: AnyKey.self).decode(T.self, forKey: key)
    }
}

private struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
