import Vocabulary

/// Mails: headers and bodies accumulate by mail id (history outlives ESI's newest-mails window);
/// labels with unread counts and mailing lists are snapshots.
enum MailsReadModel {
    typealias M = CharacterReadModels
    static let headers = TableSpec(
        "mail_headers",
        [
            M.c, ("mail_id", .bigint), ("from_id", .bigint), ("subject", .text), ("timestamp", .timestamptz),
            ("is_read", .boolean), ("label_ids", .bigintArray), ("recipient_ids", .bigintArray),
            ("recipient_types", .textArray),
        ],
        key: ["character_id", "mail_id"],
        mode: .upsert
    )
    static let bodies = TableSpec(
        "mail_bodies",
        [M.c, ("mail_id", .bigint), ("body", .text)],
        key: ["character_id", "mail_id"],
        mode: .upsert
    )
    static let labels = M.list(
        "mail_labels",
        [("label_id", .bigint), ("name", .text), ("color", .text), ("unread_count", .bigint)],
        key: ["label_id"]
    )
    static let unread = M.single("mail_unread", [("total_unread_count", .bigint)])
    static let lists = M.list(
        "mailing_lists",
        [("mailing_list_id", .bigint), ("name", .text)],
        key: ["mailing_list_id"]
    )

    static let projector = Projector(
        name: "mails",
        tables: [headers, bodies, labels, unread, lists],
        sections: [
            .mails: .accumulating, .mailBody: .accumulating, .mailLabels: .snapshot(),
            .mailingLists: .snapshot(),
        ]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let json = event.json as Any
        switch EventSection(rawValue: event.section) {
        case .mails:
            let rows = try objects(json).map { o -> [Cell] in
                // Kept aligned: a recipient without an id is dropped with its type.
                let recipients = o.objects("recipients").compactMap { r in
                    int64(r.fields["recipient_id"]).map { ($0, r.fields["recipient_type"] as? String ?? "unknown") }
                }
                return [
                    character, .int(try o.requiredInt("mail_id")), o.int("from"), o.text("subject"),
                    o.time("timestamp"),
                    o.bool("is_read"), o.ints("labels"),
                    .ints(recipients.map(\.0)), .texts(recipients.map(\.1)),
                ]
            }
            return [.upsert(headers, rows: rows)]
        case .mailBody:
            let o = try object(json)
            return [.upsert(bodies, rows: [[character, .int(try event.parameter("mail_id")), o.text("body")]])]
        case .mailLabels:
            let o = try object(json)
            return [
                .replace(
                    labels,
                    scope: [character],
                    rows: try o.objects("labels").map {
                        [
                            character, .int(try $0.requiredInt("label_id")), $0.text("name"), $0.text("color"),
                            $0.int("unread_count"),
                        ]
                    }
                ),
                .replace(
                    unread,
                    scope: [character],
                    rows: [[character, o.int("total_unread_count"), .time(event.fetchedAt)]]
                ),
            ]
        case .mailingLists:
            return [
                .replace(
                    lists,
                    scope: [character],
                    rows: try objects(json).map {
                        [character, .int(try $0.requiredInt("mailing_list_id")), $0.text("name")]
                    }
                )
            ]
        default:
            return []
        }
    }
}
