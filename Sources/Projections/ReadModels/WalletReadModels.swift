import Vocabulary

/// The wallet journal, wallet transactions and the mining ledger: accumulating, keyed by their
/// ids (the ledger by day, system and ore), so history outlives ESI's 30-day window.
enum WalletReadModels {
    typealias M = CharacterReadModels
    static let journal = TableSpec(
        "wallet_journal",
        [
            M.c, ("id", .bigint), ("date", .timestamptz), ("ref_type", .text), ("amount", .double),
            ("balance", .double), ("description", .text), ("reason", .text), ("first_party_id", .bigint),
            ("second_party_id", .bigint), ("context_id", .bigint), ("context_id_type", .text), ("tax", .double),
            ("tax_receiver_id", .bigint),
        ],
        key: ["character_id", "id"],
        mode: .upsert
    )
    static let transactions = TableSpec(
        "wallet_transactions",
        [
            M.c, ("transaction_id", .bigint), ("date", .timestamptz), ("type_id", .bigint), ("quantity", .bigint),
            ("unit_price", .double), ("client_id", .bigint), ("location_id", .bigint), ("is_buy", .boolean),
            ("is_personal", .boolean), ("journal_ref_id", .bigint),
        ],
        key: ["character_id", "transaction_id"],
        mode: .upsert
    )
    static let mining = TableSpec(
        "mining_ledger",
        [M.c, ("date", .date), ("solar_system_id", .bigint), ("type_id", .bigint), ("quantity", .bigint)],
        key: ["character_id", "date", "solar_system_id", "type_id"],
        mode: .upsert
    )

    static let journalProjector = Projector(
        name: "wallet_journal",
        tables: [journal],
        sections: [.walletJournal: .accumulating]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let rows = try objects(event.json as Any).map { o -> [Cell] in
            [
                character, .int(try o.requiredInt("id")), o.time("date"), o.text("ref_type"), o.double("amount"),
                o.double("balance"), o.text("description"), o.text("reason"), o.int("first_party_id"),
                o.int("second_party_id"), o.int("context_id"), o.text("context_id_type"), o.double("tax"),
                o.int("tax_receiver_id"),
            ]
        }
        return [.upsert(journal, rows: rows)]
    }

    static let transactionsProjector = Projector(
        name: "wallet_transactions",
        tables: [transactions],
        sections: [.walletTransactions: .accumulating]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let rows = try objects(event.json as Any).map { o -> [Cell] in
            [
                character, .int(try o.requiredInt("transaction_id")), o.time("date"), o.int("type_id"),
                o.int("quantity"),
                o.double("unit_price"), o.int("client_id"), o.int("location_id"), o.bool("is_buy"),
                o.bool("is_personal"), o.int("journal_ref_id"),
            ]
        }
        return [.upsert(transactions, rows: rows)]
    }

    static let miningProjector = Projector(
        name: "mining_ledger",
        tables: [mining],
        sections: [.miningLedger: .accumulating]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let rows = try objects(event.json as Any).map { o -> [Cell] in
            guard case .date = o.date("date") else { throw DecodeError("a mining entry has no date") }
            return [
                character, o.date("date"), .int(try o.requiredInt("solar_system_id")),
                .int(try o.requiredInt("type_id")),
                o.int("quantity"),
            ]
        }
        return [.upsert(mining, rows: rows)]
    }
}
