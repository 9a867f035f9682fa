import Foundation
import Postgres
import Vocabulary

/// A value of a read-model query, for display: tables, CSV and JSON.
public enum DisplayValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)
    case time(Date)
    /// JSON text (nested lists, such as a contract's items).
    case json(String)
}

/// Rows of one part of a section (a section may have several: mails, their labels, lists).
public struct DisplayPart: Sendable {
    public var name: String
    public var columns: [String]
    public var rows: [[DisplayValue]]
    /// One row at most (details, location, ...): shown as fields, in JSON as an object.
    public var single: Bool

    public init(name: String, columns: [String], rows: [[DisplayValue]], single: Bool = false) {
        self.name = name
        self.columns = columns
        self.rows = rows
        self.single = single
    }
}

/// The current state of one section of a character, from the read models.
public struct SectionState: Sendable {
    public var name: String
    public var parts: [DisplayPart]

    public init(name: String, parts: [DisplayPart]) {
        self.name = name
        self.parts = parts
    }
}

/// A character as the read models know it.
public struct CharacterState: Sendable {
    public var id: Int64
    public var name: String
    public var sections: [SectionState]

    public init(id: Int64, name: String, sections: [SectionState]) {
        self.id = id
        self.name = name
        self.sections = sections
    }
}

/// Reads characters' current state: `memberaudit show`, later the web pages.
public enum CharacterQueries {
    struct Part {
        var name: String
        var single = false
        var sql: String
    }

    /// The sections `show` knows, with the queries of their parts (`$1` is the character id).
    static let sections: [(String, [Part])] = [
        (
            "overview",
            [
                Part(
                    name: "overview",
                    single: true,
                    sql: """
                        SELECT o.character_id, o.name, o.corporation_name, o.alliance_name, o.location_name,
                               o.solar_system_name, o.region_name, round(o.security_status::numeric, 1)::float8 AS security,
                               o.ship_type_name, o.ship_name, o.wallet_balance, o.total_sp, o.unallocated_sp, o.online,
                               o.last_login, o.last_update, o.failing_sections
                        FROM readmodel.character_overview o WHERE o.character_id = $1
                        """
                )
            ]
        ),
        (
            "assets",
            [
                Part(
                    name: "assets",
                    sql: """
                        SELECT item_id, type_name, item_name, quantity, location_flag, parent_item_id, root_location_name,
                               solar_system_name, region_name, is_singleton, is_blueprint_copy, value, type_id,
                               root_location_id, group_name, category_name, added_current_ship
                        FROM readmodel.assets_view WHERE character_id = $1
                        ORDER BY root_location_name, coalesce(parent_item_id, item_id), depth, type_name, item_id
                        """
                )
            ]
        ),
        (
            "attributes",
            [
                Part(
                    name: "attributes",
                    single: true,
                    sql: """
                        SELECT charisma, intelligence, memory, perception, willpower, bonus_remaps, last_remap_date,
                               accrued_remap_cooldown_date, fetched_at
                        FROM readmodel.character_attributes WHERE character_id = $1
                        """
                )
            ]
        ),
        (
            "character_details",
            [
                Part(
                    name: "character_details",
                    single: true,
                    sql: """
                        SELECT d.name, d.corporation_id, coalesce(c.name, d.corporation_id::text) AS corporation,
                               d.alliance_id, coalesce(a.name, d.alliance_id::text) AS alliance, d.faction_id,
                               coalesce(f.name, d.faction_id::text) AS faction, d.race_id,
                               coalesce(r.name, d.race_id::text) AS race, d.bloodline_id,
                               coalesce(b.name, d.bloodline_id::text) AS bloodline, d.ancestry_id,
                               coalesce(an.name, d.ancestry_id::text) AS ancestry, d.gender, d.birthday,
                               d.security_status, d.title, d.description, d.fetched_at
                        FROM readmodel.character_details d
                        LEFT JOIN readmodel.names c ON c.id = d.corporation_id
                        LEFT JOIN readmodel.names a ON a.id = d.alliance_id
                        LEFT JOIN sde.factions f ON f.id = d.faction_id
                        LEFT JOIN sde.races r ON r.id = d.race_id
                        LEFT JOIN sde.bloodlines b ON b.id = d.bloodline_id
                        LEFT JOIN sde.ancestries an ON an.id = d.ancestry_id
                        WHERE d.character_id = $1
                        """
                )
            ]
        ),
        (
            "contacts",
            [
                Part(
                    name: "contacts",
                    sql: """
                        SELECT c.contact_id, coalesce(n.name, c.contact_id::text) AS contact_name, c.contact_type, c.standing,
                               -- The game's five standing groups, and NPCs (agents, NPC corporations,
                               -- factions) by their id ranges.
                               CASE WHEN c.standing > 5 THEN 'Excellent' WHEN c.standing > 0 THEN 'Good'
                                    WHEN c.standing = 0 THEN 'Neutral' WHEN c.standing >= -5 THEN 'Bad'
                                    ELSE 'Terrible' END AS standing_group,
                               c.contact_id BETWEEN 500000 AND 1999999 OR c.contact_id BETWEEN 3000000 AND 3999999 AS is_npc,
                               c.is_blocked, c.is_watched,
                               (SELECT string_agg(coalesce(l.label_name, x::text), ', ' ORDER BY x)
                                FROM unnest(c.label_ids) x
                                LEFT JOIN readmodel.contact_labels l ON l.character_id = c.character_id AND l.label_id = x)
                                   AS labels
                        FROM readmodel.contacts c LEFT JOIN readmodel.names n ON n.id = c.contact_id
                        WHERE c.character_id = $1 ORDER BY c.standing DESC, contact_name
                        """
                ),
                Part(
                    name: "labels",
                    sql:
                        "SELECT label_id, label_name FROM readmodel.contact_labels WHERE character_id = $1 ORDER BY label_id"
                ),
            ]
        ),
        (
            "contracts",
            [
                Part(
                    name: "contracts",
                    sql: """
                        SELECT c.contract_id, c.type, c.status, c.title, coalesce(i.name, c.issuer_id::text) AS issuer,
                               coalesce(a.name, nullif(c.assignee_id, 0)::text) AS assignee, c.date_issued, c.date_expired,
                               c.date_completed, c.price, c.reward, c.collateral, c.volume,
                               coalesce(s.name, c.start_location_id::text) AS start_location,
                               (SELECT json_agg(json_build_object('type_name', coalesce(t.name, ci.type_id::text),
                                        'type_id', ci.type_id, 'quantity', ci.quantity, 'is_included', ci.is_included)
                                        ORDER BY ci.record_id)
                                FROM readmodel.contract_items ci LEFT JOIN readmodel.universe_types t ON t.id = ci.type_id
                                WHERE ci.character_id = c.character_id AND ci.contract_id = c.contract_id) AS items,
                               (SELECT json_agg(json_build_object('bidder', coalesce(bn.name, b.bidder_id::text),
                                        'amount', b.amount, 'date_bid', b.date_bid) ORDER BY b.date_bid)
                                FROM readmodel.contract_bids b LEFT JOIN readmodel.names bn ON bn.id = b.bidder_id
                                WHERE b.character_id = c.character_id AND b.contract_id = c.contract_id) AS bids
                        FROM readmodel.contracts c
                        LEFT JOIN readmodel.names i ON i.id = c.issuer_id
                        LEFT JOIN readmodel.names a ON a.id = c.assignee_id
                        LEFT JOIN readmodel.locations s ON s.location_id = c.start_location_id
                        WHERE c.character_id = $1 ORDER BY c.date_issued DESC, c.contract_id DESC
                        """
                )
            ]
        ),
        (
            "corporation_history",
            [
                Part(
                    name: "corporation_history",
                    sql: """
                        SELECT h.record_id, h.corporation_id, coalesce(n.name, h.corporation_id::text) AS corporation,
                               h.start_date, h.is_deleted
                        FROM readmodel.character_corporation_history h LEFT JOIN readmodel.names n ON n.id = h.corporation_id
                        WHERE h.character_id = $1 ORDER BY h.start_date DESC, h.record_id DESC
                        """
                )
            ]
        ),
        (
            "fw_stats",
            [
                Part(
                    name: "fw_stats",
                    single: true,
                    sql: """
                        SELECT w.faction_id, coalesce(f.name, w.faction_id::text) AS faction, w.enlisted_on, w.current_rank,
                               current_title.name AS current_rank_name, w.highest_rank,
                               highest_title.name AS highest_rank_name, w.kills_yesterday, w.kills_last_week, w.kills_total,
                               w.victory_points_yesterday, w.victory_points_last_week, w.victory_points_total, w.fetched_at
                        FROM readmodel.character_fw_stats w LEFT JOIN sde.factions f ON f.id = w.faction_id
                        LEFT JOIN (VALUES \(MilitiaRanks.sqlValues)) current_title (faction_id, rank, name)
                            ON current_title.faction_id = w.faction_id AND current_title.rank = w.current_rank
                        LEFT JOIN (VALUES \(MilitiaRanks.sqlValues)) highest_title (faction_id, rank, name)
                            ON highest_title.faction_id = w.faction_id AND highest_title.rank = w.highest_rank
                        WHERE w.character_id = $1
                        """
                )
            ]
        ),
        (
            "implants",
            [
                Part(
                    name: "implants",
                    sql: """
                        SELECT s.implant_slot AS slot, i.type_id, coalesce(t.name, i.type_id::text) AS type_name
                        FROM readmodel.character_implants i LEFT JOIN readmodel.universe_types t ON t.id = i.type_id
                        LEFT JOIN sde.types s ON s.id = i.type_id
                        WHERE i.character_id = $1 ORDER BY slot NULLS LAST, type_name
                        """
                )
            ]
        ),
        (
            "jump_clones",
            [
                Part(
                    name: "home",
                    single: true,
                    sql: """
                        SELECT c.home_location_id, coalesce(l.name, c.home_location_id::text) AS home_location,
                               c.home_location_type, c.last_clone_jump_date, c.last_station_change_date, c.fetched_at
                        FROM readmodel.character_clone_info c
                        LEFT JOIN readmodel.locations l ON l.location_id = c.home_location_id
                        WHERE c.character_id = $1
                        """
                ),
                Part(
                    name: "jump_clones",
                    sql: """
                        SELECT j.jump_clone_id, j.name, coalesce(l.name, j.location_id::text) AS location, j.location_type,
                               (SELECT string_agg(coalesce(t.name, x::text), ', ' ORDER BY x)
                                FROM unnest(j.implants) x LEFT JOIN readmodel.universe_types t ON t.id = x) AS implants
                        FROM readmodel.character_jump_clones j LEFT JOIN readmodel.locations l ON l.location_id = j.location_id
                        WHERE j.character_id = $1 ORDER BY j.jump_clone_id
                        """
                ),
            ]
        ),
        (
            "location",
            [
                Part(
                    name: "location",
                    single: true,
                    sql: """
                        SELECT l.solar_system_id, s.name AS solar_system, round(s.security_status::numeric, 1)::float8 AS security,
                               r.name AS region, coalesce(l.structure_id, l.station_id) AS location_id,
                               coalesce(p.name, coalesce(l.structure_id, l.station_id)::text) AS location, p.kind, l.fetched_at
                        FROM readmodel.character_location l
                        LEFT JOIN readmodel.universe_systems s ON s.id = l.solar_system_id
                        LEFT JOIN readmodel.universe_regions r ON r.id = s.region_id
                        LEFT JOIN readmodel.locations p ON p.location_id = coalesce(l.structure_id, l.station_id)
                        WHERE l.character_id = $1
                        """
                )
            ]
        ),
        (
            "loyalty",
            [
                Part(
                    name: "loyalty",
                    sql: """
                        SELECT l.corporation_id, coalesce(n.name, l.corporation_id::text) AS corporation, l.loyalty_points
                        FROM readmodel.character_loyalty l LEFT JOIN readmodel.names n ON n.id = l.corporation_id
                        WHERE l.character_id = $1 ORDER BY l.loyalty_points DESC
                        """
                )
            ]
        ),
        (
            "mails",
            [
                Part(
                    name: "mails",
                    sql: """
                        SELECT m.mail_id, m."timestamp", m.from_name, array_to_string(m.recipient_names, ', ') AS recipients,
                               m.subject, m.is_read,
                               (SELECT string_agg(coalesce(l.name, x::text), ', ' ORDER BY x)
                                FROM unnest(m.label_ids) x
                                LEFT JOIN readmodel.mail_labels l ON l.character_id = m.character_id AND l.label_id = x)
                                   AS labels,
                               m.body
                        FROM readmodel.mails_view m WHERE m.character_id = $1 ORDER BY m."timestamp" DESC, m.mail_id DESC
                        """
                ),
                Part(
                    name: "labels",
                    sql: """
                        SELECT label_id, name, color, unread_count FROM readmodel.mail_labels
                        WHERE character_id = $1 ORDER BY label_id
                        """
                ),
                Part(
                    name: "mailing_lists",
                    sql: """
                        SELECT mailing_list_id, name FROM readmodel.mailing_lists WHERE character_id = $1 ORDER BY name
                        """
                ),
            ]
        ),
        (
            "mining_ledger",
            [
                Part(
                    name: "mining_ledger",
                    sql: """
                        SELECT m.date, m.solar_system_id, coalesce(s.name, m.solar_system_id::text) AS solar_system,
                               r.name AS region, m.type_id, coalesce(t.name, m.type_id::text) AS type_name, m.quantity,
                               p.average_price * m.quantity AS value
                        FROM readmodel.mining_ledger m
                        LEFT JOIN readmodel.universe_systems s ON s.id = m.solar_system_id
                        LEFT JOIN readmodel.universe_regions r ON r.id = s.region_id
                        LEFT JOIN readmodel.universe_types t ON t.id = m.type_id
                        LEFT JOIN readmodel.market_prices p ON p.type_id = m.type_id
                        WHERE m.character_id = $1 ORDER BY m.date DESC, solar_system, type_name
                        """
                )
            ]
        ),
        (
            "online_status",
            [
                Part(
                    name: "online_status",
                    single: true,
                    sql: """
                        SELECT online, last_login, last_logout, logins, fetched_at
                        FROM readmodel.character_online WHERE character_id = $1
                        """
                )
            ]
        ),
        (
            "planets",
            [
                Part(
                    name: "planets",
                    sql: """
                        SELECT p.planet_id, coalesce(planet.name, p.planet_id::text) AS planet_name,
                               p.solar_system_id, coalesce(s.name, p.solar_system_id::text) AS solar_system,
                               r.name AS region, p.planet_type, planet_type.name AS planet_type_name, p.upgrade_level,
                               p.num_pins, p.last_update
                        FROM readmodel.character_planets p
                        LEFT JOIN readmodel.esi_planets planet ON planet.planet_id = p.planet_id
                        LEFT JOIN readmodel.universe_types planet_type ON planet_type.id = planet.type_id
                        LEFT JOIN readmodel.universe_systems s ON s.id = p.solar_system_id
                        LEFT JOIN readmodel.universe_regions r ON r.id = s.region_id
                        WHERE p.character_id = $1 ORDER BY p.planet_id
                        """
                )
            ]
        ),
        (
            "roles",
            [
                Part(
                    name: "roles",
                    sql:
                        "SELECT scope, role FROM readmodel.character_roles WHERE character_id = $1 ORDER BY scope, role"
                )
            ]
        ),
        (
            "ship",
            [
                Part(
                    name: "ship",
                    single: true,
                    sql: """
                        SELECT s.ship_type_id, coalesce(t.name, s.ship_type_id::text) AS ship_type, s.ship_name,
                               s.ship_item_id, s.fetched_at
                        FROM readmodel.character_ship s LEFT JOIN readmodel.universe_types t ON t.id = s.ship_type_id
                        WHERE s.character_id = $1
                        """
                )
            ]
        ),
        (
            "skill_queue",
            [
                Part(
                    name: "skill_queue",
                    sql: """
                        SELECT queue_position, skill_name, finished_level, start_date, finish_date, level_start_sp,
                               level_end_sp, training_start_sp, group_name, skill_id
                        FROM readmodel.skill_queue_view WHERE character_id = $1 ORDER BY queue_position
                        """
                )
            ]
        ),
        (
            "skills",
            [
                Part(
                    name: "totals",
                    single: true,
                    sql:
                        "SELECT total_sp, unallocated_sp, fetched_at FROM readmodel.skill_totals WHERE character_id = $1"
                ),
                Part(
                    name: "skills",
                    sql: """
                        SELECT skill_id, skill_name, group_name, active_skill_level, trained_skill_level, skillpoints_in_skill
                        FROM readmodel.skills_view WHERE character_id = $1 ORDER BY group_name, skill_name
                        """
                ),
            ]
        ),
        (
            "standings",
            [
                Part(
                    name: "standings",
                    sql: """
                        SELECT s.from_id, coalesce(n.name, s.from_id::text) AS from_name, s.from_type, s.standing,
                               e.standing AS effective_standing,
                               CASE WHEN e.standing > 5 THEN 'Excellent' WHEN e.standing > 0 THEN 'Good'
                                    WHEN e.standing = 0 THEN 'Neutral' WHEN e.standing >= -5 THEN 'Bad'
                                    ELSE 'Terrible' END AS standing_group
                        FROM readmodel.standings s LEFT JOIN readmodel.names n ON n.id = s.from_id
                        LEFT JOIN sde.npc_corporations corporation ON corporation.id = s.from_id
                        -- The standing the game applies: base + (10 − base) · 4 % per level of
                        -- Diplomacy (below zero), Criminal Connections (pirate factions and their
                        -- corporations) or Connections (the rest).
                        CROSS JOIN LATERAL (
                            SELECT round((s.standing + (10 - s.standing) * 0.04 * coalesce((
                                SELECT k.active_skill_level FROM readmodel.skills k
                                WHERE k.character_id = s.character_id
                                  AND k.skill_id = CASE
                                      WHEN s.standing < 0 THEN 3357
                                      WHEN coalesce(corporation.faction_id, s.from_id)
                                           IN (500010, 500011, 500012, 500019, 500020) THEN 3361
                                      ELSE 3359 END), 0))::numeric, 2)::float8 AS standing
                        ) e
                        WHERE s.character_id = $1 ORDER BY e.standing DESC, s.from_id
                        """
                )
            ]
        ),
        (
            "titles",
            [
                Part(
                    name: "titles",
                    sql:
                        "SELECT title_id, name FROM readmodel.character_titles WHERE character_id = $1 ORDER BY title_id"
                )
            ]
        ),
        (
            "wallet_balance",
            [
                Part(
                    name: "wallet_balance",
                    single: true,
                    sql: "SELECT balance, fetched_at FROM readmodel.character_wallet WHERE character_id = $1"
                )
            ]
        ),
        (
            "wallet_journal",
            [
                Part(
                    name: "wallet_journal",
                    sql: """
                        SELECT j.id, j.date, j.ref_type, j.amount, j.balance, coalesce(f.name, j.first_party_id::text) AS first_party,
                               coalesce(s.name, j.second_party_id::text) AS second_party, j.description, j.reason
                        FROM readmodel.wallet_journal j
                        LEFT JOIN readmodel.names f ON f.id = j.first_party_id
                        LEFT JOIN readmodel.names s ON s.id = j.second_party_id
                        WHERE j.character_id = $1 ORDER BY j.date DESC, j.id DESC
                        """
                )
            ]
        ),
        (
            "wallet_transactions",
            [
                Part(
                    name: "wallet_transactions",
                    sql: """
                        SELECT w.transaction_id, w.date, w.type_id, coalesce(t.name, w.type_id::text) AS type_name, w.quantity, w.unit_price,
                               -- What the wallet gained (a sale) or paid (a purchase, negative).
                               w.quantity * w.unit_price * CASE WHEN w.is_buy THEN -1 ELSE 1 END AS total,
                               w.is_buy, coalesce(c.name, w.client_id::text) AS client,
                               coalesce(l.name, w.location_id::text) AS location, w.is_personal, w.journal_ref_id
                        FROM readmodel.wallet_transactions w
                        LEFT JOIN readmodel.universe_types t ON t.id = w.type_id
                        LEFT JOIN readmodel.names c ON c.id = w.client_id
                        LEFT JOIN readmodel.locations l ON l.location_id = w.location_id
                        WHERE w.character_id = $1 ORDER BY w.date DESC, w.transaction_id DESC
                        """
                )
            ]
        ),
        (
            "update_status",
            [
                Part(
                    name: "update_status",
                    sql: """
                        SELECT section, last_attempt_at, last_success_at, last_changed_at, failing, error
                        FROM readmodel.sync_sections WHERE character_id = $1 ORDER BY section
                        """
                )
            ]
        ),
    ]

    /// Names `show --section` accepts.
    public static var sectionNames: [String] { self.sections.map(\.0) }

    /// Finds a character by id or by name (exact, case-insensitive; then a unique prefix).
    public static func resolve(_ text: String, pool: PostgresPool) async throws -> (id: Int64, name: String) {
        try await pool.withConnection { try self.resolve(text, on: $0) }
    }

    /// ``resolve(_:pool:)`` on a connection the caller holds.
    public static func resolve(_ text: String, on connection: PostgresConnection) throws -> (id: Int64, name: String) {
        let rows = try connection.query(
            """
            WITH known AS (
                SELECT c.id, c.name FROM sync.characters c
                UNION SELECT d.character_id, d.name FROM readmodel.character_details d WHERE d.name IS NOT NULL
            )
            SELECT id, name FROM known
            WHERE ($1::bigint IS NOT NULL AND id = $1::bigint) OR lower(name) = lower($2) OR lower(name) LIKE lower($3)
            ORDER BY (lower(name) = lower($2)) DESC, name
            """,
            [Int64(text), text, text.replacingOccurrences(of: "%", with: "\\%") + "%"]
        )
        let matches = try rows.map { (try $0.get(0, as: Int64.self), try $0.get(1, as: String.self)) }
        let unique = Dictionary(matches.map { ($0.0, $0.1) }) { first, _ in first }
        if let exact = matches.first(where: { $0.1.lowercased() == text.lowercased() || String($0.0) == text }) {
            return exact
        }
        guard unique.count == 1, let only = matches.first else {
            if unique.isEmpty {
                throw ProjectionError(.unknownCharacter, "no character known by \"\(text)\" (an id or a name)")
            }
            let names = unique.values.sorted().prefix(10).joined(separator: ", ")
            throw ProjectionError(
                .ambiguousCharacter,
                "\"\(text)\" matches \(unique.count) characters: \(names); give the full name or the id"
            )
        }
        return only
    }

    /// Every character the read models know, with location, ship, wallet, SP and last update.
    public static func overview(pool: PostgresPool) async throws -> DisplayPart {
        try await pool.withConnection { connection in
            let result = try connection.query(
                """
                SELECT character_id AS id, name, corporation_name AS corporation, alliance_name AS alliance,
                       location_name AS location, solar_system_name AS system, ship_type_name AS ship,
                       wallet_balance AS wallet, total_sp AS sp, last_update, failing_sections AS failing
                FROM readmodel.character_overview ORDER BY name
                """
            )
            return DisplayPart(
                name: "characters",
                columns: result.columns,
                rows: try result.map { try displayRow($0, types: result.types) },
                single: false
            )
        }
    }

    /// The character's state, for all sections or the named ones.
    public static func state(
        of id: Int64,
        name: String,
        sections: [String]? = nil,
        pool: PostgresPool
    ) async throws
        -> CharacterState
    {
        try await pool.withConnection { try self.state(of: id, name: name, sections: sections, on: $0) }
    }

    /// ``state(of:name:sections:pool:)`` on a connection the caller holds.
    public static func state(
        of id: Int64,
        name: String,
        sections: [String]? = nil,
        on connection: PostgresConnection
    ) throws -> CharacterState {
        let wanted = sections.map(Set.init)
        let states = try Self.sections.filter { wanted?.contains($0.0) ?? true }.map { section, parts in
            SectionState(
                name: section,
                parts: try parts.map { part in
                    let result = try connection.query(part.sql, [id])
                    return DisplayPart(
                        name: part.name,
                        columns: result.columns,
                        rows: try result.map { try displayRow($0, types: result.types) },
                        single: part.single
                    )
                }
            )
        }
        return CharacterState(id: id, name: name, sections: states)
    }

    static func displayRow(_ row: PostgresRow, types: [PostgresType]) throws -> [DisplayValue] {
        try types.indices.map { index in
            switch types[index] {
            case .int8, .int4, .int2: try row.get(index, as: Int64?.self).map(DisplayValue.int) ?? .null
            case .float8, .float4: try row.get(index, as: Double?.self).map(DisplayValue.double) ?? .null
            case .bool: try row.get(index, as: Bool?.self).map(DisplayValue.bool) ?? .null
            case .timestamptz, .timestamp, .date: try row.get(index, as: Date?.self).map(DisplayValue.time) ?? .null
            case .json, .jsonb: try row.get(index, as: String?.self).map(DisplayValue.json) ?? .null
            case .numeric: try row.get(index, as: String?.self).map { .double(Double($0) ?? 0) } ?? .null
            default: try row.get(index, as: String?.self).map(DisplayValue.text) ?? .null
            }
        }
    }
}
