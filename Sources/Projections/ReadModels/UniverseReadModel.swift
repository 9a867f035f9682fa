/// Public data the character sections refer to: entity names (`/universe/names`), stations,
/// structures and market prices, each keyed by its id. The views resolve ids through these and the
/// static data; an id found in neither stays visible as the id.
enum UniverseReadModel {
    static let names = TableSpec(
        "entity_names",
        [("id", .bigint), ("name", .text), ("category", .text)],
        key: ["id"],
        mode: .upsert
    )
    static let stations = TableSpec(
        "stations",
        [
            ("station_id", .bigint), ("name", .text), ("system_id", .bigint), ("type_id", .bigint),
            ("owner_id", .bigint),
        ],
        key: ["station_id"],
        mode: .upsert
    )
    static let structures = TableSpec(
        "structures",
        [
            ("structure_id", .bigint), ("name", .text), ("solar_system_id", .bigint), ("type_id", .bigint),
            ("owner_id", .bigint),
        ],
        key: ["structure_id"],
        mode: .upsert
    )
    static let prices = TableSpec(
        "market_prices",
        [("type_id", .bigint), ("average_price", .double), ("adjusted_price", .double)],
        key: ["type_id"],
        mode: .upsert
    )

    static let projector = Projector(
        name: "universe",
        tables: [names, stations, structures, prices],
        sections: [
            "universe_names": .accumulating, "station": .snapshot(parameter: "station_id"),
            "structure": .snapshot(parameter: "structure_id"), "market_prices": .accumulating,
        ]
    ) { event, _ in
        let json = event.json as Any
        switch event.section {
        case "universe_names":
            return [
                .upsert(
                    names,
                    rows: try objects(json).map {
                        [.int(try $0.requiredInt("id")), $0.text("name"), $0.text("category")]
                    }
                )
            ]
        case "station":
            let o = try object(json)
            let id = try int64(o.fields["station_id"]) ?? event.parameter("station_id")
            return [
                .upsert(
                    stations,
                    rows: [[.int(id), o.text("name"), o.int("system_id"), o.int("type_id"), o.int("owner")]]
                )
            ]
        case "structure":
            let o = try object(json)
            return [
                .upsert(
                    structures,
                    rows: [
                        [
                            .int(try event.parameter("structure_id")), o.text("name"), o.int("solar_system_id"),
                            o.int("type_id"), o.int("owner_id"),
                        ]
                    ]
                )
            ]
        case "market_prices":
            return [
                .upsert(
                    prices,
                    rows: try objects(json).map {
                        [.int(try $0.requiredInt("type_id")), $0.double("average_price"), $0.double("adjusted_price")]
                    }
                )
            ]
        default:
            return []
        }
    }
}
