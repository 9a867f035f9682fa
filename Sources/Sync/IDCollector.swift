import Foundation
import Vocabulary

/// Keys whose values name entities that `/universe/names` resolves (characters, corporations,
/// alliances, factions), by event section.
private let entityKeys: [EventSection: [String]] = [
    .characterDetails: ["corporation_id", "alliance_id", "faction_id"],
    .corporationHistory: ["corporation_id"],
    .contacts: ["contact_id"],
    .contracts: ["issuer_id", "issuer_corporation_id", "acceptor_id", "assignee_id"],
    .contractBids: ["bidder_id"],
    .mails: ["from"],
    .mailBody: ["from"],
    .standings: ["from_id"],
    .loyalty: ["corporation_id"],
    .walletJournal: ["first_party_id", "second_party_id", "tax_receiver_id"],
    .walletTransactions: ["client_id"],
    .fwStats: ["faction_id"],
]

/// Keys whose values are locations (stations, structures; other ids are skipped), by event section.
private let locationKeys: [EventSection: [String]] = [
    .location: ["station_id", "structure_id"],
    .jumpClones: ["location_id"],
    .contracts: ["start_location_id", "end_location_id"],
    .walletTransactions: ["location_id"],
]

/// Station ids are 60,000,000–63,999,999; player structures have ids from 10^12.
func isStationID(_ id: Int64) -> Bool { (60_000_000..<64_000_000).contains(id) }
func isStructureID(_ id: Int64) -> Bool { id >= 1_000_000_000_000 && id < 2_000_000_000_000 }

/// Collects entity and location ids from a section's JSON (objects, arrays of objects, and one
/// level of nesting: recipients, home_location, jump clones).
func collectIDs(_ value: Any, section: EventSection, entities: inout Set<Int64>, locations: inout Set<Int64>) {
    if section == .assets {
        collectAssetLocations(value, into: &locations)
        return
    }
    if section == .corporationMembers {
        // A plain array of character ids: the members the report names.
        for id in (value as? [Any] ?? []).compactMap(int64) where id >= 500_000 { entities.insert(id) }
        return
    }
    let entityNames = entityKeys[section] ?? []
    let locationNames = locationKeys[section] ?? []
    guard !entityNames.isEmpty || !locationNames.isEmpty else { return }
    func visit(_ value: Any, depth: Int) {
        if let array = value as? [Any] {
            for element in array { visit(element, depth: depth) }
            return
        }
        guard let object = value as? [String: Any] else { return }
        for name in entityNames {
            // Ids below 500,000 are not entities (0 means "nobody"); 1–10 digit NPC ids resolve.
            if let id = int64(object[name]), id >= 500_000 { entities.insert(id) }
        }
        for name in locationNames {
            if let id = int64(object[name]), isStationID(id) || isStructureID(id) { locations.insert(id) }
        }
        if let recipients = object["recipients"] as? [[String: Any]] {
            for recipient in recipients where recipient["recipient_type"] as? String != "mailing_list" {
                if let id = int64(recipient["recipient_id"]), id >= 500_000 { entities.insert(id) }
            }
        }
        guard depth < 2 else { return }
        for key in ["home_location", "jump_clones"] {
            if let nested = object[key] { visit(nested, depth: depth + 1) }
        }
    }
    visit(value, depth: 0)
}

/// Assets name their container in `location_id` too; only the locations of top-level items (an
/// id that is no item of the list) are stations or structures.
private func collectAssetLocations(_ value: Any, into locations: inout Set<Int64>) {
    guard let assets = value as? [[String: Any]] else { return }
    let items = Set(assets.compactMap { int64($0["item_id"]) })
    for asset in assets {
        guard let id = int64(asset["location_id"]), !items.contains(id) else { continue }
        if isStationID(id) || isStructureID(id) { locations.insert(id) }
    }
}

/// The kinds of static data ESI's `/universe/*` routes answer for one id.
enum UniverseKind: String, Sendable, CaseIterable {
    case type, group, category, system, constellation, region, planet

    /// The static-data table that knows this kind (planets are in none: always asked).
    var staticTable: String? {
        switch self {
        case .type: "sde.types"
        case .group: "sde.groups"
        case .category: "sde.categories"
        case .system: "sde.systems"
        case .constellation: "sde.constellations"
        case .region: "sde.regions"
        case .planet: nil
        }
    }

    /// The fields of an answer that name another id to resolve, and its kind.
    var parents: [(String, UniverseKind)] {
        switch self {
        case .type: [("group_id", .group)]
        case .group: [("category_id", .category)]
        case .system: [("constellation_id", .constellation)]
        case .constellation: [("region_id", .region)]
        case .planet: [("system_id", .system), ("type_id", .type)]
        case .category, .region: []
        }
    }
}

/// Keys whose values are static-data ids, by event section (nested lists are searched too).
private let universeKeys: [EventSection: [String: UniverseKind]] = [
    .assets: ["type_id": .type],
    .contractItems: ["type_id": .type],
    .miningLedger: ["type_id": .type, "solar_system_id": .system],
    .skills: ["skill_id": .type],
    .skillQueue: ["skill_id": .type],
    .ship: ["ship_type_id": .type],
    .location: ["solar_system_id": .system],
    .walletTransactions: ["type_id": .type],
    .planets: ["planet_id": .planet, "solar_system_id": .system],
]

/// Collects the static-data ids a section's JSON refers to: types (items, skills, ships,
/// implants), systems and planets.
func collectUniverseIDs(_ value: Any, section: EventSection, into ids: inout [UniverseKind: Set<Int64>]) {
    if section == .implants {
        for id in (value as? [Any] ?? []).compactMap(int64) where id > 0 { ids[.type, default: []].insert(id) }
        return
    }
    let keys = universeKeys[section] ?? [:]
    func visit(_ value: Any, depth: Int) {
        guard depth < 4 else { return }
        if let array = value as? [Any] {
            for element in array { visit(element, depth: depth + 1) }
            return
        }
        guard let object = value as? [String: Any] else { return }
        for (key, kind) in keys {
            if let id = int64(object[key]), id > 0 { ids[kind, default: []].insert(id) }
        }
        // Jump clones carry their implants as a list of type ids.
        if section == .jumpClones, let implants = object["implants"] as? [Any] {
            for id in implants.compactMap(int64) where id > 0 { ids[.type, default: []].insert(id) }
        }
        for (key, nested) in object where nested is [Any] || nested is [String: Any] {
            if key != "implants" { visit(nested, depth: depth + 1) }
        }
    }
    guard !keys.isEmpty || section == .jumpClones else { return }
    visit(value, depth: 0)
}

extension Routes {
    /// The route answering for one id of a kind of static data.
    static func universe(_ kind: UniverseKind) -> Route {
        switch kind {
        case .type: Route(.universeType, template: "/universe/types/{type_id}")
        case .group: Route(.universeGroup, template: "/universe/groups/{group_id}")
        case .category: Route(.universeCategory, template: "/universe/categories/{category_id}")
        case .system: Route(.universeSystem, template: "/universe/systems/{system_id}")
        case .constellation:
            Route(.universeConstellation, template: "/universe/constellations/{constellation_id}")
        case .region: Route(.universeRegion, template: "/universe/regions/{region_id}")
        case .planet: Route(.universePlanet, template: "/universe/planets/{planet_id}")
        }
    }
}
