import Postgres
import StaticData

/// How a character stands against a skill set.
public struct SkillSetCheck: Sendable, Hashable {
    public enum Status: String, Sendable, Codable {
        /// Every required and recommended level is met.
        case full
        /// The required levels are met (or there are none), a recommended one is not.
        case partial
        /// A required level is not met: the character cannot fly it.
        case none
    }

    public var skillSetID: Int64
    public var status: Status
    /// Bit i: the set's i-th skill (skills ordered by id) is below its required level (the
    /// active level; a skill the character lacks is level 0).
    public var failedRequiredMask: SkillMask
    public var failedRecommendedMask: SkillMask
    /// Training time to meet the required levels, and to meet every level, at the character's
    /// attributes; nil when the attributes (or a skill's rank) are not known.
    public var requiredSeconds: Double?
    public var fullSeconds: Double?
    /// A failing skill is trained high enough but not active (an Alpha clone): Omega is needed.
    public var needsOmega: Bool
    /// The set's skills, in mask order (shared with the evaluator, not copied).
    public let skills: [SkillLevels]

    public var canFly: Bool { self.failedRequiredMask.isEmpty }
    public var failedRequired: [Int] { self.failedRequiredMask.positions.map { self.skills[$0].skillID } }
    public var failedRecommended: [Int] { self.failedRecommendedMask.positions.map { self.skills[$0].skillID } }
    /// What to train for the set in full: each failing skill at its highest level.
    public var missing: [SkillRequirement] {
        self.failedRequiredMask.union(self.failedRecommendedMask).positions.map {
            SkillRequirement(skillID: self.skills[$0].skillID, level: self.skills[$0].maximum)
        }
    }
}

/// A set of positions in a skill set's skill list. The first 64 need no allocation (most sets).
public struct SkillMask: Sendable, Hashable {
    var first: UInt64 = 0
    var rest: [UInt64] = []

    public init() {}

    public var isEmpty: Bool { self.first == 0 && self.rest.allSatisfy { $0 == 0 } }

    public mutating func insert(_ position: Int) {
        if position < 64 {
            self.first |= 1 << UInt64(position)
            return
        }
        let word = position / 64 - 1
        while self.rest.count <= word { self.rest.append(0) }
        self.rest[word] |= 1 << UInt64(position % 64)
    }

    public var positions: [Int] {
        let words = [self.first] + self.rest
        return words.indices.flatMap { index in
            (0..<64).filter { words[index] & (1 << UInt64($0)) != 0 }.map { index * 64 + $0 }
        }
    }

    func union(_ other: SkillMask) -> SkillMask {
        var result = SkillMask()
        result.first = self.first | other.first
        result.rest = (0..<max(self.rest.count, other.rest.count)).map {
            ($0 < self.rest.count ? self.rest[$0] : 0) | ($0 < other.rest.count ? other.rest[$0] : 0)
        }
        return result
    }

    /// Hex of the mask's bytes, least significant first, `bytes` of them: PostgreSQL's
    /// `get_bit(decode(mask, 'hex'), position)` reads position i back.
    public func hex(bytes: Int) -> String {
        var text = [UInt8]()
        self.appendHex(bytes: bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    public func appendHex(bytes: Int, to text: inout [UInt8]) {
        for index in 0..<bytes {
            let word = index < 8 ? self.first : (index / 8 - 1 < self.rest.count ? self.rest[index / 8 - 1] : 0)
            let byte = UInt8(truncatingIfNeeded: word >> UInt64(index % 8 * 8))
            text.append(hexDigit(byte >> 4))
            text.append(hexDigit(byte & 0xF))
        }
    }
}

/// One character's skills as the evaluation needs them.
public struct CharacterSkills: Sendable {
    public struct Entry: Sendable, Hashable {
        public var active: Int
        public var trained: Int
        public var skillPoints: Int
        public init(active: Int, trained: Int, skillPoints: Int) {
            self.active = active
            self.trained = trained
            self.skillPoints = skillPoints
        }
    }

    public var skills: [Int: Entry]
    /// Attribute values as ESI serves them; nil when not fetched yet.
    public var attributes: [CharacterAttribute: Int]?

    public init(skills: [Int: Entry], attributes: [CharacterAttribute: Int]?) {
        self.skills = skills
        self.attributes = attributes
    }
}

/// Evaluates characters against a fixed list of skill sets. The sets are compiled once into dense
/// arrays, so that evaluating a character is a few array reads per skill of every set.
public struct SkillSetEvaluator: Sendable {
    struct Entry: Sendable {
        var index: Int
        var required: Int  // 0: none
        var recommended: Int
        var maximum: Int
    }

    public let skillSetIDs: [Int64]
    /// The skills the sets mention, in dense order.
    public let skillIDs: [Int]
    let slots: [Int: Int]
    let entries: [[Entry]]
    let setSkills: [[SkillLevels]]
    let ranks: [Double?]
    let primary: [CharacterAttribute?]
    let secondary: [CharacterAttribute?]

    /// - Parameter sets: sets with their ids.
    public init(sets: [SkillSet], catalog: SkillCatalog) {
        var slots = [Int: Int]()
        var skillIDs = [Int]()
        for set in sets {
            for skill in set.skills where slots[skill.skillID] == nil {
                slots[skill.skillID] = skillIDs.count
                skillIDs.append(skill.skillID)
            }
        }
        self.slots = slots
        self.skillIDs = skillIDs
        self.skillSetIDs = sets.map { $0.id ?? 0 }
        // Each set's skills in id order: the order of its masks.
        let ordered = sets.map { $0.skills.sorted { $0.skillID < $1.skillID } }
        self.setSkills = ordered
        self.entries = ordered.map { skills in
            skills.map {
                Entry(
                    index: slots[$0.skillID]!,
                    required: $0.required ?? 0,
                    recommended: $0.recommended ?? 0,
                    maximum: $0.maximum
                )
            }
        }
        let skills = skillIDs.map { catalog.skill($0) }
        self.ranks = skills.map { $0?.rank }
        self.primary = skills.map { $0?.primaryAttribute }
        self.secondary = skills.map { $0?.secondaryAttribute }
    }

    /// A character's skills laid out in the evaluator's dense order.
    public struct Levels: Sendable {
        var active: [Int8]
        var trained: [Int8]
        var skillPoints: [Int32]
        var attributes: [CharacterAttribute: Int]?
    }

    public func levels(_ character: CharacterSkills) -> Levels {
        var levels = self.emptyLevels(attributes: character.attributes)
        for (id, entry) in character.skills { self.set(&levels, skill: id, entry) }
        return levels
    }

    public func emptyLevels(attributes: [CharacterAttribute: Int]?) -> Levels {
        Levels(
            active: Array(repeating: 0, count: self.skillIDs.count),
            trained: Array(repeating: 0, count: self.skillIDs.count),
            skillPoints: Array(repeating: 0, count: self.skillIDs.count),
            attributes: attributes
        )
    }

    /// Records one skill (skills no set mentions are ignored).
    public func set(_ levels: inout Levels, skill id: Int, _ entry: CharacterSkills.Entry) {
        guard let slot = self.slots[id] else { return }
        levels.active[slot] = Int8(clamping: entry.active)
        levels.trained[slot] = Int8(clamping: entry.trained)
        levels.skillPoints[slot] = Int32(clamping: entry.skillPoints)
    }

    public func evaluate(_ character: CharacterSkills) -> [SkillSetCheck] { self.evaluate(self.levels(character)) }

    /// One check per skill set, in the order the sets were given.
    public func evaluate(_ levels: Levels) -> [SkillSetCheck] {
        var checks = [SkillSetCheck]()
        checks.reserveCapacity(self.entries.count)
        self.evaluate(levels) { set, outcome in
            checks.append(
                SkillSetCheck(
                    skillSetID: self.skillSetIDs[set],
                    status: outcome.status,
                    failedRequiredMask: outcome.failedRequired,
                    failedRecommendedMask: outcome.failedRecommended,
                    requiredSeconds: outcome.requiredSeconds,
                    fullSeconds: outcome.fullSeconds,
                    needsOmega: outcome.needsOmega,
                    skills: self.setSkills[set]
                )
            )
        }
        return checks
    }

    /// A check without its set's skills: what storing it needs.
    public struct Outcome {
        public var status: SkillSetCheck.Status
        public var failedRequired: SkillMask
        public var failedRecommended: SkillMask
        public var requiredSeconds: Double?
        public var fullSeconds: Double?
        public var needsOmega: Bool
    }

    /// Evaluates every set, handing each outcome to `each` with the set's index: no allocation per
    /// check beyond a mask of more than 64 skills (evaluating millions of checks).
    public func evaluate(_ levels: Levels, _ each: (Int, Outcome) -> Void) {
        let speeds = self.speeds(levels.attributes)
        for set in self.entries.indices {
            var outcome = Outcome(
                status: .full,
                failedRequired: SkillMask(),
                failedRecommended: SkillMask(),
                requiredSeconds: 0,
                fullSeconds: 0,
                needsOmega: false
            )
            for (position, entry) in self.entries[set].enumerated() {
                let active = Int(levels.active[entry.index])
                let failsRequired = active < entry.required
                let failsRecommended = active < entry.recommended
                guard failsRequired || failsRecommended else { continue }
                if failsRequired { outcome.failedRequired.insert(position) }
                if failsRecommended { outcome.failedRecommended.insert(position) }
                if Int(levels.trained[entry.index]) >= (failsRequired ? entry.required : entry.recommended) {
                    outcome.needsOmega = true
                }
                guard let rank = self.ranks[entry.index], let speed = speeds[entry.index] else {
                    outcome.requiredSeconds = nil
                    outcome.fullSeconds = nil
                    continue
                }
                let trained = Int(levels.skillPoints[entry.index])
                if failsRequired, let total = outcome.requiredSeconds {
                    let needed = SkillMath.skillPoints(forLevel: entry.required, rank: rank) - trained
                    outcome.requiredSeconds = total + Double(max(0, needed)) / speed * 60
                }
                if let total = outcome.fullSeconds {
                    let needed = SkillMath.skillPoints(forLevel: entry.maximum, rank: rank) - trained
                    outcome.fullSeconds = total + Double(max(0, needed)) / speed * 60
                }
            }
            outcome.status =
                !outcome.failedRequired.isEmpty ? .none : outcome.failedRecommended.isEmpty ? .full : .partial
            each(set, outcome)
        }
    }

    /// SP per minute of each dense skill at these attributes (nil: not known).
    private func speeds(_ attributes: [CharacterAttribute: Int]?) -> [Double?] {
        guard let attributes else { return Array(repeating: nil, count: self.skillIDs.count) }
        return self.skillIDs.indices.map { index in
            guard let primary = self.primary[index].flatMap({ attributes[$0] }),
                let secondary = self.secondary[index].flatMap({ attributes[$0] })
            else { return nil }
            let speed = SkillMath.skillPointsPerMinute(primary: primary, secondary: secondary)
            return speed > 0 ? speed : nil
        }
    }
}
