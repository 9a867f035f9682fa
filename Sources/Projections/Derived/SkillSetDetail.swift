import Foundation
import Postgres
import StaticData

/// A character against one skill set, skill by skill (the detail view of the character's
/// skill-set tab): the levels the set asks for, the character's levels, the training time to each,
/// and what is missing as lines EVE's skill plan import reads.
public struct SkillSetDetail: Sendable {
    public struct Skill: Sendable {
        public var skillID: Int64
        public var name: String
        public var required: Int?
        public var recommended: Int?
        public var active: Int
        public var trained: Int
        public var failsRequired: Bool
        public var failsRecommended: Bool
        /// Training time to the required level and to the highest level the set names; nil when
        /// the attributes or the skill's rank are not known.
        public var secondsToRequired: Double?
        public var secondsToFull: Double?

        /// The level the set asks for at the most.
        public var maximum: Int { max(self.required ?? 0, self.recommended ?? 0, 1) }
    }

    public var skillSetID: Int64
    public var name: String
    public var description: String
    public var shipTypeID: Int64?
    public var shipName: String?
    public var groups: [String]
    public var status: String
    public var needsOmega: Bool
    public var skills: [Skill]

    /// What to train, one line per level ("Gunnery 4"), in the form EVE's skill plans import and
    /// `memberaudit skillsets import --plan` reads: every level from the active one up to the
    /// highest the set names, required skills first.
    public var skillPlan: [String] {
        let missing =
            self.skills.filter { $0.failsRequired } + self.skills.filter { !$0.failsRequired && $0.failsRecommended }
        return missing.flatMap { skill -> [String] in
            // Clamped: a hostile level from ESI must not overflow the arithmetic.
            let from = min(max(0, skill.active), 5) + 1
            guard from <= skill.maximum else { return [] }
            return (from...skill.maximum).map { "\(skill.name) \($0)" }
        }
    }

    public static func load(
        character: Int64,
        skillSet: Int64,
        on connection: PostgresConnection
    ) throws -> SkillSetDetail? {
        guard
            let head = try connection.query(
                """
                SELECT s.name, s.description, s.ship_type_id, ship.name, r.status, r.needs_omega,
                       coalesce((SELECT array_agg(g.name ORDER BY g.name) FROM skillsets.group_sets gs
                                 JOIN skillsets.groups g ON g.id = gs.group_id WHERE gs.set_id = s.id), '{}')
                FROM readmodel.skill_set_check_rows r JOIN skillsets.sets s ON s.id = r.skill_set_id
                LEFT JOIN LATERAL (SELECT x.name FROM readmodel.universe_types x WHERE x.id = s.ship_type_id LIMIT 1) ship
                    ON true
                WHERE r.character_id = \(character) AND r.skill_set_id = \(skillSet) AND s.is_visible
                """
            ).first
        else { return nil }
        let skills = try connection.query(
            """
            SELECT k.skill_id, k.skill_name, k.required_level, k.recommended_level, k.active_level,
                   coalesce(s.trained_skill_level, 0), coalesce(s.skillpoints_in_skill, 0), k.fails_required,
                   k.fails_recommended, sk.rank, sk.primary_attribute, sk.secondary_attribute,
                   a.charisma, a.intelligence, a.memory, a.perception, a.willpower
            FROM readmodel.skill_set_check_skills k
            LEFT JOIN readmodel.skills s ON s.character_id = k.character_id AND s.skill_id = k.skill_id
            LEFT JOIN LATERAL (SELECT x.rank, x.primary_attribute, x.secondary_attribute FROM readmodel.universe_skills x
                               WHERE x.id = k.skill_id LIMIT 1) sk ON true
            LEFT JOIN readmodel.character_attributes a ON a.character_id = k.character_id
            WHERE k.character_id = \(character) AND k.skill_set_id = \(skillSet)
            ORDER BY k.fails_required DESC, k.fails_recommended DESC, k.skill_name
            """
        ).map { row in
            let (id, name, required, recommended, active, trained, points, failsRequired, failsRecommended) =
                try row.decode((Int64, String, Int64?, Int64?, Int64, Int64, Int64, Bool, Bool).self)
            let rank: Double? = try row.get(9)
            var attributes: [CharacterAttribute: Int] = [:]
            for (offset, attribute) in [CharacterAttribute.charisma, .intelligence, .memory, .perception, .willpower]
                .enumerated()
            {
                if let value: Int64 = try row.get(12 + offset) { attributes[attribute] = Int(clamping: value) }
            }
            let primary = (try row.get(10, as: String?.self)).flatMap(CharacterAttribute.init(rawValue:))
            let secondary = (try row.get(11, as: String?.self)).flatMap(CharacterAttribute.init(rawValue:))
            func seconds(to level: Int?) -> Double? {
                guard let level, let rank, let primary = primary.flatMap({ attributes[$0] }),
                    let secondary = secondary.flatMap({ attributes[$0] })
                else { return nil }
                let speed = SkillMath.skillPointsPerMinute(primary: primary, secondary: secondary)
                guard speed > 0 else { return nil }
                let needed = SkillMath.skillPoints(forLevel: level, rank: rank) - Int(clamping: points)
                return Double(max(0, needed)) / speed * 60
            }
            var skill = Skill(
                skillID: id,
                name: name,
                required: required.map { Int(clamping: $0) },
                recommended: recommended.map { Int(clamping: $0) },
                active: Int(clamping: active),
                trained: Int(clamping: trained),
                failsRequired: failsRequired,
                failsRecommended: failsRecommended,
                secondsToRequired: nil,
                secondsToFull: nil
            )
            skill.secondsToRequired = failsRequired ? seconds(to: skill.required) : 0
            skill.secondsToFull = failsRequired || failsRecommended ? seconds(to: skill.maximum) : 0
            return skill
        }
        return SkillSetDetail(
            skillSetID: skillSet,
            name: try head.get(0),
            description: try head.get(1),
            shipTypeID: try head.get(2),
            shipName: try head.get(3),
            groups: try head.get(6),
            status: try head.get(4),
            needsOmega: try head.get(5),
            skills: skills
        )
    }
}
