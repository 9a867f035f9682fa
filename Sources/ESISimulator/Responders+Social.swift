import Foundation
import StaticData

extension Responders {
    /// Contacts, mail, standings, titles, roles, faction warfare, loyalty points, and the empty lists of agents, notifications, medals, calendar, industry jobs, orders and fittings.
    static func social(_ suffix: String, _ c: CharacterState, _ context: RequestContext) -> RouteBody? {
        switch suffix {
        case "/contacts":
            return .paged(
                c.contacts.map { contact in
                    .object([
                        ("contact_id", .int(contact.contactID)), ("contact_type", .string(contact.contactType)),
                        ("is_watched", .bool(contact.isWatched)),
                        ("label_ids", .array(contact.labelIDs.map { .int($0) })),
                        ("standing", .double(contact.standing)),
                    ])
                },
                pageSize: 1024
            )
        case "/contacts/labels":
            return .value(
                .array(c.contactLabels.map { .object([("label_id", .int($0.id)), ("label_name", .string($0.name))]) })
            )
        case "/loyalty/points":
            return .value(
                .array(
                    c.loyalty.map {
                        .object([("corporation_id", .int($0.corporationID)), ("loyalty_points", .int($0.points))])
                    }
                )
            )
        case "/mail":
            let lastMailID = context.query["last_mail_id"].flatMap(Int.init) ?? Int.max
            let labels = context.query["labels"].map { Set($0.split(separator: ",").compactMap { Int($0) }) }
            let page = c.mails.reversed().filter {
                $0.id < lastMailID && (labels == nil || !labels!.isDisjoint(with: $0.labels))
            }.prefix(50)
            return .value(.array(page.map(mailHeaderJSON)))
        case "/mail/labels":
            let unread = { (label: Int) in c.mails.filter { !$0.isRead && $0.labels.contains(label) }.count }
            return .value(
                .object([
                    (
                        "labels",
                        .array(
                            c.mailLabels.map { label in
                                .object([
                                    ("color", .string(label.color)), ("label_id", .int(label.id)),
                                    ("name", .string(label.name)), ("unread_count", .int(unread(label.id))),
                                ])
                            }
                        )
                    ),
                    ("total_unread_count", .int(c.mails.filter { !$0.isRead }.count)),
                ])
            )
        case "/mail/lists":
            return .value(
                .array(c.mailingLists.map { .object([("mailing_list_id", .int($0.id)), ("name", .string($0.name))]) })
            )
        case "/mail/{mail_id}":
            guard let id = context.parameters["mail_id"].flatMap(Int.init),
                let mail = c.mails.first(where: { $0.id == id })
            else {
                return .error(404, "Mail not found")
            }
            return .value(
                .object([
                    ("body", .string(mail.body)), ("from", .int(mail.from)),
                    ("labels", .array(mail.labels.map { .int($0) })),
                    ("read", .bool(mail.isRead)), ("recipients", recipientsJSON(mail)),
                    ("subject", .string(mail.subject)),
                    ("timestamp", .date(mail.timestamp)),
                ])
            )
        case "/standings":
            return .value(
                .array(
                    c.standings.map {
                        .object([
                            ("from_id", .int($0.fromID)), ("from_type", .string($0.fromType)),
                            ("standing", .double($0.standing)),
                        ])
                    }
                )
            )
        case "/titles":
            return .value(.array(c.titles.map { .object([("name", .string($0.name)), ("title_id", .int($0.id))]) }))
        case "/roles":
            return .value(.object([("roles", .array(c.roles.map { .string($0) }))]))
        case "/fw/stats":
            let counts = JSONValue.object([("last_week", .int(0)), ("total", .int(c.fwKills)), ("yesterday", .int(0))])
            var fields: [(String, JSONValue)] = [("kills", counts), ("victory_points", counts)]
            // Every third character serves in one of the four militias, enlisted a year after its
            // birth, at a rank of 0–9 (ESI leaves the other fields out for the rest).
            if c.id % 3 == 0 {
                let rank = c.id / 3 % 10
                fields += [
                    ("faction_id", .int([500_001, 500_002, 500_003, 500_004][c.id % 4])),
                    ("enlisted_on", .date(c.birthday.addingTimeInterval(365 * 86_400))),
                    ("current_rank", .int(rank)), ("highest_rank", .int(min(9, rank + 1))),
                ]
            }
            return .value(.object(fields))
        case "/agents_research", "/notifications", "/notifications/contacts", "/medals", "/calendar", "/industry/jobs",
            "/orders", "/fittings":
            return .value(.array([]))
        case "/search":
            return .value(.object([]))
        case "/calendar/{event_id}":
            return .error(404, "Event not found")
        default:
            return nil
        }
    }
}
