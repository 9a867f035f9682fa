import Foundation
import StaticData

extension Responders {
    /// Names and ids, and the static data of the universe: types, groups, categories, systems, constellations, regions, stations, structures, planets.
    static func universe(_ path: String, _ context: RequestContext) -> RouteBody? {
        let world = context.world
        switch path {
        case "/universe/names":
            guard let ids = parseIDs(context.body) else {
                return .error(400, "Invalid body: expected a JSON array of ids")
            }
            var found = [JSONValue]()
            for id in Set(ids).sorted() {
                guard let (name, category) = self.entityName(id, world: world, structures: context.structures) else {
                    return .error(404, "Ensure all IDs are valid before resolving")
                }
                found.append(.object([("category", .string(category)), ("id", .int(id)), ("name", .string(name))]))
            }
            return .value(.array(found))
        case "/universe/ids":
            // Exact names, case-insensitive, as ESI matches them; unknown names are left out.
            guard let names = try? JSONSerialization.jsonObject(with: Data(context.body)) as? [String],
                !names.isEmpty, names.count <= 500
            else { return .error(400, "Invalid body: expected a JSON array of 1 to 500 names") }
            let wanted = Set(names.map { $0.lowercased() })
            func matches(_ pairs: [(Int, String)]) -> JSONValue? {
                let found = pairs.filter { wanted.contains($0.1.lowercased()) }.sorted { $0.0 < $1.0 }
                return found.isEmpty
                    ? nil : .array(found.map { .object([("id", .int($0.0)), ("name", .string($0.1))]) })
            }
            var members = [(String, JSONValue)]()
            if let characters = matches(
                world.characterIDs.compactMap { id in world.name(ofCharacter: id).map { (id, $0) } }
            ) {
                members.append(("characters", characters))
            }
            let types =
                Self.typesByName(wanted)
                + PatchTypes.types.filter { wanted.contains($0.name.lowercased()) }.map { ($0.id, $0.name) }
            if let types = matches(types) { members.append(("inventory_types", types)) }
            if let systems = matches(wanted.compactMap { Self.systemsByName[$0] }) {
                members.append(("systems", systems))
            }
            return .value(.object(members))
        case "/universe/types/{type_id}":
            guard let id = context.integer("type_id") else { return .error(404, "Type not found") }
            let record: (name: String, groupID: Int, published: Bool, volume: Double?)
            if let patch = PatchTypes.type(id) {
                return .value(
                    .object([
                        ("description", .string(patch.name)),
                        (
                            "dogma_attributes",
                            .array(
                                patch.dogma.map {
                                    .object([("attribute_id", .int($0.0)), ("value", .double($0.1))])
                                }
                            )
                        ),
                        ("group_id", .int(patch.groupID)), ("name", .string(patch.name)), ("published", .bool(true)),
                        ("type_id", .int(id)), ("volume", .double(patch.volume)),
                    ])
                )
            } else if let type = data.types[id] {
                record = (type.name, type.groupID, type.published, type.volume)
            } else if let skill = data.skills[id] {
                record = (skill.name, skill.groupID, skill.published, 0.01)
            } else {
                return .error(404, "Type not found")
            }
            var members: [(String, JSONValue)] = [
                ("description", .string(record.name)), ("group_id", .int(record.groupID)),
                ("name", .string(record.name)),
                ("published", .bool(record.published)), ("type_id", .int(id)),
            ]
            if let volume = record.volume { members.append(("volume", .double(volume))) }
            return .value(.object(members))
        case "/universe/groups/{group_id}":
            if let id = context.integer("group_id"), id == PatchTypes.newGroup.id {
                let group = PatchTypes.newGroup
                return .value(
                    .object([
                        ("category_id", .int(group.categoryID)), ("group_id", .int(id)), ("name", .string(group.name)),
                        ("published", .bool(true)),
                        ("types", .array(PatchTypes.types.filter { $0.groupID == id }.map { .int($0.id) })),
                    ])
                )
            }
            guard let id = context.integer("group_id"), let group = data.groups[id] else {
                return .error(404, "Group not found")
            }
            let types =
                data.types.values.filter { $0.groupID == id }.map(\.id)
                + data.skills.values.filter { $0.groupID == id }.map(\.id)
            return .value(
                .object([
                    ("category_id", .int(group.categoryID)), ("group_id", .int(id)), ("name", .string(group.name)),
                    ("published", .bool(group.published)), ("types", .array(types.sorted().map { .int($0) })),
                ])
            )
        case "/universe/categories/{category_id}":
            guard let id = context.integer("category_id"), let category = data.categories[id] else {
                return .error(404, "Category not found")
            }
            let groups = data.groups.values.filter { $0.categoryID == id }.map(\.id).sorted()
            return .value(
                .object([
                    ("category_id", .int(id)), ("groups", .array(groups.map { .int($0) })),
                    ("name", .string(category.name)),
                    ("published", .bool(category.published)),
                ])
            )
        case "/universe/systems/{system_id}":
            guard let id = context.integer("system_id"), let system = data.systems[id] else {
                return .error(404, "Solar system not found")
            }
            return .value(
                .object([
                    ("constellation_id", .int(system.constellationID)), ("name", .string(system.name)),
                    ("position", .object([("x", .double(0)), ("y", .double(0)), ("z", .double(0))])),
                    ("security_status", .double(system.securityStatus)),
                    ("stations", .array(system.stations.map { .int($0) })),
                    ("system_id", .int(id)),
                ])
            )
        case "/universe/constellations/{constellation_id}":
            guard let id = context.integer("constellation_id"), let constellation = data.constellations[id] else {
                return .error(404, "Constellation not found")
            }
            let systems = data.systems.values.filter { $0.constellationID == id }.map(\.id).sorted()
            return .value(
                .object([
                    ("constellation_id", .int(id)), ("name", .string(constellation.name)),
                    ("position", .object([("x", .double(0)), ("y", .double(0)), ("z", .double(0))])),
                    ("region_id", .int(constellation.regionID)), ("systems", .array(systems.map { .int($0) })),
                ])
            )
        case "/universe/regions/{region_id}":
            guard let id = context.integer("region_id"), let region = data.regions[id] else {
                return .error(404, "Region not found")
            }
            let constellations = data.constellations.values.filter { $0.regionID == id }.map(\.id).sorted()
            return .value(
                .object([
                    ("constellations", .array(constellations.map { .int($0) })), ("name", .string(region.name)),
                    ("region_id", .int(id)),
                ])
            )
        case "/universe/stations/{station_id}":
            guard let id = context.integer("station_id"), let station = data.stations[id] else {
                return .error(404, "Station not found")
            }
            return .value(
                .object([
                    ("max_dockable_ship_volume", .double(50_000_000)), ("name", .string(station.name)),
                    ("office_rental_cost", .double(10_000)), ("owner", .int(station.owner)),
                    ("position", .object([("x", .double(0)), ("y", .double(0)), ("z", .double(0))])),
                    ("reprocessing_efficiency", .double(0.5)), ("reprocessing_stations_take", .double(0.05)),
                    ("services", .array([.string("market"), .string("repair-facilities")])), ("station_id", .int(id)),
                    ("system_id", .int(station.systemID)), ("type_id", .int(station.typeID)),
                ])
            )
        case "/universe/structures/{structure_id}":
            guard let id = context.integer("structure_id"), let structure = context.structures.structure(id) else {
                return .error(404, "Structure not found")
            }
            return .value(
                .object([
                    ("name", .string(structure.name)), ("owner_id", .int(structure.ownerID)),
                    ("solar_system_id", .int(structure.systemID)), ("type_id", .int(structure.typeID)),
                ])
            )
        case "/universe/planets/{planet_id}":
            // The characters' colonies: named as the game names planets, "<system> <roman index>".
            guard let id = context.integer("planet_id"), let planet = world.planet(id),
                let system = data.systems[planet.systemID]
            else { return .error(404, "Planet not found") }
            return .value(
                .object([
                    ("name", .string("\(system.name) \(romanNumeral(planet.index))")), ("planet_id", .int(id)),
                    ("position", .object([("x", .double(0)), ("y", .double(0)), ("z", .double(0))])),
                    ("system_id", .int(system.id)), ("type_id", .int(planet.typeID)),
                ])
            )
        case "/universe/factions", "/universe/races", "/universe/bloodlines", "/universe/ancestries":
            return .value(.array([]))
        default:
            return nil
        }
    }
}
