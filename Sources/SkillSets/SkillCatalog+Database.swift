import Foundation
import Postgres
import StaticData

extension SkillCatalog {
    /// What to read besides the skills.
    public enum Scope: Sendable {
        /// Skills only: enough to evaluate skill sets and name their skills.
        case skills
        /// Skills and every item type: for fittings and ship names.
        case skillsAndTypes
    }

    /// The catalog of the static data loaded in a database (schema `sde`, loaded once per data
    /// version): the process parses nothing, it reads rows. Skills only take a few milliseconds;
    /// every type some tens.
    public static func load(_ scope: Scope = .skills, on connection: PostgresConnection) throws -> SkillCatalog {
        let decoder = JSONDecoder()
        func requirements(_ json: String?) -> [SkillRequirement]? {
            json.flatMap { try? decoder.decode([SkillRequirement].self, from: Data($0.utf8)) }
        }
        let skills = try connection.query(
            """
            SELECT id, name, group_id, group_name, rank, primary_attribute, secondary_attribute, published,
                   required_skills::text
            FROM sde.skills
            """
        ).map { row in
            Skill(
                id: Int(try row.get(0, as: Int64.self)),
                name: try row.get(1),
                groupID: Int(try row.get(2, as: Int64.self)),
                groupName: try row.get(3),
                rank: try row.get(4),
                primaryAttribute: try row.get(5, as: String?.self).flatMap(CharacterAttribute.init(rawValue:)),
                secondaryAttribute: try row.get(6, as: String?.self).flatMap(CharacterAttribute.init(rawValue:)),
                published: try row.get(7),
                requiredSkills: requirements(try row.get(8)) ?? []
            )
        }
        var types = [ItemType]()
        if scope == .skillsAndTypes {
            types = try connection.query(
                """
                SELECT id, name, group_id, group_name, category_id, category_name, published, required_skills::text,
                       kind
                FROM sde.types
                """
            ).map { row in
                ItemType(
                    id: Int(try row.get(0, as: Int64.self)),
                    name: try row.get(1),
                    groupID: Int(try row.get(2, as: Int64.self)),
                    groupName: try row.get(3),
                    categoryID: Int(try row.get(4, as: Int64.self)),
                    categoryName: try row.get(5),
                    published: try row.get(6),
                    kind: try row.get(8),
                    requiredSkills: requirements(try row.get(7))
                )
            }
        }
        return SkillCatalog(data: StaticData(skills: skills, types: types))
    }
}
