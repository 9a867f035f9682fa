import EventLog
import Foundation
import Postgres
import Projections

/// What the cross-character questions need from payloads, gathered while indexing: the types and
/// places of an asset list, where a location payload puts its character, and the counterparties
/// of journal entries, transactions, mails and contracts.
struct PayloadSummaries {
    private var assets: [(hash: PayloadHash, type: Int64, location: Int64, quantity: Int64, items: Int32)] = []
    private var assetHashes = Set<PayloadHash>()
    private var locations: [(hash: PayloadHash, system: Int64?, station: Int64?, structure: Int64?)] = []
    private var counterparties: [Counterparty] = []

    static let partyTables: Set<String> = ["wallet_journal", "wallet_transactions", "mail_headers", "contracts"]

    struct Counterparty: Hashable {
        var character: Int64
        var counterparty: Int64
        var kind: String
        var reference: String
        var happenedAt: Date?
        var firstSeenAt: Date
    }

    /// What the payload `hash` holds; counterparties only of rows `previous` (the scope's payload
    /// before) did not have: they were recorded when they first came.
    mutating func add(hash: PayloadHash, character: Int64, at time: Date, tables: [PastTable], previous: [PastTable]) {
        let before = Dictionary(previous.map { ($0.name, $0) }) { $1 }
        for full in tables {
            var table = full
            if let old = before[full.name], Self.partyTables.contains(full.name) {
                let known = old.byKey
                let keyIndexes = full.keyIndexes
                table = PastTable(
                    name: full.name,
                    columns: full.columns,
                    key: full.key,
                    rows: full.rows.filter { row in known[keyIndexes.map { row[$0] }] == nil }
                )
            }
            switch table.name {
            case "assets" where !self.assetHashes.contains(hash):
                self.assetHashes.insert(hash)
                guard let type = table.index(of: "type_id"), let root = table.index(of: "root_location_id"),
                    let quantity = table.index(of: "quantity")
                else { continue }
                var sums = [[Int64]: (quantity: Int64, items: Int32)]()
                for row in table.rows {
                    guard let typeID = row[type].int64 else { continue }
                    let key = [typeID, row[root].int64 ?? 0]
                    let current = sums[key] ?? (0, 0)
                    sums[key] = (current.quantity + (row[quantity].int64 ?? 1), current.items + 1)
                }
                for (key, sum) in sums { self.assets.append((hash, key[0], key[1], sum.quantity, sum.items)) }
            case "character_location":
                guard let row = table.rows.first else { continue }
                func id(_ column: String) -> Int64? { table.index(of: column).flatMap { row[$0].int64 } }
                self.locations.append((hash, id("solar_system_id"), id("station_id"), id("structure_id")))
            case "wallet_journal":
                self.parties(
                    table,
                    character,
                    time,
                    kind: "journal",
                    reference: "id",
                    at: "date",
                    columns: ["first_party_id", "second_party_id"]
                )
            case "wallet_transactions":
                self.parties(
                    table,
                    character,
                    time,
                    kind: "transaction",
                    reference: "transaction_id",
                    at: "date",
                    columns: ["client_id"]
                )
            case "mail_headers":
                self.parties(
                    table,
                    character,
                    time,
                    kind: "mail_from",
                    reference: "mail_id",
                    at: "timestamp",
                    columns: ["from_id"]
                )
                self.parties(
                    table,
                    character,
                    time,
                    kind: "mail_to",
                    reference: "mail_id",
                    at: "timestamp",
                    columns: ["recipient_ids"]
                )
            case "contracts":
                self.parties(
                    table,
                    character,
                    time,
                    kind: "contract",
                    reference: "contract_id",
                    at: "date_issued",
                    columns: ["issuer_id", "assignee_id", "acceptor_id"]
                )
            default:
                continue
            }
        }
    }

    private mutating func parties(
        _ table: PastTable,
        _ character: Int64,
        _ time: Date,
        kind: String,
        reference: String,
        at: String,
        columns: [String]
    ) {
        guard let referenceIndex = table.index(of: reference) else { return }
        let atIndex = table.index(of: at)
        let indexes = columns.compactMap(table.index(of:))
        for row in table.rows {
            guard let ref = row[referenceIndex].int64 else { continue }
            var happened: Date?
            if let atIndex, case .time(let date) = row[atIndex] { happened = date }
            for index in indexes {
                let ids: [Int64] =
                    switch row[index] {
                    case .int(let id): [id]
                    case .ints(let ids): ids
                    default: []
                    }
                for id in ids where id != character && id > 0 {
                    self.counterparties.append(
                        Counterparty(
                            character: character,
                            counterparty: id,
                            kind: kind,
                            reference: String(ref),
                            happenedAt: happened,
                            firstSeenAt: time
                        )
                    )
                }
            }
        }
    }

    /// Adds what is not there yet: payloads are summarised once, a counterparty keeps the first
    /// time it was seen.
    func write(on connection: PostgresConnection) throws {
        if !self.assets.isEmpty {
            try connection.execute(
                """
                INSERT INTO audit.asset_types (payload_hash, type_id, location_id, quantity, items)
                SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[], $5::int[])
                ON CONFLICT DO NOTHING
                """,
                [
                    self.assets.map { ByteA($0.hash.bytes) }, self.assets.map(\.type), self.assets.map(\.location),
                    self.assets.map(\.quantity), self.assets.map(\.items),
                ]
            )
        }
        if !self.locations.isEmpty {
            try connection.execute(
                """
                INSERT INTO audit.locations (payload_hash, solar_system_id, station_id, structure_id)
                SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[]) ON CONFLICT DO NOTHING
                """,
                [
                    self.locations.map { ByteA($0.hash.bytes) }, self.locations.map(\.system),
                    self.locations.map(\.station), self.locations.map(\.structure),
                ]
            )
        }
        if !self.counterparties.isEmpty {
            // One row per key: the first of this chunk (the table keeps the first of all).
            var seen = Set<[String]>()
            let rows = self.counterparties.filter {
                seen.insert([String($0.counterparty), String($0.character), $0.kind, $0.reference]).inserted
            }
            try connection.execute(
                """
                INSERT INTO audit.counterparties (character_id, counterparty_id, kind, reference, happened_at, first_seen_at)
                SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
                ON CONFLICT DO NOTHING
                """,
                [
                    rows.map(\.character), rows.map(\.counterparty), rows.map(\.kind), rows.map(\.reference),
                    rows.map(\.happenedAt), rows.map(\.firstSeenAt),
                ]
            )
        }
    }
}
