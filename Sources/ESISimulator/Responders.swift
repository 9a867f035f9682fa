import Foundation
import StaticData

/// What a route answers before HTTP behaviour (caching, paging, limits) is applied.
enum RouteBody {
    /// A whole resource.
    case value(JSONValue)
    /// An array served in pages of `pageSize` (ESI's `X-Pages` routes).
    case paged([JSONValue], pageSize: Int)
    /// An ESI error: status and the `error` text.
    case error(Int, String)
}

/// Everything a responder may read.
struct RequestContext {
    var route: RouteSpec
    var parameters: [String: String]
    var query: [String: String]
    var body: [UInt8]
    var now: Date
    var world: World
    var structures: StructureDirectory
    var downRoutes: Set<String>

    /// A path parameter as an integer; nil when absent or not one.
    func integer(_ name: String) -> Int? { self.parameters[name].flatMap(Int.init) }
}

/// Builds the body of every served route from the world's state.
enum Responders {
    static let data = StaticData.shipped

    static func respond(_ context: RequestContext) -> RouteBody {
        let path = context.route.path
        if path.hasPrefix("/characters/{character_id}") && path != "/characters/{character_id}"
            && path != "/characters/{character_id}/corporationhistory" && path != "/characters/{character_id}/portrait"
        {
            guard let id = context.parameters["character_id"].flatMap(Int.init),
                let character = context.world.character(id, at: context.now)
            else { return .error(404, "Character not found") }
            return self.characterSection(path, character, context)
        }
        return self.publicRoute(path, context)
    }

    // MARK: - Character sections (authenticated)

    static func characterSection(_ path: String, _ c: CharacterState, _ context: RequestContext) -> RouteBody {
        let suffix = String(path.dropFirst("/characters/{character_id}".count))
        let families = [assets, skillsAndClones, social, contracts, wallet, whereabouts, industry]
        for family in families {
            if let body = family(suffix, c, context) { return body }
        }
        return .error(404, "Not found")
    }

    // MARK: - Public routes

    static func publicRoute(_ path: String, _ context: RequestContext) -> RouteBody {
        for family in [entities, universe, server] {
            if let body = family(path, context) { return body }
        }
        return .error(404, "Not found")
    }

    // MARK: - Helpers

    static func entityName(_ id: Int, world: World, structures: StructureDirectory) -> (String, String)? {
        if let known = world.entityName(id) { return known }
        if let corporation = data.npcCorporations[id] { return (corporation.name, "corporation") }
        if let faction = data.factions[id] { return (faction.name, "faction") }
        if let station = data.stations[id] { return (station.name, "station") }
        if let system = data.systems[id] { return (system.name, "solar_system") }
        if let constellation = data.constellations[id] { return (constellation.name, "constellation") }
        if let region = data.regions[id] { return (region.name, "region") }
        if let type = data.types[id] { return (type.name, "inventory_type") }
        if let skill = data.skills[id] { return (skill.name, "inventory_type") }
        if id == 1_000_125 { return ("CONCORD", "corporation") }
        return nil
    }

    static func contractJSON(_ contract: Contract) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("acceptor_id", .int(contract.acceptorID)), ("assignee_id", .int(contract.assigneeID)),
            ("availability", .string("public")),
        ]
        if contract.type == "auction" { members.append(("buyout", .double(contract.price * 3))) }
        members.append(("contract_id", .int(contract.id)))
        if let completed = contract.dateCompleted {
            members.append(("date_accepted", .date(completed)))
            members.append(("date_completed", .date(completed)))
        }
        members += [
            ("date_expired", .date(contract.dateExpired)), ("date_issued", .date(contract.dateIssued)),
            ("end_location_id", .int(contract.locationID)), ("for_corporation", .bool(false)),
            ("issuer_corporation_id", .int(contract.issuerCorporationID)), ("issuer_id", .int(contract.issuerID)),
            ("price", .double(contract.price)), ("start_location_id", .int(contract.locationID)),
            ("status", .string(contract.status)), ("title", .string(contract.title)), ("type", .string(contract.type)),
            ("volume", .double(Double(contract.items.count) * 5)),
        ]
        return .object(members)
    }

    static func recipientsJSON(_ mail: Mail) -> JSONValue {
        .array(mail.recipients.map { .object([("recipient_id", .int($0.id)), ("recipient_type", .string($0.type))]) })
    }

    static func mailHeaderJSON(_ mail: Mail) -> JSONValue {
        .object([
            ("from", .int(mail.from)), ("is_read", .bool(mail.isRead)),
            ("labels", .array(mail.labels.map { .int($0) })),
            ("mail_id", .int(mail.id)), ("recipients", recipientsJSON(mail)), ("subject", .string(mail.subject)),
            ("timestamp", .date(mail.timestamp)),
        ])
    }

    /// A JSON array of integers (the body of ESI's POST routes), or nil.
    /// Published types by lower-cased name (the first by id where names repeat), built on first use.
    private static let typeIDsByName: [String: (Int, String)] = {
        var result = [String: (Int, String)]()
        for type in data.types.values.sorted(by: { $0.id < $1.id }) where type.published {
            let key = type.name.lowercased()
            if result[key] == nil { result[key] = (type.id, type.name) }
        }
        return result
    }()
    static func typesByName(_ names: Set<String>) -> [(Int, String)] { names.compactMap { typeIDsByName[$0] } }
    static let systemsByName: [String: (Int, String)] = Dictionary(
        data.systems.values.map { ($0.name.lowercased(), ($0.id, $0.name)) }
    ) { first, _ in first }

    static func parseIDs(_ body: [UInt8]) -> [Int]? {
        guard let array = try? JSONSerialization.jsonObject(with: Data(body)) as? [Any], !array.isEmpty,
            array.count <= 1000
        else {
            return nil
        }
        let ids = array.compactMap { ($0 as? NSNumber)?.intValue }
        return ids.count == array.count ? ids : nil
    }
}

extension Calendar {
    /// The most recent daily downtime (11:00 UTC) at or before `date`.
    static func downtime(before date: Date) -> Date {
        let day = (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let downtime = day + 11 * 3_600
        return Date(timeIntervalSince1970: downtime <= date.timeIntervalSince1970 ? downtime : downtime - 86_400)
    }
}

/// A deterministic market price per type, of the order of magnitude the type's category trades at
/// (ships millions, charges tens of ISK), between half and two and a half times that.
func marketPrice(of type: ItemType) -> JSONValue {
    let base: Double =
        switch type.categoryName {
        case "Ship": 20_000_000
        case "Module": 400_000
        case "Drone": 60_000
        case "Implant": 8_000_000
        case "Charge": 80
        case "Asteroid", "Material": 12
        default: 15_000
        }
    let factor = 0.5 + Double((UInt64(type.id) &* 2_654_435_761) % 1000) / 500
    let average = (base * factor * 100).rounded() / 100
    return .object([
        ("adjusted_price", .double((average * 97).rounded() / 100)), ("average_price", .double(average)),
        ("type_id", .int(Int64(type.id))),
    ])
}
