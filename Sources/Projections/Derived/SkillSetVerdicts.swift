import Foundation
import Postgres

extension SkillSetChecks {
    /// How a character stands against one visible skill set, as the viewer's tab lists it.
    public struct Verdict: Sendable {
        public var skillSetID: Int64
        public var skillSet: String
        /// The groups the set is in, and whether one of them is a doctrine.
        public var groups: [String]
        public var isDoctrine: Bool
        public var shipTypeID: Int64?
        public var shipName: String?
        /// `all`, `required` or `none`.
        public var status: String
        public var needsOmega: Bool
        public var requiredSeconds: Double?
        public var fullSeconds: Double?
        /// The skills it fails, "Name level, ...", nil when none.
        public var failedSkills: String?
    }

    /// The character against every visible skill set, by set name.
    public static func verdicts(of characterID: Int64, on connection: PostgresConnection) throws -> [Verdict] {
        try connection.query(
            """
            SELECT s.name, r.status, r.needs_omega, r.required_seconds, r.full_seconds,
                   (SELECT string_agg(k.skill_name || ' ' || k.maximum_level, ', ' ORDER BY k.skill_name)
                    FROM readmodel.skill_set_check_skills k
                    WHERE k.character_id = r.character_id AND k.skill_set_id = r.skill_set_id
                      AND (k.fails_required OR k.fails_recommended)),
                   s.id, coalesce(g.names, '{}'), coalesce(g.doctrine, false), s.ship_type_id, ship.name
            FROM readmodel.skill_set_check_rows r JOIN skillsets.sets s ON s.id = r.skill_set_id
            LEFT JOIN LATERAL (SELECT array_agg(x.name ORDER BY x.name) AS names, bool_or(x.is_doctrine) AS doctrine
                               FROM skillsets.group_sets gs JOIN skillsets.groups x ON x.id = gs.group_id
                               WHERE gs.set_id = s.id) g ON true
            LEFT JOIN LATERAL (SELECT t.name FROM readmodel.universe_types t WHERE t.id = s.ship_type_id LIMIT 1) ship
                ON true
            WHERE r.character_id = \(characterID) AND s.is_visible ORDER BY s.name
            """
        ).map { row in
            let (name, status, omega, required, full, failed) = try row.decode(
                (String, String, Bool, Double?, Double?, String?).self
            )
            return Verdict(
                skillSetID: try row.get(6),
                skillSet: name,
                groups: try row.get(7),
                isDoctrine: try row.get(8),
                shipTypeID: try row.get(9),
                shipName: try row.get(10),
                status: status,
                needsOmega: omega,
                requiredSeconds: required,
                fullSeconds: full,
                failedSkills: failed
            )
        }
    }
}
