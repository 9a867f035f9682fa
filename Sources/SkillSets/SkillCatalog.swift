import Foundation
import StaticData

/// Skill and item lookups over the static data: names (case-insensitive), direct requirements
/// and the whole prerequisite chain.
public struct SkillCatalog: Sendable {
    public let data: StaticData
    private let skillsByName: [String: Skill]
    private let typesByName: [String: Int]

    /// The catalog of the whole shipped archive, decoded in-process: for the simulator and tests.
    /// Processes that serve users read theirs from the database (`load(_:on:)`).
    public static let shipped = SkillCatalog(data: .shipped)

    public init(data: StaticData) {
        self.data = data
        self.skillsByName = Dictionary(data.skills.values.map { (Self.key($0.name), $0) }) { a, b in
            // Prefer the published skill when an unpublished one shares its name.
            a.published ? a : b
        }
        var types = [String: Int]()
        // A name means the published type where an unpublished one shares it (the whole SDE has
        // 1,038 repeated names: "Angel Control Tower" is 3591, unpublished, and 27539), else the
        // first by id.
        let ordered = data.types.values.sorted { ($0.published ? 0 : 1, $0.id) < ($1.published ? 0 : 1, $1.id) }
        for type in ordered where types[Self.key(type.name)] == nil {
            types[Self.key(type.name)] = type.id
        }
        // Skill books can be cargo too.
        for skill in data.skills.values where types[Self.key(skill.name)] == nil {
            types[Self.key(skill.name)] = skill.id
        }
        self.typesByName = types
    }

    static func key(_ name: some StringProtocol) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased()
    }

    public func skill(named name: some StringProtocol) -> Skill? { self.skillsByName[Self.key(name)] }

    public func skill(_ id: Int) -> Skill? { self.data.skills[id] }

    /// The type id of an item, ship, charge, drone or skill book by name.
    public func typeID(named name: some StringProtocol) -> Int? { self.typesByName[Self.key(name)] }

    /// A name for display: the skill's or type's name, or the id.
    public func name(of id: Int) -> String {
        self.data.skills[id]?.name ?? self.data.types[id]?.name ?? "type \(id)"
    }

    /// The skills using a type needs directly (a skill book's are its prerequisites).
    public func directRequirements(ofType id: Int) -> [SkillRequirement] {
        self.data.types[id]?.requiredSkills ?? self.data.skills[id]?.requiredSkills ?? []
    }

    /// The requirements with every prerequisite of every skill in them, recursively: the highest
    /// level each skill is needed at. Training a skill at any level needs its prerequisites.
    public func expand(_ requirements: [SkillRequirement]) -> [Int: Int] {
        var levels = [Int: Int]()
        var pending = requirements
        while let next = pending.popLast() {
            let known = levels[next.skillID]
            guard known == nil || known! < next.level else { continue }
            levels[next.skillID] = next.level
            // Prerequisites do not depend on the level, so a skill seen before added them already.
            if known == nil { pending += self.data.skills[next.skillID]?.requiredSkills ?? [] }
        }
        return levels
    }
}
