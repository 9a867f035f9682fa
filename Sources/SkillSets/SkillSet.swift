import Foundation
import Vocabulary

/// A group of skill sets, e.g. a doctrine ("Doctrine: Armor Rifters") or an activity.
public struct SkillSetGroup: Sendable, Hashable, Codable {
    public var id: Int64?
    public var name: String
    public var description: String
    /// Shown as "Doctrine: <name>" and singled out in reports.
    public var isDoctrine: Bool
    /// An inactive group is kept, shown as "[Not active]", and still evaluated.
    public var isActive: Bool
    /// The names of its skill sets (a set may be in several groups).
    public var skillSets: [String]

    public init(
        id: Int64? = nil,
        name: String,
        description: String = "",
        isDoctrine: Bool = false,
        isActive: Bool = true,
        skillSets: [String] = []
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.isDoctrine = isDoctrine
        self.isActive = isActive
        self.skillSets = skillSets
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case isDoctrine = "is_doctrine"
        case isActive = "is_active"
        case skillSets = "skill_sets"
    }
}

/// What a doctrine ship or an activity needs: skills with a required and/or a recommended level.
public struct SkillSet: Sendable, Hashable, Codable {
    public var id: Int64?
    public var name: String
    public var description: String
    /// For display only (the ship the set is for).
    public var shipTypeID: Int?
    /// A hidden set is still evaluated and reported, but not shown on the character sheet.
    public var isVisible: Bool
    public var skills: [SkillLevels]

    public init(
        id: Int64? = nil,
        name: String,
        description: String = "",
        shipTypeID: Int? = nil,
        isVisible: Bool = true,
        skills: [SkillLevels] = []
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.shipTypeID = shipTypeID
        self.isVisible = isVisible
        self.skills = skills
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, skills
        case shipTypeID = "ship_type_id"
        case isVisible = "is_visible"
    }

    /// Checks the rules a stored set must keep: a name, levels 1–5, at least one level per skill,
    /// each skill once.
    public func validate() throws(SkillSetError) {
        guard !self.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SkillSetError(.noName, "a skill set needs a name")
        }
        var seen = Set<Int>()
        for skill in self.skills {
            guard seen.insert(skill.skillID).inserted else {
                throw SkillSetError(.duplicateSkill, "\(self.name): skill \(skill.skillID) is listed twice")
            }
            guard skill.required != nil || skill.recommended != nil else {
                throw SkillSetError(
                    .noLevel,
                    "\(self.name): skill \(skill.skillID) has neither a required nor a recommended level"
                )
            }
            for level in [skill.required, skill.recommended].compactMap({ $0 }) where !(1...5).contains(level) {
                throw SkillSetError(
                    .badLevel,
                    "\(self.name): skill \(skill.skillID) has level \(level); levels are 1 to 5"
                )
            }
        }
    }
}

/// One skill of a skill set.
public struct SkillLevels: Sendable, Hashable, Codable {
    public var skillID: Int
    public var required: Int?
    public var recommended: Int?

    public init(skillID: Int, required: Int? = nil, recommended: Int? = nil) {
        self.skillID = skillID
        self.required = required
        self.recommended = recommended
    }

    /// The level to train to for the set to be met in full.
    public var maximum: Int { max(1, self.required ?? 0, self.recommended ?? 0) }

    enum CodingKeys: String, CodingKey {
        case skillID = "skill_id"
        case required = "required_level"
        case recommended = "recommended_level"
    }
}

/// A skill-set problem (a bad level, an unknown name, a file that does not parse): its code and
/// a message in words.
public typealias SkillSetError = ModuleError<SkillSetErrorCodes>

/// The codes of ``SkillSetError``.
public enum SkillSetErrorCodes {}

extension ErrorCode where Owner == SkillSetErrorCodes {
    /// A set or group without a name.
    public static let noName = Self("no_name", .invalidInput)
    public static let duplicateSkill = Self("duplicate_skill", .invalidInput)
    /// A skill with neither a required nor a recommended level.
    public static let noLevel = Self("no_level", .invalidInput)
    /// A level outside 1 to 5.
    public static let badLevel = Self("bad_level", .invalidInput)
    public static let unknownSkill = Self("unknown_skill", .invalidInput)
    public static let unknownShip = Self("unknown_ship", .invalidInput)
    public static let unknownSet = Self("unknown_set", .invalidInput)
    public static let setExists = Self("set_exists", .invalidInput)
    /// Text that is no EFT fitting.
    public static let notAFitting = Self("not_a_fitting", .invalidInput)
    /// A skill plan in which no line names a known skill.
    public static let nothingKnown = Self("nothing_known", .invalidInput)
    /// A file that is no skill-set export.
    public static let notAnExport = Self("not_an_export", .invalidInput)
    /// An export of a later version than this program reads.
    public static let tooNew = Self("too_new", .invalidInput)
}
