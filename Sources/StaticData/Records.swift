/// A character attribute, as skills and implants name them.
public enum CharacterAttribute: String, Sendable, Codable, CaseIterable {
    case charisma, intelligence, memory, perception, willpower
}

/// A skill prerequisite: `skillID` trained to `level`.
public struct SkillRequirement: Sendable, Codable, Hashable {
    public var skillID: Int
    public var level: Int

    public init(skillID: Int, level: Int) {
        self.skillID = skillID
        self.level = level
    }

    enum CodingKeys: String, CodingKey {
        case skillID = "skill_id"
        case level
    }
}

/// A skill type with what training it needs.
public struct Skill: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var groupID: Int
    public var groupName: String
    /// The training time multiplier (dogma attribute 275). Whole for every published skill; the
    /// unpublished "Polaris" has 0.5 and the unpublished "Stealth Bombers Fake Skill" none.
    public var rank: Double?
    public var primaryAttribute: CharacterAttribute?
    public var secondaryAttribute: CharacterAttribute?
    public var published: Bool
    public var requiredSkills: [SkillRequirement]

    enum CodingKeys: String, CodingKey {
        case id, name, rank, published
        case groupID = "group_id"
        case groupName = "group_name"
        case primaryAttribute = "primary_attribute"
        case secondaryAttribute = "secondary_attribute"
        case requiredSkills = "required_skills"
    }
}

/// An item type: ship, module, charge, implant, mineral, ...
public struct ItemType: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var groupID: Int
    public var groupName: String
    public var categoryID: Int
    public var categoryName: String
    public var metaGroup: String?
    public var published: Bool
    public var volume: Double?
    /// The curated kind: ship, module, charge, drone, blueprint, attribute_implant, mineral, ...
    public var kind: String?
    public var requiredSkills: [SkillRequirement]?
    public var implantSlot: Int?
    public var attributeBonus: [String: Int]?

    enum CodingKeys: String, CodingKey {
        case id, name, published, volume, kind
        case groupID = "group_id"
        case groupName = "group_name"
        case categoryID = "category_id"
        case categoryName = "category_name"
        case metaGroup = "meta_group"
        case requiredSkills = "required_skills"
        case implantSlot = "implant_slot"
        case attributeBonus = "attribute_bonus"
    }
}

public struct ItemGroup: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var categoryID: Int
    public var published: Bool

    enum CodingKeys: String, CodingKey {
        case id, name, published
        case categoryID = "category_id"
    }
}

public struct ItemCategory: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var published: Bool
}

public struct SolarSystem: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var constellationID: Int
    public var regionID: Int
    public var securityStatus: Double
    public var stations: [Int]

    enum CodingKeys: String, CodingKey {
        case id = "system_id"
        case name, stations
        case constellationID = "constellation_id"
        case regionID = "region_id"
        case securityStatus = "security_status"
    }
}

public struct Station: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var systemID: Int
    public var regionID: Int
    public var typeID: Int
    public var owner: Int

    enum CodingKeys: String, CodingKey {
        case id = "station_id"
        case name, owner
        case systemID = "system_id"
        case regionID = "region_id"
        case typeID = "type_id"
    }
}

public struct Region: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String

    enum CodingKeys: String, CodingKey {
        case id = "region_id"
        case name
    }
}

public struct Constellation: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var regionID: Int

    enum CodingKeys: String, CodingKey {
        case id = "constellation_id"
        case name
        case regionID = "region_id"
    }
}

public struct NPCCorporation: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var factionID: Int?

    enum CodingKeys: String, CodingKey {
        case id = "corporation_id"
        case name
        case factionID = "faction_id"
    }
}

public struct SkillGroup: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var skillIDs: [Int]

    enum CodingKeys: String, CodingKey {
        case id, name
        case skillIDs = "skill_ids"
    }
}
