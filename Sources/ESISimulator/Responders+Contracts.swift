import Foundation
import StaticData

extension Responders {
    /// Contracts, their items and bids.
    static func contracts(_ suffix: String, _ c: CharacterState, _ context: RequestContext) -> RouteBody? {
        switch suffix {
        case "/contracts":
            return .paged(c.contracts.reversed().map(contractJSON), pageSize: 1000)
        case "/contracts/{contract_id}/items", "/contracts/{contract_id}/bids":
            guard let id = context.parameters["contract_id"].flatMap(Int.init),
                let contract = c.contracts.first(where: { $0.id == id })
            else {
                return .error(404, "Contract not found!")
            }
            if suffix.hasSuffix("/items") {
                return .value(
                    .array(
                        contract.items.map { item in
                            .object([
                                ("is_included", .bool(true)), ("is_singleton", .bool(false)),
                                ("quantity", .int(item.quantity)),
                                ("record_id", .int(item.recordID)), ("type_id", .int(item.typeID)),
                            ])
                        }
                    )
                )
            }
            return .value(
                .array(
                    contract.bids.map { bid in
                        .object([
                            ("amount", .double(bid.amount)), ("bid_id", .int(bid.id)),
                            ("bidder_id", .int(bid.bidderID)), ("date_bid", .date(bid.date)),
                        ])
                    }
                )
            )
        default:
            return nil
        }
    }
}
