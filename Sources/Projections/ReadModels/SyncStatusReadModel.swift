import EventLog
import Vocabulary

/// What the original shows as update status, per (character, route): the last attempt, the last
/// success, the last time the data changed (a payload differing from the previous one) and the
/// last error. Built from envelopes alone, so it needs no payloads; the view groups routes into
/// sections.
enum SyncStatusReadModel {
    static let status = TableSpec(
        "sync_status",
        [
            ("character_id", .bigint), ("route", .text), ("section", .text), ("is_dependent", .boolean),
            ("last_attempt_at", .timestamptz), ("last_outcome", .text), ("last_http_status", .bigint),
            ("last_error", .text), ("last_success_at", .timestamptz), ("last_changed_at", .timestamptz),
            ("last_payload_hash", .text), ("attempts", .bigint), ("failures", .bigint),
        ],
        key: ["character_id", "route"],
        mode: .upsert,
        stateful: true
    )

    /// Route name → (section, whether it is a dependent fetch).
    static let routes: [EventSection: (section: Section, dependent: Bool)] = {
        var routes = [EventSection: (Section, Bool)]()
        for section in Section.allCases {
            for route in section.routes { routes[route.section] = (section, false) }
        }
        routes[.assetNames] = (.assets, true)
        routes[.contractItems] = (.contracts, true)
        routes[.contractBids] = (.contracts, true)
        routes[.mailBody] = (.mails, true)
        routes[.corporationMembers] = (.corporationMembers, true)
        return routes
    }()

    static let projector = Projector(
        name: "sync_status",
        tables: [status],
        sections: routes.mapValues { _ in SectionKind.accumulating },
        readsPayloads: false
    ) { event, state in
        guard let id = event.characterID, let route = routes[EventSection(rawValue: event.section)] else { return [] }
        let key: [Cell] = [.int(id), .text(event.section)]
        let previous = state(status, key)
        func old(_ column: Int) -> Cell { previous?[column] ?? .null }
        func count(_ column: Int) -> Int64 { if case .int(let n) = old(column) { n } else { 0 } }
        let at = Cell.time(event.fetchedAt)
        let failed = event.outcome == .failed
        var hash = old(10)
        var changed = old(9)
        if event.outcome == .fetched, let payload = event.payloadHash {
            let new = Cell.text(payload.hex)
            if new != hash { changed = at }
            hash = new
        }
        let row: [Cell] = [
            .int(id), .text(event.section), .text(route.section.rawValue), .bool(route.dependent), at,
            .text(event.outcome.rawValue), event.httpStatus.map { .int(Int64($0)) } ?? .null,
            failed ? event.error.map(Cell.text) ?? .text("failed") : .null, failed ? old(8) : at, changed, hash,
            .int(count(11) + 1), .int(count(12) + (failed ? 1 : 0)),
        ]
        return [.upsert(status, rows: [row])]
    }
}
