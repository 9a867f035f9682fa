import Foundation
import StaticData
import Vocabulary

extension Responders {
    /// The mining ledger and planets.
    static func industry(_ suffix: String, _ c: CharacterState, _ context: RequestContext) -> RouteBody? {
        switch suffix {
        case "/mining":
            return .paged(
                c.mining.reversed().map { entry in
                    .object([
                        ("date", .string(String(CivilDate.iso8601(entry.date).prefix(10)))),
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
        default:
            return nil
        }
    }
}
