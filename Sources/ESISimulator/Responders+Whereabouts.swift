import Foundation
import StaticData

extension Responders {
    /// Location, online status, ship.
    static func whereabouts(_ suffix: String, _ c: CharacterState, _ context: RequestContext) -> RouteBody? {
        switch suffix {
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
        default:
            return nil
        }
    }
}
