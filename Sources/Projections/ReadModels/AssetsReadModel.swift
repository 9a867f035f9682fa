import Vocabulary

/// Assets as a tree: each item with its parent item (a ship, a container) and the location at the
/// top of its chain (a station, structure or solar system), resolved by the views. Names of named
/// items accumulate by item id (they are fetched with each changed asset list).
enum AssetsReadModel {
    typealias M = CharacterReadModels
    static let assets = M.list(
        "assets",
        [
            ("item_id", .bigint), ("type_id", .bigint), ("quantity", .bigint), ("location_id", .bigint),
            ("location_type", .text), ("location_flag", .text), ("is_singleton", .boolean),
            ("is_blueprint_copy", .boolean), ("parent_item_id", .bigint), ("root_location_id", .bigint),
            ("depth", .bigint),
        ],
        key: ["item_id"]
    )
    static let names = TableSpec(
        "asset_names",
        [M.c, ("item_id", .bigint), ("name", .text)],
        key: ["character_id", "item_id"],
        mode: .upsert
    )

    static let projector = Projector(
        name: "assets",
        tables: [assets, names],
        sections: [.assets: .snapshot(), .assetNames: .accumulating]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let json = event.json as Any
        switch EventSection(rawValue: event.section) {
        case .assets:
            let items = try objects(json)
            var parent = [Int64: Int64]()  // item → the location it is in
            for item in items { parent[try item.requiredInt("item_id")] = int64(item.fields["location_id"]) }
            let rows = try items.map { item -> [Cell] in
                let id = try item.requiredInt("item_id")
                // Walk up while the location is another item; the chain's end is a place.
                var location = parent[id] ?? nil
                var depth: Int64 = 0
                var containing: Int64?
                while let current = location, let next = parent[current], depth < 32 {
                    if depth == 0 { containing = current }
                    location = next
                    depth += 1
                }
                return [
                    character, .int(id), item.int("type_id"), item.int("quantity"), item.int("location_id"),
                    item.text("location_type"), item.text("location_flag"), item.bool("is_singleton"),
                    item.bool("is_blueprint_copy"), containing.map(Cell.int) ?? .null,
                    location.map(Cell.int) ?? .null, .int(depth),
                ]
            }
            return [.replace(assets, scope: [character], rows: rows)]
        case .assetNames:
            // ESI names unnamed items "None".
            let rows = try objects(json).compactMap { o -> [Cell]? in
                let id = try o.requiredInt("item_id")
                guard let name = o.fields["name"] as? String, name != "None", !name.isEmpty else { return nil }
                return [character, .int(id), .text(name)]
            }
            return [.upsert(names, rows: rows)]
        default:
            return []
        }
    }
}
