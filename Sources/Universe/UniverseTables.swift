import Foundation
import Postgres
import StaticData

/// The tables of schema `sde` and their rows from decoded static data, in the tables' column
/// order. Written only by ``UniverseLoader``.
enum UniverseTables {
    /// Table name, columns, rows.
    typealias Table = (name: String, columns: [String], rows: [[any PostgresEncodable]])

    static func tables(of data: StaticData) throws -> [Table] {
        func sorted<T>(_ values: [Int: T]) -> [T] { values.keys.sorted().compactMap { values[$0] } }
        func id(_ value: Int) -> Int64 { Int64(value) }
        func optionalID(_ value: Int?) -> Int64? { value.map(Int64.init) }
        func small(_ value: Int?) -> Int32? { value.flatMap { Int32(exactly: $0) } }
        func json<T: Encodable>(_ value: T?) throws -> PostgresJSONB? {
            guard let value else { return nil }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return PostgresJSONB(String(decoding: try encoder.encode(value), as: UTF8.self))
        }
        func attributes(_ p: Int, _ w: Int, _ c: Int, _ m: Int, _ i: Int) -> [any PostgresEncodable] {
            [small(p), small(w), small(c), small(m), small(i)]
        }
        return [
            (
                "categories", ["id", "name", "published"],
                sorted(data.categories).map { [id($0.id), $0.name, $0.published] }
            ),
            (
                "groups", ["id", "name", "category_id", "published"],
                sorted(data.groups).map { [id($0.id), $0.name, id($0.categoryID), $0.published] }
            ),
            (
                "types",
                [
                    "id", "name", "group_id", "group_name", "category_id", "category_name", "volume", "published",
                    "meta_group", "market_group_id", "race_id", "faction_id", "implant_slot", "attribute_bonus",
                    "required_skills", "kind",
                ],
                try sorted(data.types).map {
                    [
                        id($0.id), $0.name, id($0.groupID), $0.groupName, id($0.categoryID), $0.categoryName,
                        $0.volume, $0.published, $0.metaGroup, optionalID($0.marketGroupID), optionalID($0.raceID),
                        optionalID($0.factionID), small($0.implantSlot), try json($0.attributeBonus),
                        try json($0.requiredSkills), $0.kind,
                    ]
                }
            ),
            (
                "skills",
                [
                    "id", "name", "group_id", "group_name", "rank", "primary_attribute", "secondary_attribute",
                    "published", "required_skills",
                ],
                try sorted(data.skills).map {
                    [
                        id($0.id), $0.name, id($0.groupID), $0.groupName, $0.rank, $0.primaryAttribute?.rawValue,
                        $0.secondaryAttribute?.rawValue, $0.published,
                        try json($0.requiredSkills.isEmpty ? nil : $0.requiredSkills),
                    ]
                }
            ),
            ("regions", ["id", "name"], sorted(data.regions).map { [id($0.id), $0.name] }),
            (
                "constellations", ["id", "name", "region_id"],
                sorted(data.constellations).map { [id($0.id), $0.name, id($0.regionID)] }
            ),
            (
                "systems", ["id", "name", "constellation_id", "region_id", "security_status", "security_class"],
                sorted(data.systems).map {
                    [id($0.id), $0.name, id($0.constellationID), id($0.regionID), $0.securityStatus, $0.securityClass]
                }
            ),
            (
                "stations", ["id", "name", "system_id", "type_id", "owner_id"],
                sorted(data.stations).map { [id($0.id), $0.name, id($0.systemID), id($0.typeID), id($0.owner)] }
            ),
            (
                "npc_corporations", ["id", "name", "faction_id", "home_system_id"],
                sorted(data.npcCorporations).map {
                    [id($0.id), $0.name, optionalID($0.factionID), optionalID($0.homeSystemID)]
                }
            ),
            (
                "factions", ["id", "name", "race_id", "home_system_id", "corporation_id", "militia_corporation_id"],
                sorted(data.factions).map {
                    [
                        id($0.id), $0.name, optionalID($0.raceID), optionalID($0.homeSystemID),
                        optionalID($0.corporationID), optionalID($0.militiaCorporationID),
                    ]
                }
            ),
            ("races", ["id", "name"], sorted(data.races).map { [id($0.id), $0.name] }),
            (
                "bloodlines",
                [
                    "id", "name", "race_id", "corporation_id", "perception", "willpower", "charisma", "memory",
                    "intelligence",
                ],
                sorted(data.bloodlines).map {
                    [id($0.id), $0.name, id($0.raceID), optionalID($0.corporationID)]
                        + attributes($0.perception, $0.willpower, $0.charisma, $0.memory, $0.intelligence)
                }
            ),
            (
                "ancestries",
                ["id", "name", "bloodline_id", "perception", "willpower", "charisma", "memory", "intelligence"],
                sorted(data.ancestries).map {
                    [id($0.id), $0.name, id($0.bloodlineID)]
                        + attributes($0.perception, $0.willpower, $0.charisma, $0.memory, $0.intelligence)
                }
            ),
        ]
    }
}
