import Foundation
import StaticData

extension Responders {
    /// Market prices, dogma, killmails, the server status and the route status.
    static func server(_ path: String, _ context: RequestContext) -> RouteBody? {
        let world = context.world
        switch path {
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
            return nil
        }
    }
}
