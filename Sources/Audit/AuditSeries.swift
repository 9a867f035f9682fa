import EventLog
import Foundation
import Postgres
import Vocabulary

/// A metric of a character over time, at the resolution of its fetches (a 304 confirms the
/// previous value at its time).
public enum SeriesMetric: String, Sendable, CaseIterable {
    case wallet
    case skillpoints
    case assetsValue = "assets-value"
    case location

    var section: String {
        switch self {
        case .wallet: "wallet_balance"
        case .skillpoints: "skills"
        case .assetsValue: "assets"
        case .location: "location"
        }
    }
}

public struct SeriesPoint: Sendable, Encodable {
    public var time: Date
    /// Numbers for wallet, skill points and asset value; nil where the payload has none.
    public var value: Double?
    /// The solar system for location (its name in `label`).
    public var id: Int64?
    public var label: String?
}

public enum AuditSeries {
    public static func series(
        of character: Int64,
        metric: SeriesMetric,
        since: Date?,
        until: Date?,
        on connection: PostgresConnection
    ) throws -> [SeriesPoint] {
        let fetches = try EventStore.answeredFetches(
            .character(character),
            section: metric.section,
            since: since ?? .distantPast,
            until: until ?? .distantFuture,
            on: connection
        ).map { (time: $0.time, hash: $0.payload) }
        let hashes = Set(fetches.map(\.hash))
        var values = [PayloadHash: (Double?, Int64?)]()
        switch metric {
        case .assetsValue:
            // Valued at the market prices known now (docs/audit-trail.md).
            for row in try connection.query(
                """
                SELECT a.payload_hash, sum(a.quantity * p.average_price) FROM audit.asset_types a
                LEFT JOIN readmodel.market_prices p ON p.type_id = a.type_id
                WHERE a.payload_hash = ANY($1) GROUP BY a.payload_hash
                """,
                [hashes.map { ByteA($0.bytes) }]
            ) {
                values[PayloadHash(bytes: try row.get(0, as: ByteA.self).bytes)!] = (
                    try row.get(1, as: Double?.self), nil
                )
            }
        case .location:
            for row in try connection.query(
                "SELECT payload_hash, solar_system_id FROM audit.locations WHERE payload_hash = ANY($1)",
                [hashes.map { ByteA($0.bytes) }]
            ) {
                values[PayloadHash(bytes: try row.get(0, as: ByteA.self).bytes)!] = (
                    nil, try row.get(1, as: Int64?.self)
                )
            }
        case .wallet, .skillpoints:
            for (hash, result) in try EventStore.payloads(hashes, on: connection) {
                guard case .success(let bytes) = result, let json = try? JSONParser.parse(bytes) else { continue }
                let number = metric == .wallet ? json : (json as? [String: Any])?["total_sp"]
                values[hash] = ((number as? Double) ?? (number as? Int64).map(Double.init), nil)
            }
        }
        var names = Names()
        if metric == .location {
            names = try Names.load([.location: Set(values.values.compactMap(\.1))], on: connection)
        }
        return fetches.map { fetch in
            let (value, id) = values[fetch.hash] ?? (nil, nil)
            return SeriesPoint(time: fetch.time, value: value, id: id, label: id.map { names.name(.location, $0) })
        }
    }
}
