import Vocabulary

/// Contracts accumulate by contract id (ESI forgets finished ones after 30 days; we do not);
/// items and bids are snapshots per contract.
enum ContractsReadModel {
    typealias M = CharacterReadModels
    static let contracts = TableSpec(
        "contracts",
        [
            M.c, ("contract_id", .bigint), ("type", .text), ("status", .text), ("title", .text),
            ("availability", .text), ("issuer_id", .bigint), ("issuer_corporation_id", .bigint),
            ("assignee_id", .bigint), ("acceptor_id", .bigint), ("for_corporation", .boolean),
            ("date_issued", .timestamptz), ("date_expired", .timestamptz), ("date_accepted", .timestamptz),
            ("date_completed", .timestamptz), ("days_to_complete", .bigint), ("start_location_id", .bigint),
            ("end_location_id", .bigint), ("price", .double), ("reward", .double), ("collateral", .double),
            ("buyout", .double), ("volume", .double),
        ],
        key: ["character_id", "contract_id"],
        mode: .upsert
    )
    static let items = TableSpec(
        "contract_items",
        [
            M.c, ("contract_id", .bigint), ("record_id", .bigint), ("type_id", .bigint), ("quantity", .bigint),
            ("raw_quantity", .bigint), ("is_included", .boolean), ("is_singleton", .boolean),
        ],
        key: ["character_id", "contract_id", "record_id"],
        mode: .replace(scope: ["character_id", "contract_id"])
    )
    static let bids = TableSpec(
        "contract_bids",
        [
            M.c, ("contract_id", .bigint), ("bid_id", .bigint), ("bidder_id", .bigint), ("amount", .double),
            ("date_bid", .timestamptz),
        ],
        key: ["character_id", "contract_id", "bid_id"],
        mode: .replace(scope: ["character_id", "contract_id"])
    )

    static let projector = Projector(
        name: "contracts",
        tables: [contracts, items, bids],
        sections: [
            .contracts: .accumulating, .contractItems: .snapshot(parameter: "contract_id"),
            .contractBids: .snapshot(parameter: "contract_id"),
        ]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let json = event.json as Any
        switch EventSection(rawValue: event.section) {
        case .contracts:
            let rows = try objects(json).map { o -> [Cell] in
                [
                    character, .int(try o.requiredInt("contract_id")), o.text("type"), o.text("status"),
                    o.text("title"),
                    o.text("availability"), o.int("issuer_id"), o.int("issuer_corporation_id"), o.int("assignee_id"),
                    o.int("acceptor_id"), o.bool("for_corporation"), o.time("date_issued"), o.time("date_expired"),
                    o.time("date_accepted"), o.time("date_completed"), o.int("days_to_complete"),
                    o.int("start_location_id"), o.int("end_location_id"), o.double("price"), o.double("reward"),
                    o.double("collateral"), o.double("buyout"), o.double("volume"),
                ]
            }
            return [.upsert(contracts, rows: rows)]
        case .contractItems:
            let contract = Cell.int(try event.parameter("contract_id"))
            let rows = try objects(json).map {
                [
                    character, contract, .int(try $0.requiredInt("record_id")), $0.int("type_id"), $0.int("quantity"),
                    $0.int("raw_quantity"), $0.bool("is_included"), $0.bool("is_singleton"),
                ]
            }
            return [.replace(items, scope: [character, contract], rows: rows)]
        case .contractBids:
            let contract = Cell.int(try event.parameter("contract_id"))
            let rows = try objects(json).map {
                [
                    character, contract, .int(try $0.requiredInt("bid_id")), $0.int("bidder_id"), $0.double("amount"),
                    $0.time("date_bid"),
                ]
            }
            return [.replace(bids, scope: [character, contract], rows: rows)]
        default:
            return []
        }
    }
}
