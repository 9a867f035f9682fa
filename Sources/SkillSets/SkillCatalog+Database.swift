import Foundation
import Postgres
import StaticData
import Synchronization

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
        // Kept per process while the data it came from is the same: the loaded SDE's checksum and
        // a digest of what ESI added. A server loads every type once, not once per request.
        let head = try connection.query(
            "SELECT (SELECT checksum FROM sde.meta), to_regclass('readmodel.esi_types') IS NOT NULL"
        )[0]
        var version = try head.get(0, as: String?.self)
        if try head.get(1, as: Bool.self) {
            let digest = try connection.query(
                """
                SELECT count(*) || '/' || coalesce(sum(hashtext(type_id || coalesce(name, '') || coalesce(rank::text, '')
                    || coalesce(required_skill_ids::text, ''))), 0)
                FROM readmodel.esi_types
                """
            )[0].get(0, as: String.self)
            version = version.map { $0 + ":" + digest }
        }
        if let version, let cached = Self.cache.withLock({ $0[scope]?.version == version ? $0[scope]?.catalog : nil }) {
            return cached
        }
        let catalog = try Self.read(scope, on: connection)
        if let version { Self.cache.withLock { $0[scope] = (version, catalog) } }
        return catalog
    }

    private static let cache = Mutex<[Scope: (version: String, catalog: SkillCatalog)]>([:])

    private static func read(_ scope: Scope, on connection: PostgresConnection) throws -> SkillCatalog {
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
        // Types ESI answered for (a later patch's), where the read models are installed: new
        // skills always (their rank and prerequisites count in evaluations), other types with them.
        var esiSkills = [Skill]()
        let installed = try connection.query("SELECT to_regclass('readmodel.esi_types') IS NOT NULL")[0].get(
            0,
            as: Bool.self
        )
        if installed {
            for row in try connection.query(
                """
                SELECT t.type_id, t.name, t.group_id, g.name, g.category_id, c.name, coalesce(t.published, true),
                       t.rank, t.primary_attribute, t.secondary_attribute, t.required_skill_ids, t.required_skill_levels
                FROM readmodel.esi_types t
                LEFT JOIN LATERAL (SELECT name, category_id FROM sde.groups WHERE id = t.group_id
                                   UNION ALL SELECT name, category_id FROM readmodel.esi_groups WHERE group_id = t.group_id
                                   LIMIT 1) g ON true
                LEFT JOIN LATERAL (SELECT name FROM sde.categories WHERE id = g.category_id
                                   UNION ALL SELECT name FROM readmodel.esi_categories WHERE category_id = g.category_id
                                   LIMIT 1) c ON true
                WHERE t.name IS NOT NULL AND NOT EXISTS (SELECT FROM sde.types s WHERE s.id = t.type_id)
                """
            ) {
                let ids = try row.get(10, as: [Int64]?.self) ?? []
                let levels = try row.get(11, as: [Int64]?.self) ?? []
                let required = zip(ids, levels).map { SkillRequirement(skillID: Int($0), level: Int($1)) }
                let type = ItemType(
                    id: Int(try row.get(0, as: Int64.self)),
                    name: try row.get(1),
                    groupID: Int(try row.get(2, as: Int64?.self) ?? 0),
                    groupName: try row.get(3, as: String?.self) ?? "",
                    categoryID: Int(try row.get(4, as: Int64?.self) ?? 0),
                    categoryName: try row.get(5, as: String?.self) ?? "",
                    published: try row.get(6),
                    requiredSkills: required.isEmpty ? nil : required
                )
                if type.categoryID == 16 {
                    esiSkills.append(
                        Skill(
                            id: type.id,
                            name: type.name,
                            groupID: type.groupID,
                            groupName: type.groupName,
                            rank: try row.get(7),
                            primaryAttribute: try row.get(8, as: String?.self).flatMap(
                                CharacterAttribute.init(rawValue:)
                            ),
                            secondaryAttribute: try row.get(9, as: String?.self).flatMap(
                                CharacterAttribute.init(rawValue:)
                            ),
                            published: type.published,
                            requiredSkills: required
                        )
                    )
                }
                if scope == .skillsAndTypes { types.append(type) }
            }
        }
        return SkillCatalog(data: StaticData(skills: skills + esiSkills, types: types))
    }
}
