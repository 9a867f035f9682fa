import Foundation
import Postgres
import StaticData
import Vocabulary

/// All groups and sets as one JSON document, to share doctrines between installations. Skills are
/// identified by CCP's type ids (the same everywhere); names ride along for people reading it.
public struct SkillSetDocument: Sendable, Codable, Equatable {
    public static let formatName = "memberaudit-skill-sets"

    public struct Set: Sendable, Codable, Equatable {
        public var name: String
        public var description: String
        public var shipTypeID: Int?
        public var shipTypeName: String?
        public var isVisible: Bool
        public var skills: [Skill]

        enum CodingKeys: String, CodingKey {
            case name, description, skills
            case shipTypeID = "ship_type_id"
            case shipTypeName = "ship_type_name"
            case isVisible = "is_visible"
        }
    }

    public struct Skill: Sendable, Codable, Equatable {
        public var skillID: Int?
        public var skillName: String?
        public var requiredLevel: Int?
        public var recommendedLevel: Int?

        enum CodingKeys: String, CodingKey {
            case skillID = "skill_id"
            case skillName = "skill_name"
            case requiredLevel = "required_level"
            case recommendedLevel = "recommended_level"
        }
    }

    public var format: String
    public var version: Int
    public var groups: [SkillSetGroup]
    public var skillSets: [Set]

    enum CodingKeys: String, CodingKey {
        case format, version, groups
        case skillSets = "skill_sets"
    }

    public init(groups: [SkillSetGroup], sets: [SkillSet], catalog: SkillCatalog) {
        self.format = Self.formatName
        self.version = 1
        self.groups = groups.map {
            var group = $0
            group.id = nil
            return group
        }
        self.skillSets = sets.map { set in
            Set(
                name: set.name,
                description: set.description,
                shipTypeID: set.shipTypeID,
                shipTypeName: set.shipTypeID.map { catalog.name(of: $0) },
                isVisible: set.isVisible,
                skills: set.skills.map {
                    Skill(
                        skillID: $0.skillID,
                        skillName: catalog.skill($0.skillID)?.name,
                        requiredLevel: $0.required,
                        recommendedLevel: $0.recommended
                    )
                }
            )
        }
    }

    public static func decode(_ data: Data) throws(SkillSetError) -> SkillSetDocument {
        let document: SkillSetDocument
        do {
            document = try JSONDecoder().decode(SkillSetDocument.self, from: data)
        } catch {
            throw SkillSetError(.notAnExport, "not a skill-set export: \(error)")
        }
        guard document.format == formatName else {
            throw SkillSetError(
                .notAnExport,
                "not a skill-set export: format is \"\(document.format)\", expected \"\(formatName)\""
            )
        }
        guard document.version == 1 else {
            throw SkillSetError(
                .tooNew,
                "skill-set export version \(document.version) is newer than this program reads (1)"
            )
        }
        return document
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// The document's sets as the store keeps them: skills by id, or by name when only the name is
    /// given. A skill neither names is an error, as is a level outside 1–5.
    public func resolvedSets(catalog: SkillCatalog) throws(SkillSetError) -> [SkillSet] {
        var result = [SkillSet]()
        for set in self.skillSets {
            var skills = [SkillLevels]()
            for skill in set.skills {
                guard let id = skill.skillID ?? skill.skillName.flatMap({ catalog.skill(named: $0)?.id }) else {
                    throw SkillSetError(
                        .unknownSkill,
                        "\(set.name): unknown skill \(skill.skillName ?? "without id or name")"
                    )
                }
                skills.append(
                    SkillLevels(skillID: id, required: skill.requiredLevel, recommended: skill.recommendedLevel)
                )
            }
            let resolved = SkillSet(
                name: set.name,
                description: set.description,
                shipTypeID: set.shipTypeID,
                isVisible: set.isVisible,
                skills: skills
            )
            try resolved.validate()
            result.append(resolved)
        }
        return result
    }

    /// Writes the document: sets and groups are created or replaced by name. With `replaceAll`,
    /// sets and groups the document does not have are deleted. Returns (sets, groups) written.
    @discardableResult
    public func importInto(_ connection: PostgresConnection, replaceAll: Bool, by user: String?) throws -> (Int, Int) {
        let sets = try self.resolvedSets(catalog: try SkillCatalog.load(on: connection))
        if replaceAll {
            try connection.execute("DELETE FROM skillsets.sets WHERE NOT (name = ANY($1))", [sets.map(\.name)])
            try connection.execute("DELETE FROM skillsets.groups WHERE NOT (name = ANY($1))", [self.groups.map(\.name)])
        }
        for set in sets { try SkillSetStore.save(set, by: user, on: connection) }
        for group in self.groups { try SkillSetStore.save(group, by: user, on: connection) }
        return (sets.count, self.groups.count)
    }
}
