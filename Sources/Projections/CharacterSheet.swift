import Foundation
import Postgres

/// A character's overview as the web's character sheet shows it: who (portrait, organisations,
/// faction, race, age, security), where (place, system, its security and region, ship, home), what
/// (wallet, skill points, skill in training, assets' value) and when (last login, online, last
/// update). One query over the read models; nil before the character's first sync.
public struct CharacterSheet: Sendable {
    public var id: Int64
    public var name: String
    public var corporationID: Int64?
    public var corporation: String?
    public var allianceID: Int64?
    public var alliance: String?
    public var factionID: Int64?
    public var faction: String?
    public var race: String?
    public var bloodline: String?
    public var ancestry: String?
    public var gender: String?
    public var birthday: Date?
    public var securityStatus: Double?
    public var location: String?
    public var solarSystem: String?
    public var systemSecurity: Double?
    public var region: String?
    public var shipTypeID: Int64?
    public var shipType: String?
    public var shipName: String?
    public var homeStation: String?
    public var wallet: Double?
    public var totalSP: Int64?
    public var unallocatedSP: Int64?
    public var training: String?
    public var trainingLevel: Int64?
    public var trainingFinishes: Date?
    public var queueFinishes: Date?
    public var assetValue: Double?
    public var online: Bool?
    public var lastLogin: Date?
    public var lastUpdate: Date?

    public static func load(_ id: Int64, on connection: PostgresConnection) throws -> CharacterSheet? {
        let rows = try connection.query(
            """
            SELECT o.character_id, o.name, o.corporation_id, o.corporation_name, o.alliance_id, o.alliance_name,
                   d.faction_id, f.name AS faction, race.name AS race, bloodline.name AS bloodline,
                   ancestry.name AS ancestry, d.gender, d.birthday, d.security_status, o.location_name,
                   o.solar_system_name, o.security_status AS system_security, o.region_name, o.ship_type_id,
                   o.ship_type_name, o.ship_name, home.name AS home_station, o.wallet_balance, o.total_sp,
                   o.unallocated_sp, training.skill_name AS training, training.finished_level AS training_level,
                   training.finish_date AS training_finishes, queue.finishes AS queue_finishes,
                   assets.value AS asset_value, o.online, o.last_login, o.last_update
            FROM readmodel.character_overview o
            LEFT JOIN readmodel.character_details d ON d.character_id = o.character_id
            LEFT JOIN sde.factions f ON f.id = d.faction_id
            LEFT JOIN sde.races race ON race.id = d.race_id
            LEFT JOIN sde.bloodlines bloodline ON bloodline.id = d.bloodline_id
            LEFT JOIN sde.ancestries ancestry ON ancestry.id = d.ancestry_id
            LEFT JOIN readmodel.character_clone_info clone ON clone.character_id = o.character_id
            LEFT JOIN LATERAL (SELECT x.name FROM readmodel.locations x
                               WHERE x.location_id = clone.home_location_id LIMIT 1) home ON true
            -- The skill in training: the first of the queue that has not finished yet.
            LEFT JOIN LATERAL (SELECT q.skill_name, q.finished_level, q.finish_date FROM readmodel.skill_queue_view q
                               WHERE q.character_id = o.character_id AND q.finish_date > now()
                               ORDER BY q.queue_position LIMIT 1) training ON true
            LEFT JOIN LATERAL (SELECT max(q.finish_date) AS finishes FROM readmodel.skill_queue q
                               WHERE q.character_id = o.character_id) queue ON true
            LEFT JOIN LATERAL (SELECT sum(p.average_price * a.quantity) AS value FROM readmodel.assets_with_ship a
                               JOIN readmodel.market_prices p ON p.type_id = a.type_id
                               WHERE a.character_id = o.character_id AND a.is_blueprint_copy IS NOT TRUE) assets ON true
            WHERE o.character_id = \(id)
            """
        )
        guard let row = rows.first else { return nil }
        return CharacterSheet(
            id: try row.get("character_id"),
            name: try row.get("name"),
            corporationID: try row.get("corporation_id"),
            corporation: try row.get("corporation_name"),
            allianceID: try row.get("alliance_id"),
            alliance: try row.get("alliance_name"),
            factionID: try row.get("faction_id"),
            faction: try row.get("faction"),
            race: try row.get("race"),
            bloodline: try row.get("bloodline"),
            ancestry: try row.get("ancestry"),
            gender: try row.get("gender"),
            birthday: try row.get("birthday"),
            securityStatus: try row.get("security_status"),
            location: try row.get("location_name"),
            solarSystem: try row.get("solar_system_name"),
            systemSecurity: try row.get("system_security"),
            region: try row.get("region_name"),
            shipTypeID: try row.get("ship_type_id"),
            shipType: try row.get("ship_type_name"),
            shipName: try row.get("ship_name"),
            homeStation: try row.get("home_station"),
            wallet: try row.get("wallet_balance"),
            totalSP: try row.get("total_sp"),
            unallocatedSP: try row.get("unallocated_sp"),
            training: try row.get("training"),
            trainingLevel: try row.get("training_level"),
            trainingFinishes: try row.get("training_finishes"),
            queueFinishes: try row.get("queue_finishes"),
            assetValue: try row.get("asset_value"),
            online: try row.get("online"),
            lastLogin: try row.get("last_login"),
            lastUpdate: try row.get("last_update")
        )
    }
}
