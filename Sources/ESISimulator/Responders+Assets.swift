import Foundation
import StaticData

extension Responders {
    /// Assets, their names and locations, and the lists ESI serves empty (blueprints, killmails, orders history).
    static func assets(_ suffix: String, _ c: CharacterState, _ context: RequestContext) -> RouteBody? {
        switch suffix {
        case "/assets":
            // ESI's list can lack the ship the character sits in (aa-memberaudit adds it back); the
            // simulator leaves it out while the character is in space. Its fitting stays listed.
            let listed = c.stationID == nil ? c.assets.filter { $0.itemID != c.shipItemID } : c.assets
            return .paged(
                listed.map { asset in
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
        case "/blueprints", "/killmails/recent", "/orders/history":
            return .paged([], pageSize: 1000)
        default:
            return nil
        }
    }
}
