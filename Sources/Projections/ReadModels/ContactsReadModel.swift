import Vocabulary

/// Contacts with their labels, and standings: snapshots.
enum ContactsReadModel {
    typealias M = CharacterReadModels
    static let contacts = M.list(
        "contacts",
        [
            ("contact_id", .bigint), ("contact_type", .text), ("standing", .double), ("is_blocked", .boolean),
            ("is_watched", .boolean), ("label_ids", .bigintArray),
        ],
        key: ["contact_id"]
    )
    static let labels = M.list("contact_labels", [("label_id", .bigint), ("label_name", .text)], key: ["label_id"])
    static let standings = M.list(
        "standings",
        [("from_id", .bigint), ("from_type", .text), ("standing", .double)],
        key: ["from_id"]
    )

    static let projector = Projector(
        name: "contacts",
        tables: [contacts, labels, standings],
        sections: [.contacts: .snapshot(), .contactLabels: .snapshot(), .standings: .snapshot()]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let json = event.json as Any
        func many(_ table: TableSpec, _ rows: [[Cell]]) -> [Write] {
            [.replace(table, scope: [character], rows: rows.map { [character] + $0 })]
        }
        switch EventSection(rawValue: event.section) {
        case .contacts:
            return many(
                contacts,
                try objects(json).map {
                    [
                        .int(try $0.requiredInt("contact_id")), $0.text("contact_type"), $0.double("standing"),
                        $0.bool("is_blocked"), $0.bool("is_watched"), $0.ints("label_ids"),
                    ]
                }
            )
        case .contactLabels:
            return many(
                labels,
                try objects(json).map { [.int(try $0.requiredInt("label_id")), $0.text("label_name")] }
            )
        case .standings:
            return many(
                standings,
                try objects(json).map {
                    [.int(try $0.requiredInt("from_id")), $0.text("from_type"), $0.double("standing")]
                }
            )
        default:
            return []
        }
    }
}
