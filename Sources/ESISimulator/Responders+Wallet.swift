import Foundation
import StaticData

extension Responders {
    /// The wallet: balance, journal, transactions.
    static func wallet(_ suffix: String, _ c: CharacterState, _ context: RequestContext) -> RouteBody? {
        switch suffix {
        case "/wallet":
            return .value(.double(c.balance))
        case "/wallet/journal":
            return .paged(
                c.journal.reversed().map { entry in
                    .object([
                        ("amount", .double(entry.amount)), ("balance", .double(entry.balance)),
                        ("date", .date(entry.date)),
                        ("description", .string(entry.description)), ("first_party_id", .int(entry.firstPartyID)),
                        ("id", .int(entry.id)), ("ref_type", .string(entry.refType)),
                        ("second_party_id", .int(entry.secondPartyID)),
                    ])
                },
                pageSize: 2500
            )
        case "/wallet/transactions":
            let fromID = context.query["from_id"].flatMap(Int.init) ?? Int.max
            return .value(
                .array(
                    c.transactions.reversed().filter { $0.id <= fromID }.prefix(2500).map { t in
                        .object([
                            ("client_id", .int(t.clientID)), ("date", .date(t.date)), ("is_buy", .bool(t.isBuy)),
                            ("is_personal", .bool(true)),
                            ("journal_ref_id", .int(t.journalRefID)), ("location_id", .int(t.locationID)),
                            ("quantity", .int(t.quantity)),
                            ("transaction_id", .int(t.id)), ("type_id", .int(t.typeID)),
                            ("unit_price", .double(t.unitPrice)),
                        ])
                    }
                )
            )
        default:
            return nil
        }
    }
}
