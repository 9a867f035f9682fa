import Foundation
import StaticData

extension Responders {
    /// Characters, corporations and alliances: public information, history, portraits, affiliation, members.
    static func entities(_ path: String, _ context: RequestContext) -> RouteBody? {
        let world = context.world
        switch path {
        case "/characters/{character_id}":
            guard let id = context.integer("character_id"), let c = world.character(id, at: context.now) else {
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
            guard let id = context.integer("character_id"), let c = world.character(id, at: context.now) else {
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
            guard let id = context.integer("corporation_id") else { return .error(404, "Corporation not found") }
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
            guard let id = context.integer("corporation_id"), world.corporation(id) != nil else {
                return .error(404, "Corporation not found")
            }
            return .value(.array(world.members(ofCorporation: id).map { .int($0) }))
        case "/alliances/{alliance_id}":
            guard let id = context.integer("alliance_id"), let alliance = world.alliance(id) else {
                return .error(404, "Alliance not found")
            }
            return .value(
                .object([
                    ("creator_corporation_id", .int(98_000_001)), ("creator_id", .int(world.characterIDs.first ?? 1)),
                    ("date_founded", .date(alliance.founded)), ("executor_corporation_id", .int(98_000_001)),
                    ("name", .string(alliance.name)), ("ticker", .string(alliance.ticker)),
                ])
            )
        default:
            return nil
        }
    }
}
