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
        switch suffix {
        case "/assets":
            return .paged(
                c.assets.map { asset in
                    var members: [(String, JSONValue)] = [
                        ("is_singleton", .bool(asset.isSingleton)), ("item_id", .int(asset.itemID)),
                        ("location_flag", .string(asset.locationFlag)), ("location_id", .int(asset.locationID)),
                        ("location_type", .string(asset.locationType)), ("quantity", .int(asset.quantity)),
                        ("type_id", .int(asset.typeID)),
                    ]
                    if let copy = asset.isBlueprintCopy { members.insert(("is_blueprint_copy", .bool(copy)), at: 0) }
                    return .object(members)
                },
                pageSize: 1000
            )
        case "/assets/names", "/assets/locations":
            guard let ids = parseIDs(context.body) else {
                return .error(400, "Invalid body: expected a JSON array of item ids")
            }
            let items = c.assets.filter { ids.contains($0.itemID) }
            if suffix == "/assets/names" {
                return .value(
                    .array(
                        items.filter { data.types[$0.typeID]?.kind == "ship" || $0.name != nil }.map {
                            .object([("item_id", .int($0.itemID)), ("name", .string($0.name ?? "None"))])
                        }
                    )
                )
            }
            return .value(
                .array(
                    items.map { asset in
                        .object([
                            ("item_id", .int(asset.itemID)),
                            (
                                "position",
                                .object([
                                    ("x", .double(Double(asset.itemID % 1000) * 1e5)), ("y", .double(0)),
                                    ("z", .double(-Double(asset.itemID % 777) * 1e5)),
                                ])
                            ),
                        ])
                    }
                )
            )
        case "/attributes":
            return .value(
                .object(
                    CharacterAttribute.allCases.map { ($0.rawValue, JSONValue.int(c.attributes[$0.rawValue] ?? 17)) }
                        .sorted { $0.0 < $1.0 }
                        + [("bonus_remaps", .int(c.bonusRemaps))]
                )
            )
        case "/skills":
            let skills = c.skills.values.sorted { $0.skillID < $1.skillID }.map { skill in
                JSONValue.object([
                    ("active_skill_level", .int(c.isAlpha ? min(skill.trainedLevel, 4) : skill.trainedLevel)),
                    ("skill_id", .int(skill.skillID)), ("skillpoints_in_skill", .int(skill.skillPoints)),
                    ("trained_skill_level", .int(skill.trainedLevel)),
                ])
            }
            return .value(
                .object([
                    ("skills", .array(skills)), ("total_sp", .int(c.totalSP)),
                    ("unallocated_sp", .int(c.unallocatedSP)),
                ])
            )
        case "/skillqueue":
            return .value(
                .array(
                    c.queue.enumerated().map { position, entry in
                        .object([
                            ("finish_date", .date(entry.finish)), ("finished_level", .int(entry.finishedLevel)),
                            ("level_end_sp", .int(entry.levelEndSP)), ("level_start_sp", .int(entry.levelStartSP)),
                            ("queue_position", .int(position)), ("skill_id", .int(entry.skillID)),
                            ("start_date", .date(entry.start)), ("training_start_sp", .int(entry.trainingStartSP)),
                        ])
                    }
                )
            )
        case "/implants":
            return .value(.array(c.implants.map { .int($0) }))
        case "/clones":
            var members: [(String, JSONValue)] = [
                (
                    "home_location",
                    .object([("location_id", .int(c.homeLocationID)), ("location_type", .string("station"))])
                ),
                (
                    "jump_clones",
                    .array(
                        c.jumpClones.map { clone in
                            var fields: [(String, JSONValue)] = [
                                ("implants", .array(clone.implants.map { .int($0) })),
                                ("jump_clone_id", .int(clone.id)),
                                ("location_id", .int(clone.locationID)),
                                (
                                    "location_type",
                                    .string(clone.locationID >= 1_000_000_000_000 ? "structure" : "station")
                                ),
                            ]
                            if let name = clone.name { fields.append(("name", .string(name))) }
                            return .object(fields)
                        }
                    )
                ),
            ]
            if let jump = c.lastCloneJump { members.append(("last_clone_jump_date", .date(jump))) }
            return .value(.object(members))
        case "/contacts":
            return .paged(
                c.contacts.map { contact in
                    .object([
                        ("contact_id", .int(contact.contactID)), ("contact_type", .string(contact.contactType)),
                        ("is_watched", .bool(contact.isWatched)),
                        ("label_ids", .array(contact.labelIDs.map { .int($0) })),
                        ("standing", .double(contact.standing)),
                    ])
                },
                pageSize: 1024
            )
        case "/contacts/labels":
            return .value(
                .array(c.contactLabels.map { .object([("label_id", .int($0.id)), ("label_name", .string($0.name))]) })
            )
        case "/contracts":
            return .paged(c.contracts.reversed().map(contractJSON), pageSize: 1000)
        case "/contracts/{contract_id}/items", "/contracts/{contract_id}/bids":
            guard let id = context.parameters["contract_id"].flatMap(Int.init),
                let contract = c.contracts.first(where: { $0.id == id })
            else {
                return .error(404, "Contract not found!")
            }
            if suffix.hasSuffix("/items") {
                return .value(
                    .array(
                        contract.items.map { item in
                            .object([
                                ("is_included", .bool(true)), ("is_singleton", .bool(false)),
                                ("quantity", .int(item.quantity)),
                                ("record_id", .int(item.recordID)), ("type_id", .int(item.typeID)),
                            ])
                        }
                    )
                )
            }
            return .value(
                .array(
                    contract.bids.map { bid in
                        .object([
                            ("amount", .double(bid.amount)), ("bid_id", .int(bid.id)),
                            ("bidder_id", .int(bid.bidderID)), ("date_bid", .date(bid.date)),
                        ])
                    }
                )
            )
        case "/loyalty/points":
            return .value(
                .array(
                    c.loyalty.map {
                        .object([("corporation_id", .int($0.corporationID)), ("loyalty_points", .int($0.points))])
                    }
                )
            )
        case "/mail":
            let lastMailID = context.query["last_mail_id"].flatMap(Int.init) ?? Int.max
            let labels = context.query["labels"].map { Set($0.split(separator: ",").compactMap { Int($0) }) }
            let page = c.mails.reversed().filter {
                $0.id < lastMailID && (labels == nil || !labels!.isDisjoint(with: $0.labels))
            }.prefix(50)
            return .value(.array(page.map(mailHeaderJSON)))
        case "/mail/labels":
            let unread = { (label: Int) in c.mails.filter { !$0.isRead && $0.labels.contains(label) }.count }
            return .value(
                .object([
                    (
                        "labels",
                        .array(
                            c.mailLabels.map { label in
                                .object([
                                    ("color", .string(label.color)), ("label_id", .int(label.id)),
                                    ("name", .string(label.name)), ("unread_count", .int(unread(label.id))),
                                ])
                            }
                        )
                    ),
                    ("total_unread_count", .int(c.mails.filter { !$0.isRead }.count)),
                ])
            )
        case "/mail/lists":
            return .value(
                .array(c.mailingLists.map { .object([("mailing_list_id", .int($0.id)), ("name", .string($0.name))]) })
            )
        case "/mail/{mail_id}":
            guard let id = context.parameters["mail_id"].flatMap(Int.init),
                let mail = c.mails.first(where: { $0.id == id })
            else {
                return .error(404, "Mail not found")
            }
            return .value(
                .object([
                    ("body", .string(mail.body)), ("from", .int(mail.from)),
                    ("labels", .array(mail.labels.map { .int($0) })),
                    ("read", .bool(mail.isRead)), ("recipients", recipientsJSON(mail)),
                    ("subject", .string(mail.subject)),
                    ("timestamp", .date(mail.timestamp)),
                ])
            )
        case "/wallet":
            return .value(.double(c.balance))
        case "/wallet/journal":
            return .paged(
                c.journal.reversed().map { entry in
                    .object([
                        ("amount", .double(entry.amount)), ("balance", .double(entry.balance)),
                        ("date", .date(entry.date)),
                        ("description", .string(entry.description)), ("first_party_id", .int(entry.firstPartyID)),
                        ("id", .int(entry.id)), ("ref_type", .string(entry.refType)),
                        ("second_party_id", .int(entry.secondPartyID)),
                    ])
                },
                pageSize: 2500
            )
        case "/wallet/transactions":
            let fromID = context.query["from_id"].flatMap(Int.init) ?? Int.max
            return .value(
                .array(
                    c.transactions.reversed().filter { $0.id <= fromID }.prefix(2500).map { t in
                        .object([
                            ("client_id", .int(t.clientID)), ("date", .date(t.date)), ("is_buy", .bool(t.isBuy)),
                            ("is_personal", .bool(true)),
                            ("journal_ref_id", .int(t.journalRefID)), ("location_id", .int(t.locationID)),
                            ("quantity", .int(t.quantity)),
                            ("transaction_id", .int(t.id)), ("type_id", .int(t.typeID)),
                            ("unit_price", .double(t.unitPrice)),
                        ])
                    }
                )
            )
        case "/location":
            var members: [(String, JSONValue)] = [("solar_system_id", .int(c.solarSystemID))]
            if let station = c.stationID { members.append(("station_id", .int(station))) }
            return .value(.object(members))
        case "/online":
            return .value(
                .object([
                    ("last_login", .date(c.lastLogin)), ("last_logout", .date(c.lastLogout)),
                    ("logins", .int(c.logins)), ("online", .bool(c.isOnline)),
                ])
            )
        case "/ship":
            return .value(
                .object([
                    ("ship_item_id", .int(c.shipItemID)), ("ship_name", .string(c.shipName)),
                    ("ship_type_id", .int(c.shipTypeID)),
                ])
            )
        case "/standings":
            return .value(
                .array(
                    c.standings.map {
                        .object([
                            ("from_id", .int($0.fromID)), ("from_type", .string($0.fromType)),
                            ("standing", .double($0.standing)),
                        ])
                    }
                )
            )
        case "/titles":
            return .value(.array(c.titles.map { .object([("name", .string($0.name)), ("title_id", .int($0.id))]) }))
        case "/roles":
            return .value(.object([("roles", .array(c.roles.map { .string($0) }))]))
        case "/fw/stats":
            let counts = JSONValue.object([("last_week", .int(0)), ("total", .int(c.fwKills)), ("yesterday", .int(0))])
            return .value(.object([("kills", counts), ("victory_points", counts)]))
        case "/mining":
            return .paged(
                c.mining.reversed().map { entry in
                    .object([
                        ("date", .string(String(isoTimestamp(entry.date).prefix(10)))),
                        ("quantity", .int(entry.quantity)),
                        ("solar_system_id", .int(entry.systemID)), ("type_id", .int(entry.typeID)),
                    ])
                },
                pageSize: 1000
            )
        case "/planets":
            return .value(
                .array(
                    c.planets.map { planet in
                        .object([
                            ("last_update", .date(planet.lastUpdate)), ("num_pins", .int(planet.pins)),
                            ("owner_id", .int(c.id)),
                            ("planet_id", .int(planet.planetID)), ("planet_type", .string(planet.type)),
                            ("solar_system_id", .int(planet.systemID)), ("upgrade_level", .int(planet.level)),
                        ])
                    }
                )
            )
        case "/planets/{planet_id}":
            return .value(.object([("links", .array([])), ("pins", .array([])), ("routes", .array([]))]))
        case "/blueprints", "/killmails/recent", "/orders/history":
            return .paged([], pageSize: 1000)
        case "/agents_research", "/notifications", "/notifications/contacts", "/medals", "/calendar", "/industry/jobs",
            "/orders", "/fittings":
            return .value(.array([]))
        case "/fatigue":
            return .value(.object([]))
        case "/search":
            return .value(.object([]))
        case "/calendar/{event_id}":
            return .error(404, "Event not found")
        default:
            return .error(404, "Not found")
        }
    }

    // MARK: - Public routes

    static func publicRoute(_ path: String, _ context: RequestContext) -> RouteBody {
        let world = context.world
        func intParameter(_ name: String) -> Int? { context.parameters[name].flatMap(Int.init) }
        switch path {
        case "/characters/{character_id}":
            guard let id = intParameter("character_id"), let c = world.character(id, at: context.now) else {
                return .error(404, "Character not found")
            }
            var members: [(String, JSONValue)] = []
            if let alliance = world.corporation(c.corporationID)?.allianceID {
                members.append(("alliance_id", .int(alliance)))
            }
            members += [
                ("birthday", .date(c.birthday)), ("bloodline_id", .int(c.bloodlineID)),
                ("corporation_id", .int(c.corporationID)),
                ("description", .string(c.description)), ("gender", .string(c.gender)), ("name", .string(c.name)),
                ("race_id", .int(c.raceID)), ("security_status", .double(c.securityStatus)),
            ]
            if let title = c.title { members.append(("title", .string(title))) }
            return .value(.object(members))
        case "/characters/{character_id}/corporationhistory":
            guard let id = intParameter("character_id"), let c = world.character(id, at: context.now) else {
                return .error(404, "Character not found")
            }
            return .value(
                .array(
                    c.corporationHistory.reversed().map { record in
                        .object([
                            ("corporation_id", .int(record.corporationID)), ("record_id", .int(record.recordID)),
                            ("start_date", .date(record.startDate)),
                        ])
                    }
                )
            )
        case "/characters/{character_id}/portrait":
            let base = "https://images.evetech.net/characters/\(context.parameters["character_id"] ?? "0")/portrait"
            return .value(
                .object(["px128x128", "px256x256", "px512x512", "px64x64"].map { ($0, JSONValue.string(base)) })
            )
        case "/characters/affiliation":
            guard let ids = parseIDs(context.body) else { return .error(400, "Invalid body") }
            return .value(
                .array(
                    ids.compactMap { id in
                        world.character(id, at: context.now).map { c in
                            var members: [(String, JSONValue)] = []
                            if let alliance = world.corporation(c.corporationID)?.allianceID {
                                members.append(("alliance_id", .int(alliance)))
                            }
                            return .object(
                                members + [("character_id", .int(id)), ("corporation_id", .int(c.corporationID))]
                            )
                        }
                    }
                )
            )
        case "/corporations/{corporation_id}":
            guard let id = intParameter("corporation_id") else { return .error(404, "Corporation not found") }
            if let corporation = world.corporation(id) {
                var members: [(String, JSONValue)] = []
                if let alliance = corporation.allianceID { members.append(("alliance_id", .int(alliance))) }
                let roster = world.members(ofCorporation: id)
                members += [
                    ("ceo_id", .int(roster.first ?? 1)), ("creator_id", .int(roster.first ?? 1)),
                    ("date_founded", .date(corporation.founded)),
                    ("member_count", .int(roster.count)), ("name", .string(corporation.name)),
                    ("tax_rate", .double(0.1)),
                    ("ticker", .string(corporation.ticker)),
                ]
                return .value(.object(members))
            }
            if let npc = data.npcCorporations[id] {
                return .value(
                    .object([
                        ("ceo_id", .int(3_004_000)), ("creator_id", .int(1)), ("member_count", .int(0)),
                        ("name", .string(npc.name)),
                        ("tax_rate", .double(0.0)), ("ticker", .string(String(npc.name.prefix(4)).uppercased())),
                    ])
                )
            }
            return .error(404, "Corporation not found")
        case "/corporations/{corporation_id}/members":
            guard let id = intParameter("corporation_id"), world.corporation(id) != nil else {
                return .error(404, "Corporation not found")
            }
            return .value(.array(world.members(ofCorporation: id).map { .int($0) }))
        case "/alliances/{alliance_id}":
            guard let id = intParameter("alliance_id"), let alliance = world.alliance(id) else {
                return .error(404, "Alliance not found")
            }
            return .value(
                .object([
                    ("creator_corporation_id", .int(98_000_001)), ("creator_id", .int(world.characterIDs.first ?? 1)),
                    ("date_founded", .date(alliance.founded)), ("executor_corporation_id", .int(98_000_001)),
                    ("name", .string(alliance.name)), ("ticker", .string(alliance.ticker)),
                ])
            )
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
            guard let id = intParameter("type_id") else { return .error(404, "Type not found") }
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
            if let id = intParameter("group_id"), id == PatchTypes.newGroup.id {
                let group = PatchTypes.newGroup
                return .value(
                    .object([
                        ("category_id", .int(group.categoryID)), ("group_id", .int(id)), ("name", .string(group.name)),
                        ("published", .bool(true)),
                        ("types", .array(PatchTypes.types.filter { $0.groupID == id }.map { .int($0.id) })),
                    ])
                )
            }
            guard let id = intParameter("group_id"), let group = data.groups[id] else {
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
            guard let id = intParameter("category_id"), let category = data.categories[id] else {
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
            guard let id = intParameter("system_id"), let system = data.systems[id] else {
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
            guard let id = intParameter("constellation_id"), let constellation = data.constellations[id] else {
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
            guard let id = intParameter("region_id"), let region = data.regions[id] else {
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
            guard let id = intParameter("station_id"), let station = data.stations[id] else {
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
            guard let id = intParameter("structure_id"), let structure = context.structures.structure(id) else {
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
            guard let id = intParameter("planet_id"), let planet = world.planet(id),
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
        case "/markets/prices":
            // As on Tranquility: the types that can be traded (published, on the market).
            return .value(.array(data.marketTypes.map(marketPrice(of:))))
        case "/dogma/attributes/{attribute_id}":
            return .error(404, "Attribute not found")
        case "/killmails/{killmail_id}/{killmail_hash}":
            return .error(422, "Invalid killmail_id and/or killmail_hash")
        case "/status":
            return .value(
                .object([
                    ("players", .int(20_000 + world.characterIDs.count)), ("server_version", .string("2945123")),
                    ("start_time", .date(Calendar.downtime(before: context.now))),
                ])
            )
        case "/meta/status":
            return .value(
                .object([
                    (
                        "routes",
                        .array(
                            RouteTable.shipped.routes.map { route in
                                .object([
                                    ("method", .string(route.method)), ("path", .string(route.path)),
                                    ("status", .string(context.downRoutes.contains(route.path) ? "Down" : "OK")),
                                ])
                            }
                        )
                    )
                ])
            )
        case "/meta/compatibility-dates":
            return .value(.object([("compatibility_dates", .array([.string("2025-12-16"), .string("2020-01-01")]))]))
        default:
            return .error(404, "Not found")
        }
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
