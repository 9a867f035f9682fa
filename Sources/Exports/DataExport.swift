import Foundation
import Postgres
import Zip

/// The original's data export: contracts, their items and the wallet journal (and, beyond it,
/// the market transactions) of registered characters as CSV, one zip file per topic. Names and
/// places are resolved as the read models' views resolve them; an unknown id leaves its name
/// empty. PostgreSQL writes the CSV (`COPY ... (FORMAT csv, HEADER)`) and it is compressed as it
/// streams, so an export is bounded by its compressed size, not by the rows.
public enum DataExport {
    public enum Topic: String, CaseIterable, Sendable, Codable {
        case contracts
        case contractItems = "contract-items"
        case walletJournal = "wallet-journal"
        case walletTransactions = "wallet-transactions"

        public var summary: String {
            switch self {
            case .contracts: "contracts: type, status, parties, places, dates, prices"
            case .contractItems: "the items of contracts, included or asked for"
            case .walletJournal: "wallet journal entries: date, type, amount, balance, parties, reason"
            case .walletTransactions: "market transactions: date, item, quantity, price, client, place"
            }
        }

        /// The columns and joins; `x` is the topic's table, `ch` the character. Text that players
        /// write (titles, reasons, names of characters and structures) goes through ``safe(_:as:)``.
        var select: String {
            switch self {
            case .contracts:
                """
                SELECT x.character_id, \(safe("ch.name", as: "character")), x.contract_id, x.type, x.status, \(safe("x.title", as: "title")), x.availability,
                       x.issuer_id, \(safe("issuer.name", as: "issuer")), x.issuer_corporation_id,
                       \(safe("issuer_corporation.name", as: "issuer_corporation")), x.assignee_id, \(safe("assignee.name", as: "assignee")),
                       x.acceptor_id, \(safe("acceptor.name", as: "acceptor")), x.for_corporation, x.date_issued, x.date_expired,
                       x.date_accepted, x.date_completed, x.days_to_complete, x.start_location_id,
                       \(safe("start_location.name", as: "start_location")), x.end_location_id, \(safe("end_location.name", as: "end_location")),
                       x.price, x.reward, x.collateral, x.buyout, x.volume
                FROM readmodel.contracts x
                JOIN sync.characters ch ON ch.id = x.character_id
                LEFT JOIN readmodel.names issuer ON issuer.id = x.issuer_id
                LEFT JOIN readmodel.names issuer_corporation ON issuer_corporation.id = x.issuer_corporation_id
                LEFT JOIN readmodel.names assignee ON assignee.id = x.assignee_id
                LEFT JOIN readmodel.names acceptor ON acceptor.id = x.acceptor_id
                LEFT JOIN readmodel.locations start_location ON start_location.location_id = x.start_location_id
                LEFT JOIN readmodel.locations end_location ON end_location.location_id = x.end_location_id
                """
            case .contractItems:
                """
                SELECT x.character_id, \(safe("ch.name", as: "character")), x.contract_id, x.record_id, x.type_id, t.name AS type,
                       x.quantity, x.raw_quantity, x.is_included, x.is_singleton
                FROM readmodel.contract_items x
                JOIN sync.characters ch ON ch.id = x.character_id
                LEFT JOIN readmodel.universe_types t ON t.id = x.type_id
                """
            case .walletJournal:
                """
                SELECT x.character_id, \(safe("ch.name", as: "character")), x.id, x.date, x.ref_type, x.amount, x.balance,
                       \(safe("x.description", as: "description")), \(safe("x.reason", as: "reason")), x.first_party_id, \(safe("first_party.name", as: "first_party")),
                       x.second_party_id, \(safe("second_party.name", as: "second_party")), x.context_id, x.context_id_type,
                       x.tax, x.tax_receiver_id
                FROM readmodel.wallet_journal x
                JOIN sync.characters ch ON ch.id = x.character_id
                LEFT JOIN readmodel.names first_party ON first_party.id = x.first_party_id
                LEFT JOIN readmodel.names second_party ON second_party.id = x.second_party_id
                """
            case .walletTransactions:
                """
                SELECT x.character_id, \(safe("ch.name", as: "character")), x.transaction_id, x.date, x.is_buy, x.type_id,
                       t.name AS type, x.quantity, x.unit_price, x.quantity * x.unit_price AS total, x.client_id,
                       \(safe("client.name", as: "client")), x.location_id, \(safe("location.name", as: "location")), x.is_personal,
                       x.journal_ref_id
                FROM readmodel.wallet_transactions x
                JOIN sync.characters ch ON ch.id = x.character_id
                LEFT JOIN readmodel.universe_types t ON t.id = x.type_id
                LEFT JOIN readmodel.names client ON client.id = x.client_id
                LEFT JOIN readmodel.locations location ON location.location_id = x.location_id
                """
            }
        }

        /// A text column neutralised for spreadsheets as OWASP recommends: a cell that starts with
        /// `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula (a contract
        /// titled `=HYPERLINK(...)`), so it gets a leading `'`. Numbers are not text columns.
        private func safe(_ expression: String, as name: String) -> String {
            "CASE WHEN left(\(expression), 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || \(expression) "
                + "ELSE \(expression) END AS \(name)"
        }

        var order: String {
            switch self {
            case .contracts: "x.character_id, x.date_issued, x.contract_id"
            case .contractItems: "x.character_id, x.contract_id, x.record_id"
            case .walletJournal: "x.character_id, x.date, x.id"
            case .walletTransactions: "x.character_id, x.date, x.transaction_id"
            }
        }

        /// "memberaudit-wallet-journal-20261202", in UTC.
        public func fileStem(at date: Date) -> String {
            "memberaudit-\(self.rawValue)-\(date.formatted(.iso8601.year().month().day().dateSeparator(.omitted)))"
        }
    }

    /// Streams one topic as CSV with a header line (as PostgreSQL writes it: LF line ends, NULL as
    /// an empty field, an empty text as `""`; times in UTC), for `characters`
    /// (nil: every registered one). Returns the number of rows.
    @discardableResult
    public static func csv(
        _ topic: Topic,
        characters: [Int64]?,
        on connection: PostgresConnection,
        _ chunk: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        // COPY takes no parameters: the ids are integers, written out.
        let scope = characters.map { ids in
            ids.isEmpty ? "false" : "x.character_id = ANY('{\(ids.map(String.init).joined(separator: ","))}'::bigint[])"
        }
        var chunks = 0
        try connection.transaction { connection in
            try connection.executeScript("SET LOCAL TIME ZONE 'UTC'")
            try connection.copyOut(
                streaming: """
                    COPY (\(topic.select) WHERE \(scope ?? "true") ORDER BY \(topic.order))
                    TO STDOUT (FORMAT csv, HEADER)
                    """
            ) { data in
                chunks += 1
                try chunk(data)
            }
        }
        return chunks - 1  // the header line
    }

    /// One topic as a zip file holding `<stem>.csv`, with its row count.
    public static func zip(
        _ topic: Topic,
        characters: [Int64]?,
        now: Date = Date(),
        on connection: PostgresConnection
    ) throws -> (archive: [UInt8], rows: Int) {
        var archive = ZipArchive()
        var rows = 0
        try archive.add(topic.fileStem(at: now) + ".csv", modified: now) { write in
            rows = try self.csv(topic, characters: characters, on: connection, write)
        }
        return (try archive.finish(), rows)
    }
}
