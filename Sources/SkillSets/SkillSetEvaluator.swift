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
    /// Skills below their required level (active level; a missing skill is level 0).
    public var failedRequired: [Int]
    public var failedRecommended: [Int]
    /// What to train for the set in full: each failing skill at its highest level.
    public var missing: [SkillRequirement]
    /// Training time to meet the required levels, and to meet every level, at the character's
    /// attributes; nil when the attributes (or a skill's rank) are not known.
    public var requiredSeconds: Double?
    public var fullSeconds: Double?
    /// A failing skill is trained high enough but not active (an Alpha clone): Omega is needed.
    public var needsOmega: Bool

    public var canFly: Bool { self.failedRequired.isEmpty }
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
    let ranks: [Double?]
    let primary: [CharacterAttribute?]
    let secondary: [CharacterAttribute?]

    /// - Parameter sets: sets with their ids.
    public init(sets: [SkillSet], catalog: SkillCatalog = .shipped) {
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
        self.entries = sets.map { set in
            set.skills.map {
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
        let speeds = self.speeds(levels.attributes)
        return self.entries.indices.map { set in
            var failedRequired = [Int]()
            var failedRecommended = [Int]()
            var missing = [SkillRequirement]()
            var requiredSeconds: Double? = 0
            var fullSeconds: Double? = 0
            var needsOmega = false
            for entry in self.entries[set] {
                let active = Int(levels.active[entry.index])
                let failsRequired = active < entry.required
                let failsRecommended = active < entry.recommended
                guard failsRequired || failsRecommended else { continue }
                let id = self.skillIDs[entry.index]
                if failsRequired { failedRequired.append(id) }
                if failsRecommended { failedRecommended.append(id) }
                missing.append(SkillRequirement(skillID: id, level: entry.maximum))
                if Int(levels.trained[entry.index]) >= (failsRequired ? entry.required : entry.recommended) {
                    needsOmega = true
                }
                let seconds = { (level: Int) -> Double? in
                    guard let rank = self.ranks[entry.index], let speed = speeds[entry.index] else { return nil }
                    let needed =
                        SkillMath.skillPoints(forLevel: level, rank: rank) - Int(levels.skillPoints[entry.index])
                    return Double(max(0, needed)) / speed * 60
                }
                if failsRequired {
                    requiredSeconds = requiredSeconds.flatMap { total in seconds(entry.required).map { total + $0 } }
                }
                fullSeconds = fullSeconds.flatMap { total in seconds(entry.maximum).map { total + $0 } }
            }
            return SkillSetCheck(
                skillSetID: self.skillSetIDs[set],
                status: !failedRequired.isEmpty ? .none : failedRecommended.isEmpty ? .full : .partial,
                failedRequired: failedRequired,
                failedRecommended: failedRecommended,
                missing: missing,
                requiredSeconds: requiredSeconds,
                fullSeconds: fullSeconds,
                needsOmega: needsOmega
            )
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
