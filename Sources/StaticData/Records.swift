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

    public init(
        id: Int,
        name: String,
        groupID: Int,
        groupName: String,
        rank: Double?,
        primaryAttribute: CharacterAttribute?,
        secondaryAttribute: CharacterAttribute?,
        published: Bool,
        requiredSkills: [SkillRequirement]
    ) {
        self.id = id
        self.name = name
        self.groupID = groupID
        self.groupName = groupName
        self.rank = rank
        self.primaryAttribute = primaryAttribute
        self.secondaryAttribute = secondaryAttribute
        self.published = published
        self.requiredSkills = requiredSkills
    }

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
    public var marketGroupID: Int?
    public var published: Bool
    public var volume: Double?
    public var raceID: Int?
    public var factionID: Int?
    /// The curated kind: ship, module, charge, drone, blueprint, attribute_implant, mineral, ...
    public var kind: String?
    public var requiredSkills: [SkillRequirement]?
    public var implantSlot: Int?
    public var attributeBonus: [String: Int]?

    public init(
        id: Int,
        name: String,
        groupID: Int,
        groupName: String,
        categoryID: Int,
        categoryName: String,
        metaGroup: String? = nil,
        marketGroupID: Int? = nil,
        published: Bool,
        volume: Double? = nil,
        raceID: Int? = nil,
        factionID: Int? = nil,
        kind: String? = nil,
        requiredSkills: [SkillRequirement]? = nil,
        implantSlot: Int? = nil,
        attributeBonus: [String: Int]? = nil
    ) {
        self.id = id
        self.name = name
        self.groupID = groupID
        self.groupName = groupName
        self.categoryID = categoryID
        self.categoryName = categoryName
        self.metaGroup = metaGroup
        self.marketGroupID = marketGroupID
        self.published = published
        self.volume = volume
        self.raceID = raceID
        self.factionID = factionID
        self.kind = kind
        self.requiredSkills = requiredSkills
        self.implantSlot = implantSlot
        self.attributeBonus = attributeBonus
    }

    enum CodingKeys: String, CodingKey {
        case id, name, published, volume, kind
        case groupID = "group_id"
        case groupName = "group_name"
        case categoryID = "category_id"
        case categoryName = "category_name"
        case metaGroup = "meta_group"
        case marketGroupID = "market_group_id"
        case raceID = "race_id"
        case factionID = "faction_id"
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

    public init(
        id: Int,
        name: String,
        categoryID: Int,
        published: Bool
    ) {
        self.id = id
        self.name = name
        self.categoryID = categoryID
        self.published = published
    }

    enum CodingKeys: String, CodingKey {
        case id, name, published
        case categoryID = "category_id"
    }
}

public struct ItemCategory: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var published: Bool

    public init(
        id: Int,
        name: String,
        published: Bool
    ) {
        self.id = id
        self.name = name
        self.published = published
    }
}

public struct SolarSystem: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var constellationID: Int
    public var regionID: Int
    public var securityStatus: Double
    public var securityClass: String?
    public var stations: [Int]

    public init(
        id: Int,
        name: String,
        constellationID: Int,
        regionID: Int,
        securityStatus: Double,
        securityClass: String? = nil,
        stations: [Int]
    ) {
        self.id = id
        self.name = name
        self.constellationID = constellationID
        self.regionID = regionID
        self.securityStatus = securityStatus
        self.securityClass = securityClass
        self.stations = stations
    }

    enum CodingKeys: String, CodingKey {
        case id = "system_id"
        case name, stations
        case securityClass = "security_class"
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

    public init(
        id: Int,
        name: String,
        systemID: Int,
        regionID: Int,
        typeID: Int,
        owner: Int
    ) {
        self.id = id
        self.name = name
        self.systemID = systemID
        self.regionID = regionID
        self.typeID = typeID
        self.owner = owner
    }

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

    public init(
        id: Int,
        name: String
    ) {
        self.id = id
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case id = "region_id"
        case name
    }
}

public struct Constellation: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var regionID: Int

    public init(
        id: Int,
        name: String,
        regionID: Int
    ) {
        self.id = id
        self.name = name
        self.regionID = regionID
    }

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
    public var homeSystemID: Int?

    public init(
        id: Int,
        name: String,
        factionID: Int? = nil,
        homeSystemID: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.factionID = factionID
        self.homeSystemID = homeSystemID
    }

    enum CodingKeys: String, CodingKey {
        case id = "corporation_id"
        case name
        case factionID = "faction_id"
        case homeSystemID = "home_system_id"
    }
}

/// One of the empires, pirate factions and the like (`factions.json`).
public struct Faction: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var raceID: Int?
    public var homeSystemID: Int?
    public var corporationID: Int?
    public var militiaCorporationID: Int?

    public init(
        id: Int,
        name: String,
        raceID: Int? = nil,
        homeSystemID: Int? = nil,
        corporationID: Int? = nil,
        militiaCorporationID: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.raceID = raceID
        self.homeSystemID = homeSystemID
        self.corporationID = corporationID
        self.militiaCorporationID = militiaCorporationID
    }

    enum CodingKeys: String, CodingKey {
        case id = "faction_id"
        case name
        case raceID = "race_id"
        case homeSystemID = "home_system_id"
        case corporationID = "corporation_id"
        case militiaCorporationID = "militia_corporation_id"
    }
}

public struct Race: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String

    public init(
        id: Int,
        name: String
    ) {
        self.id = id
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case id = "race_id"
        case name
    }
}

/// A bloodline with the attributes a character of it starts with.
public struct Bloodline: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var raceID: Int
    public var corporationID: Int?
    public var perception: Int
    public var willpower: Int
    public var charisma: Int
    public var memory: Int
    public var intelligence: Int

    public init(
        id: Int,
        name: String,
        raceID: Int,
        corporationID: Int? = nil,
        perception: Int,
        willpower: Int,
        charisma: Int,
        memory: Int,
        intelligence: Int
    ) {
        self.id = id
        self.name = name
        self.raceID = raceID
        self.corporationID = corporationID
        self.perception = perception
        self.willpower = willpower
        self.charisma = charisma
        self.memory = memory
        self.intelligence = intelligence
    }

    enum CodingKeys: String, CodingKey {
        case id = "bloodline_id"
        case name, perception, willpower, charisma, memory, intelligence
        case raceID = "race_id"
        case corporationID = "corporation_id"
    }
}

/// An ancestry within a bloodline, with its attribute modifiers.
public struct Ancestry: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var bloodlineID: Int
    public var perception: Int
    public var willpower: Int
    public var charisma: Int
    public var memory: Int
    public var intelligence: Int

    public init(
        id: Int,
        name: String,
        bloodlineID: Int,
        perception: Int,
        willpower: Int,
        charisma: Int,
        memory: Int,
        intelligence: Int
    ) {
        self.id = id
        self.name = name
        self.bloodlineID = bloodlineID
        self.perception = perception
        self.willpower = willpower
        self.charisma = charisma
        self.memory = memory
        self.intelligence = intelligence
    }

    enum CodingKeys: String, CodingKey {
        case id = "ancestry_id"
        case name, perception, willpower, charisma, memory, intelligence
        case bloodlineID = "bloodline_id"
    }
}

public struct SkillGroup: Sendable, Codable, Hashable {
    public var id: Int
    public var name: String
    public var skillIDs: [Int]

    public init(
        id: Int,
        name: String,
        skillIDs: [Int]
    ) {
        self.id = id
        self.name = name
        self.skillIDs = skillIDs
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case skillIDs = "skill_ids"
    }
}
