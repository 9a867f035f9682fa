import Foundation
import Vocabulary

/// Public data the character sections refer to: entity names (`/universe/names`), stations,
/// structures and market prices, each keyed by its id. The views resolve ids through these and the
/// static data; an id found in neither stays visible as the id.
enum UniverseReadModel {
    static let names = TableSpec(
        "entity_names",
        [("id", .bigint), ("name", .text), ("category", .text)],
        key: ["id"],
        mode: .upsert
    )
    static let stations = TableSpec(
        "stations",
        [
            ("station_id", .bigint), ("name", .text), ("system_id", .bigint), ("type_id", .bigint),
            ("owner_id", .bigint),
        ],
        key: ["station_id"],
        mode: .upsert
    )
    static let structures = TableSpec(
        "structures",
        [
            ("structure_id", .bigint), ("name", .text), ("solar_system_id", .bigint), ("type_id", .bigint),
            ("owner_id", .bigint),
        ],
        key: ["structure_id"],
        mode: .upsert
    )
    static let prices = TableSpec(
        "market_prices",
        [("type_id", .bigint), ("average_price", .double), ("adjusted_price", .double)],
        key: ["type_id"],
        mode: .upsert
    )

    // Static data the loaded SDE lacked, as ESI answered it (one event per id, parameter `id`).
    // The views combine these with schema sde (docs/universe.md).
    static let types = TableSpec(
        "esi_types",
        [
            ("type_id", .bigint), ("name", .text), ("group_id", .bigint), ("published", .boolean),
            ("volume", .double), ("rank", .double), ("primary_attribute", .text), ("secondary_attribute", .text),
            ("required_skill_ids", .bigintArray), ("required_skill_levels", .bigintArray),
        ],
        key: ["type_id"],
        mode: .upsert
    )
    static let groups = TableSpec(
        "esi_groups",
        [("group_id", .bigint), ("name", .text), ("category_id", .bigint), ("published", .boolean)],
        key: ["group_id"],
        mode: .upsert
    )
    static let categories = TableSpec(
        "esi_categories",
        [("category_id", .bigint), ("name", .text), ("published", .boolean)],
        key: ["category_id"],
        mode: .upsert
    )
    static let systems = TableSpec(
        "esi_systems",
        [
            ("system_id", .bigint), ("name", .text), ("constellation_id", .bigint), ("security_status", .double),
        ],
        key: ["system_id"],
        mode: .upsert
    )
    static let constellations = TableSpec(
        "esi_constellations",
        [("constellation_id", .bigint), ("name", .text), ("region_id", .bigint)],
        key: ["constellation_id"],
        mode: .upsert
    )
    static let regions = TableSpec(
        "esi_regions",
        [("region_id", .bigint), ("name", .text)],
        key: ["region_id"],
        mode: .upsert
    )
    static let planets = TableSpec(
        "esi_planets",
        [("planet_id", .bigint), ("name", .text), ("system_id", .bigint), ("type_id", .bigint)],
        key: ["planet_id"],
        mode: .upsert
    )

    static let projector = Projector(
        name: "universe",
        tables: [
            names, stations, structures, prices, types, groups, categories, systems, constellations, regions, planets,
        ],
        sections: [
            .universeNames: .accumulating, .station: .snapshot(parameter: "station_id"),
            .structure: .snapshot(parameter: "structure_id"), .marketPrices: .accumulating,
            .universeType: .snapshot(parameter: "id"), .universeGroup: .snapshot(parameter: "id"),
            .universeCategory: .snapshot(parameter: "id"), .universeSystem: .snapshot(parameter: "id"),
            .universeConstellation: .snapshot(parameter: "id"), .universeRegion: .snapshot(parameter: "id"),
            .universePlanet: .snapshot(parameter: "id"),
        ]
    ) { event, _ in
        let json = event.json as Any
        if event.section.hasPrefix("universe_"), event.section != "universe_names" {
            return try universeRows(event, json)
        }
        switch EventSection(rawValue: event.section) {
        case .universeNames:
            return [
                .upsert(
                    names,
                    rows: try objects(json).map {
                        [.int(try $0.requiredInt("id")), $0.text("name"), $0.text("category")]
                    }
                )
            ]
        case .station:
            let o = try object(json)
            let id = try int64(o.fields["station_id"]) ?? event.parameter("station_id")
            return [
                .upsert(
                    stations,
                    rows: [[.int(id), o.text("name"), o.int("system_id"), o.int("type_id"), o.int("owner")]]
                )
            ]
        case .structure:
            let o = try object(json)
            return [
                .upsert(
                    structures,
                    rows: [
                        [
                            .int(try event.parameter("structure_id")), o.text("name"), o.int("solar_system_id"),
                            o.int("type_id"), o.int("owner_id"),
                        ]
                    ]
                )
            ]
        case .marketPrices:
            return [
                .upsert(
                    prices,
                    rows: try objects(json).map {
                        [.int(try $0.requiredInt("type_id")), $0.double("average_price"), $0.double("adjusted_price")]
                    }
                )
            ]
        default:
            return []
        }
    }
}

/// The row of one `/universe/*` answer. The id is the event's parameter (what was asked).
private func universeRows(_ event: ProjectionEvent, _ json: Any) throws -> [Write] {
    let o = try object(json)
    let id = Cell.int(try event.parameter("id"))
    switch EventSection(rawValue: event.section) {
    case .universeType:
        // Skills carry their training data as dogma attributes: rank 275, primary 180, secondary
        // 181, required skills 182–184/1285/1289/1290 at levels 277–279/1286/1287/1288.
        var dogma = [Int64: Double]()
        for attribute in o.fields["dogma_attributes"] as? [[String: Any]] ?? [] {
            if let key = int64(attribute["attribute_id"]), let value = number(attribute["value"]),
                value.isFinite
            {
                dogma[key] = value
            }
        }
        func attributeName(_ key: Int64) -> Cell {
            let names: [Int64: String] = [
                164: "charisma", 165: "intelligence", 166: "memory", 167: "perception", 168: "willpower",
            ]
            return dogma[key].flatMap { Int64(exactly: $0) }.flatMap { names[$0] }.map(Cell.text) ?? .null
        }
        var skillIDs = [Int64]()
        var levels = [Int64]()
        for (skill, level) in [(182, 277), (183, 278), (184, 279), (1285, 1286), (1289, 1287), (1290, 1288)]
            as [(Int64, Int64)]
        {
            if let required = dogma[skill].flatMap({ Int64(exactly: $0) }), required > 0,
                let at = dogma[level].flatMap({ Int64(exactly: $0) }), (0...5).contains(at)
            {
                skillIDs.append(required)
                levels.append(at)
            }
        }
        let rank = dogma[275].map(Cell.double) ?? .null
        return [
            .upsert(
                UniverseReadModel.types,
                rows: [
                    [
                        id, o.text("name"), o.int("group_id"), o.bool("published"), o.double("volume"), rank,
                        attributeName(180), attributeName(181), .ints(skillIDs), .ints(levels),
                    ]
                ]
            )
        ]
    case .universeGroup:
        return [
            .upsert(UniverseReadModel.groups, rows: [[id, o.text("name"), o.int("category_id"), o.bool("published")]])
        ]
    case .universeCategory:
        return [.upsert(UniverseReadModel.categories, rows: [[id, o.text("name"), o.bool("published")]])]
    case .universeSystem:
        return [
            .upsert(
                UniverseReadModel.systems,
                rows: [[id, o.text("name"), o.int("constellation_id"), o.double("security_status")]]
            )
        ]
    case .universeConstellation:
        return [.upsert(UniverseReadModel.constellations, rows: [[id, o.text("name"), o.int("region_id")]])]
    case .universeRegion:
        return [.upsert(UniverseReadModel.regions, rows: [[id, o.text("name")]])]
    case .universePlanet:
        return [.upsert(UniverseReadModel.planets, rows: [[id, o.text("name"), o.int("system_id"), o.int("type_id")]])]
    default:
        return []
    }
}
