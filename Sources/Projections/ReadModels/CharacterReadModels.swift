import Foundation
import Vocabulary

/// The character's own sections, each a snapshot: details, location, ship, online status, wallet
/// balance, attributes, implants, clones, corporation history, loyalty, titles, faction warfare,
/// roles and planets.
enum CharacterReadModels {
    static let c = ("character_id", ColumnType.bigint)
    static let fetched = ("fetched_at", ColumnType.timestamptz)

    static func single(_ name: String, _ columns: [(String, ColumnType)]) -> TableSpec {
        TableSpec(name, [c] + columns + [fetched], key: ["character_id"], mode: .replace(scope: ["character_id"]))
    }

    static func list(_ name: String, _ columns: [(String, ColumnType)], key: [String]) -> TableSpec {
        TableSpec(name, [c] + columns, key: ["character_id"] + key, mode: .replace(scope: ["character_id"]))
    }

    static let details = single(
        "character_details",
        [
            ("name", .text), ("corporation_id", .bigint), ("alliance_id", .bigint), ("faction_id", .bigint),
            ("race_id", .bigint), ("bloodline_id", .bigint), ("gender", .text), ("birthday", .timestamptz),
            ("security_status", .double), ("title", .text), ("description", .text), ("ancestry_id", .bigint),
        ]
    )
    static let location = single(
        "character_location",
        [("solar_system_id", .bigint), ("station_id", .bigint), ("structure_id", .bigint)]
    )
    static let ship = single(
        "character_ship",
        [("ship_item_id", .bigint), ("ship_type_id", .bigint), ("ship_name", .text)]
    )
    static let online = single(
        "character_online",
        [("online", .boolean), ("last_login", .timestamptz), ("last_logout", .timestamptz), ("logins", .bigint)]
    )
    static let wallet = single("character_wallet", [("balance", .double)])
    static let attributes = single(
        "character_attributes",
        [
            ("charisma", .bigint), ("intelligence", .bigint), ("memory", .bigint), ("perception", .bigint),
            ("willpower", .bigint), ("bonus_remaps", .bigint), ("last_remap_date", .timestamptz),
            ("accrued_remap_cooldown_date", .timestamptz),
        ]
    )
    static let implants = list("character_implants", [("type_id", .bigint)], key: ["type_id"])
    static let cloneInfo = single(
        "character_clone_info",
        [
            ("home_location_id", .bigint), ("home_location_type", .text), ("last_clone_jump_date", .timestamptz),
            ("last_station_change_date", .timestamptz),
        ]
    )
    static let jumpClones = list(
        "character_jump_clones",
        [
            ("jump_clone_id", .bigint), ("name", .text), ("location_id", .bigint), ("location_type", .text),
            ("implants", .bigintArray),
        ],
        key: ["jump_clone_id"]
    )
    static let corporationHistory = list(
        "character_corporation_history",
        [("record_id", .bigint), ("corporation_id", .bigint), ("start_date", .timestamptz), ("is_deleted", .boolean)],
        key: ["record_id"]
    )
    static let loyalty = list(
        "character_loyalty",
        [("corporation_id", .bigint), ("loyalty_points", .bigint)],
        key: ["corporation_id"]
    )
    static let titles = list("character_titles", [("title_id", .bigint), ("name", .text)], key: ["title_id"])
    static let fwStats = single(
        "character_fw_stats",
        [
            ("faction_id", .bigint), ("enlisted_on", .timestamptz), ("current_rank", .bigint),
            ("highest_rank", .bigint),
            ("kills_yesterday", .bigint), ("kills_last_week", .bigint), ("kills_total", .bigint),
            ("victory_points_yesterday", .bigint), ("victory_points_last_week", .bigint),
            ("victory_points_total", .bigint),
        ]
    )
    static let roles = list("character_roles", [("scope", .text), ("role", .text)], key: ["scope", "role"])
    static let planets = list(
        "character_planets",
        [
            ("planet_id", .bigint), ("solar_system_id", .bigint), ("planet_type", .text), ("upgrade_level", .bigint),
            ("num_pins", .bigint), ("last_update", .timestamptz),
        ],
        key: ["planet_id"]
    )

    static let projector = Projector(
        name: "characters",
        tables: [
            details, location, ship, online, wallet, attributes, implants, cloneInfo, jumpClones, corporationHistory,
            loyalty, titles, fwStats, roles, planets,
        ],
        sections: Dictionary(
            uniqueKeysWithValues: [
                EventSection.characterDetails, .location, .ship, .onlineStatus, .walletBalance, .attributes, .implants,
                .jumpClones, .corporationHistory, .loyalty, .titles, .fwStats, .roles, .planets,
            ].map { ($0, SectionKind.snapshot()) }
        )
    ) { event, _ in
        let id = try event.requireCharacter()
        let character = Cell.int(id)
        let at = Cell.time(event.fetchedAt)
        let json = event.json as Any
        func one(_ table: TableSpec, _ values: [Cell]) -> [Write] {
            [.replace(table, scope: [character], rows: [[character] + values + [at]])]
        }
        func many(_ table: TableSpec, _ rows: [[Cell]]) -> [Write] {
            [.replace(table, scope: [character], rows: rows.map { [character] + $0 })]
        }
        switch EventSection(rawValue: event.section) {
        case .characterDetails:
            let o = try object(json)
            return one(
                details,
                [
                    o.text("name"), o.int("corporation_id"), o.int("alliance_id"), o.int("faction_id"),
                    o.int("race_id"),
                    o.int("bloodline_id"), o.text("gender"), o.time("birthday"), o.double("security_status"),
                    o.text("title"), o.text("description"), o.int("ancestry_id"),
                ]
            )
        case .location:
            let o = try object(json)
            return one(location, [o.int("solar_system_id"), o.int("station_id"), o.int("structure_id")])
        case .ship:
            let o = try object(json)
            return one(ship, [o.int("ship_item_id"), o.int("ship_type_id"), o.text("ship_name")])
        case .onlineStatus:
            let o = try object(json)
            return one(online, [o.bool("online"), o.time("last_login"), o.time("last_logout"), o.int("logins")])
        case .walletBalance:
            guard let balance = number(json) else { throw DecodeError("the wallet balance is not a number") }
            return one(wallet, [.double(balance)])
        case .attributes:
            let o = try object(json)
            return one(
                attributes,
                [
                    o.int("charisma"), o.int("intelligence"), o.int("memory"), o.int("perception"), o.int("willpower"),
                    o.int("bonus_remaps"), o.time("last_remap_date"), o.time("accrued_remap_cooldown_date"),
                ]
            )
        case .implants:
            guard let ids = json as? [Any] else { throw DecodeError("implants are not an array") }
            return many(implants, ids.compactMap(int64).map { [.int($0)] })
        case .jumpClones:
            let o = try object(json)
            let home = o.object("home_location")
            return one(
                cloneInfo,
                [
                    home?.int("location_id") ?? .null, home?.text("location_type") ?? .null,
                    o.time("last_clone_jump_date"), o.time("last_station_change_date"),
                ]
            )
                + many(
                    jumpClones,
                    try o.objects("jump_clones").map {
                        [
                            .int(try $0.requiredInt("jump_clone_id")), $0.text("name"), $0.int("location_id"),
                            $0.text("location_type"), $0.ints("implants"),
                        ]
                    }
                )
        case .corporationHistory:
            return many(
                corporationHistory,
                try objects(json).map {
                    [
                        .int(try $0.requiredInt("record_id")), $0.int("corporation_id"), $0.time("start_date"),
                        $0.bool("is_deleted"),
                    ]
                }
            )
        case .loyalty:
            return many(
                loyalty,
                try objects(json).map { [.int(try $0.requiredInt("corporation_id")), $0.int("loyalty_points")] }
            )
        case .titles:
            return many(titles, try objects(json).map { [.int(try $0.requiredInt("title_id")), $0.text("name")] })
        case .fwStats:
            let o = try object(json)
            let kills = o.object("kills")
            let points = o.object("victory_points")
            return one(
                fwStats,
                [
                    o.int("faction_id"), o.time("enlisted_on"), o.int("current_rank"), o.int("highest_rank"),
                    kills?.int("yesterday") ?? .null, kills?.int("last_week") ?? .null, kills?.int("total") ?? .null,
                    points?.int("yesterday") ?? .null, points?.int("last_week") ?? .null,
                    points?.int("total") ?? .null,
                ]
            )
        case .roles:
            let o = try object(json)
            let rows = ["roles", "roles_at_base", "roles_at_hq", "roles_at_other"].flatMap { scope in
                ((o.fields[scope] as? [Any]) ?? []).compactMap { $0 as? String }.map { [Cell.text(scope), .text($0)] }
            }
            return many(roles, rows)
        case .planets:
            return many(
                planets,
                try objects(json).map {
                    [
                        .int(try $0.requiredInt("planet_id")), $0.int("solar_system_id"), $0.text("planet_type"),
                        $0.int("upgrade_level"), $0.int("num_pins"), $0.time("last_update"),
                    ]
                }
            )
        default:
            return []
        }
    }
}
