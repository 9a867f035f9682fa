import Foundation
import Postgres

/// One contract of a character as its detail view shows it: the terms, the items offered and the
/// items asked for (each with an estimate at market prices), and the bids of an auction.
public struct ContractDetail: Sendable {
    public struct Item: Sendable {
        public var typeID: Int64
        public var typeName: String
        public var quantity: Int64
        public var unitPrice: Double?
        public var value: Double? { self.unitPrice.map { $0 * Double(self.quantity) } }
    }

    public struct Bid: Sendable {
        public var bidder: String
        public var amount: Double
        public var date: Date?
    }

    public var id: Int64
    public var type: String?
    public var status: String?
    public var title: String?
    public var availability: String?
    public var issuer: String?
    public var assignee: String?
    public var acceptor: String?
    public var issued: Date?
    public var expires: Date?
    public var accepted: Date?
    public var completed: Date?
    public var daysToComplete: Int64?
    public var startLocation: String?
    public var endLocation: String?
    public var price: Double?
    public var reward: Double?
    public var collateral: Double?
    public var buyout: Double?
    public var volume: Double?
    /// What the issuer gives.
    public var offered: [Item]
    /// What the issuer asks for in exchange (item exchange contracts).
    public var asked: [Item]
    /// Highest first.
    public var bids: [Bid]

    public static func load(
        character: Int64,
        contract: Int64,
        on connection: PostgresConnection
    ) throws -> ContractDetail? {
        guard
            let row = try connection.query(
                """
                SELECT c.type, c.status, c.title, c.availability, issuer.name, assignee.name, acceptor.name,
                       c.date_issued, c.date_expired, c.date_accepted, c.date_completed, c.days_to_complete,
                       coalesce(s.name, c.start_location_id::text), coalesce(e.name, c.end_location_id::text),
                       c.price, c.reward, c.collateral, c.buyout, c.volume
                FROM readmodel.contracts c
                LEFT JOIN readmodel.names issuer ON issuer.id = c.issuer_id
                LEFT JOIN readmodel.names assignee ON assignee.id = nullif(c.assignee_id, 0)
                LEFT JOIN readmodel.names acceptor ON acceptor.id = nullif(c.acceptor_id, 0)
                LEFT JOIN LATERAL (SELECT x.name FROM readmodel.locations x WHERE x.location_id = c.start_location_id
                                   LIMIT 1) s ON true
                LEFT JOIN LATERAL (SELECT x.name FROM readmodel.locations x WHERE x.location_id = c.end_location_id
                                   LIMIT 1) e ON true
                WHERE c.character_id = \(character) AND c.contract_id = \(contract)
                """
            ).first
        else { return nil }
        let items = try connection.query(
            """
            SELECT i.type_id, coalesce(t.name, i.type_id::text), i.quantity, p.average_price, i.is_included IS NOT FALSE
            FROM readmodel.contract_items i
            LEFT JOIN LATERAL (SELECT x.name FROM readmodel.universe_types x WHERE x.id = i.type_id LIMIT 1) t ON true
            LEFT JOIN readmodel.market_prices p ON p.type_id = i.type_id
            WHERE i.character_id = \(character) AND i.contract_id = \(contract)
            ORDER BY i.record_id
            """
        ).map { row in
            let (typeID, name, quantity, price, included) = try row.decode((Int64, String, Int64?, Double?, Bool).self)
            return (Item(typeID: typeID, typeName: name, quantity: quantity ?? 1, unitPrice: price), included)
        }
        let bids = try connection.query(
            """
            SELECT coalesce(n.name, b.bidder_id::text), b.amount, b.date_bid
            FROM readmodel.contract_bids b LEFT JOIN readmodel.names n ON n.id = b.bidder_id
            WHERE b.character_id = \(character) AND b.contract_id = \(contract)
            ORDER BY b.amount DESC, b.date_bid DESC
            """
        ).map { row in
            let (bidder, amount, date) = try row.decode((String, Double?, Date?).self)
            return Bid(bidder: bidder, amount: amount ?? 0, date: date)
        }
        return ContractDetail(
            id: contract,
            type: try row.get(0),
            status: try row.get(1),
            title: try row.get(2),
            availability: try row.get(3),
            issuer: try row.get(4),
            assignee: try row.get(5),
            acceptor: try row.get(6),
            issued: try row.get(7),
            expires: try row.get(8),
            accepted: try row.get(9),
            completed: try row.get(10),
            daysToComplete: try row.get(11),
            startLocation: try row.get(12),
            endLocation: try row.get(13),
            price: try row.get(14),
            reward: try row.get(15),
            collateral: try row.get(16),
            buyout: try row.get(17),
            volume: try row.get(18),
            offered: items.filter(\.1).map(\.0),
            asked: items.filter { !$0.1 }.map(\.0),
            bids: bids
        )
    }
}
