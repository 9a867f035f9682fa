import ESI
import EventLog
import Foundation
import Postgres
import Vocabulary

/// How one section's sync ended, as the queue and `sync.runs` record it.
enum SectionOutcome: String, Sendable {
    /// New data from at least one route.
    case fetched
    /// Every route answered 304 (or the same content).
    case notModified = "not_modified"
    case failed
    /// Not attempted: a missing scope, a route ESI reports Down, a suspended token.
    case skipped
}

/// What syncing one section produced: events to record, and ids to resolve afterwards.
struct SectionResult: Sendable {
    var events: [NewEvent] = []
    var etags: [String: ETagEntry]
    var outcome = SectionOutcome.notModified
    var error: String?
    var changed = false
    var requests = 0
    var fetchedOnce: [(kind: String, id: Int64)] = []
    var entityIDs = Set<Int64>()
    var locationIDs = Set<Int64>()
    /// Static-data ids it referred to (types, systems, planets); unknown ones are asked of ESI.
    var universeIDs = [UniverseKind: Set<Int64>]()
    /// A 420 or 429 came: the section is due again after this many seconds, not after a backoff.
    var retryAfter: Int?
}

/// Fetches one section of one character: its routes, then the fetches that depend on what they
/// returned (asset names, contract items and bids, mail bodies).
struct SectionRunner: Sendable {
    let esi: ESIClient
    let pool: PostgresPool
    let settings: SyncSettings

    func run(_ item: WorkItem, token: String?) async throws -> SectionResult {
        var result = SectionResult(etags: item.etags)
        let character = item.characterID
        let fetched = try await withThrowingTaskGroup(of: (Route, FetchResult, Date).self) { group in
            for var route in item.section.routes {
                if case .lastMailID(let size, _) = route.paging {
                    route.paging = .lastMailID(pageSize: size, maxItems: self.settings.maxMails)
                }
                let request = ESIRequest(
                    method: route.method,
                    path: route.path(character: character),
                    body: route.postsCharacterID ? Array("[\(character)]".utf8) : nil,
                    accessToken: token,
                    etag: item.etags[route.name]?.etag,
                    group: route.group,
                    characterID: token == nil ? nil : character
                )
                group.addTask {
                    let started = self.settings.clock.now()
                    return (route, try await self.esi.fetch(request, paging: route.paging), started)
                }
            }
            var all = [(Route, FetchResult, Date)]()
            for try await answer in group { all.append(answer) }
            // Record in the section's route order, whatever order the answers came in.
            let order = item.section.routes.map(\.name)
            return all.sorted { order.firstIndex(of: $0.0.name)! < order.firstIndex(of: $1.0.name)! }
        }
        var dependentsNeeded = [(Route, FetchResult)]()
        for (route, fetch, started) in fetched {
            self.record(fetch, of: route, character: character, parameters: [:], at: started, into: &result)
            if fetch.kind == .fetched { dependentsNeeded.append((route, fetch)) }
        }
        for (route, fetch) in dependentsNeeded {
            guard let json = fetch.json else { continue }
            let dependentsFailed = try await self.dependents(
                of: route,
                json: json,
                item: item,
                token: token,
                into: &result
            )
            if dependentsFailed {
                // Without its ETag the list is fetched in full next time, and the dependents retried.
                result.etags[route.name] = nil
            }
            collectIDs(json.value, section: route.section, entities: &result.entityIDs, locations: &result.locationIDs)
            collectUniverseIDs(json.value, section: route.section, into: &result.universeIDs)
        }
        return result
    }

    /// Turns one fetch into an event and folds it into the section's result.
    private func record(
        _ fetch: FetchResult,
        of route: Route,
        character: Int64,
        parameters: [String: String],
        at started: Date,
        into result: inout SectionResult,
        isDependent: Bool = false
    ) {
        result.requests += fetch.requests
        var parameters = parameters
        parameters["character_id"] = String(character)
        let payload: PayloadSource
        let previous = result.etags[route.name]
        var fetch = fetch
        if fetch.kind == .notModified, previous.flatMap({ PayloadHash(hex: $0.hash) }) == nil {
            // An ETag is only sent with the payload it belongs to, so this cannot happen; if it
            // ever does, the fetch is still recorded, as the failure it is.
            fetch.kind = .failed
            fetch.error = "ESI answered 304 but the payload it confirms is not known"
            result.etags[route.name] = nil
        }
        switch fetch.kind {
        case .fetched:
            payload = .bytes(fetch.body)
            // A section's change is its own routes' data changing; dependents follow from that.
            if !isDependent {
                let hash = PayloadHash(of: fetch.body).hex
                if previous?.hash != hash { result.changed = true }
                if let etag = fetch.etag { result.etags[route.name] = ETagEntry(etag: etag, hash: hash) }
            }
            if result.outcome == .notModified { result.outcome = .fetched }
        case .notModified:
            payload = .existing(PayloadHash(hex: previous!.hash)!)  // checked above
        case .failed:
            payload = fetch.body.isEmpty ? .none : .bytes(fetch.body)
            if !isDependent {
                result.outcome = .failed
            }
            // A 404 of a dependent fetch (a mail deleted in game, an old contract) is final, not an error.
            if result.error == nil, !isDependent || fetch.status != 404 {
                let id = (parameters["contract_id"] ?? parameters["mail_id"]).map { " \($0)" } ?? ""
                result.error = "\(route.name)\(id): \(fetch.error ?? "failed")"
            }
            if let retry = fetch.retryAfter { result.retryAfter = max(result.retryAfter ?? 0, retry) }
        }
        result.events.append(
            NewEvent(
                fetch,
                of: route,
                stream: .character(character),
                parameters: parameters,
                at: started,
                payload: payload,
                compatibilityDate: self.esi.configuration.compatibilityDate
            )
        )
    }

    /// Runs the fetches that depend on `route`'s data; returns true when one of them failed.
    private func dependents(
        of route: Route,
        json: JSONDocument,
        item: WorkItem,
        token: String?,
        into result: inout SectionResult
    ) async throws -> Bool {
        let character = item.characterID
        var jobs = [(Route, ESIRequest, [String: String], onceKind: String?, id: Int64)]()
        let objects = json.objects
        switch route.section {
        case .assets:
            // Only singletons (assembled ships, containers) can carry a name.
            let ids = objects.filter { ($0["is_singleton"] as? Bool) == true }.compactMap { int64($0["item_id"]) }
            for (index, chunk) in ids.chunked(1000).enumerated() {
                let body = Array("[\(chunk.map(String.init).joined(separator: ","))]".utf8)
                let request = ESIRequest(
                    method: "POST",
                    path: Routes.assetNames.path(character: character),
                    body: body,
                    accessToken: token,
                    group: Routes.assetNames.group,
                    characterID: character
                )
                jobs.append((Routes.assetNames, request, ["chunk": String(index)], nil, 0))
            }
        case .contracts:
            let withItems = objects.filter { ["item_exchange", "auction"].contains($0["type"] as? String ?? "") }
                .compactMap { int64($0["contract_id"]) }
            let done = try await self.fetchedOnce(character, kind: "contract_items", among: withItems)
            for id in withItems where !done.contains(id) {
                jobs.append(
                    (
                        Routes.contractItems, self.request(Routes.contractItems, character, id, token),
                        ["contract_id": String(id)], "contract_items", id
                    )
                )
            }
            let openAuctions = objects.filter {
                $0["type"] as? String == "auction" && $0["status"] as? String == "outstanding"
            }
            .compactMap { int64($0["contract_id"]) }
            for id in openAuctions {
                jobs.append(
                    (
                        Routes.contractBids, self.request(Routes.contractBids, character, id, token),
                        ["contract_id": String(id)], nil, id
                    )
                )
            }
        case .corporationAffiliation:
            // The member list of the corporation the character is in now.
            guard
                let corporation = objects.first(where: { int64($0["character_id"]) == character })
                    .flatMap({ int64($0["corporation_id"]) })
            else { return false }
            let route = Routes.corporationMembers
            jobs.append(
                (
                    route, self.request(route, character, corporation, token), ["corporation_id": String(corporation)],
                    nil, 0
                )
            )
        case .mails:
            let ids = objects.compactMap { int64($0["mail_id"]) }
            let done = try await self.fetchedOnce(character, kind: "mail_body", among: ids)
            for id in ids where !done.contains(id) {
                jobs.append(
                    (
                        Routes.mailBody, self.request(Routes.mailBody, character, id, token), ["mail_id": String(id)],
                        "mail_body", id
                    )
                )
            }
        default:
            return false
        }
        guard !jobs.isEmpty else { return false }
        let requests = jobs.map(\.1)
        let answers = try await withThrowingTaskGroup(of: (Int, FetchResult, Date).self) { group in
            // A few at a time per character; the process-wide limit is the sync's concurrency.
            var next = 0
            func startNext() {
                guard next < requests.count else { return }
                let index = next
                next += 1
                group.addTask {
                    let started = self.settings.clock.now()
                    return (index, try await self.esi.fetch(requests[index]), started)
                }
            }
            for _ in 0..<8 { startNext() }
            var answers = [(Int, FetchResult, Date)]()
            for try await answer in group {
                answers.append(answer)
                startNext()
            }
            return answers.sorted { $0.0 < $1.0 }
        }
        var failed = false
        for (index, fetch, at) in answers {
            let (dependentRoute, _, parameters, onceKind, id) = jobs[index]
            self.record(
                fetch,
                of: dependentRoute,
                character: character,
                parameters: parameters,
                at: at,
                into: &result,
                isDependent: true
            )
            if fetch.kind == .fetched {
                if let onceKind { result.fetchedOnce.append((onceKind, id)) }
                if let json = fetch.json {
                    collectIDs(
                        json.value,
                        section: dependentRoute.section,
                        entities: &result.entityIDs,
                        locations: &result.locationIDs
                    )
                    collectUniverseIDs(json.value, section: dependentRoute.section, into: &result.universeIDs)
                }
            } else if fetch.kind == .failed, fetch.status != 404 {
                failed = true
            }
        }
        return failed
    }

    private func request(_ route: Route, _ character: Int64, _ id: Int64, _ token: String?) -> ESIRequest {
        ESIRequest(
            path: route.path(character: character, id: id),
            accessToken: token,
            group: route.group,
            characterID: character
        )
    }

    private func fetchedOnce(_ character: Int64, kind: String, among ids: [Int64]) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await self.pool.withConnection { connection in
            Set(
                try connection.query(
                    "SELECT item_id FROM sync.fetched_once WHERE character_id = $1 AND kind = $2 AND item_id = ANY($3)",
                    [character, kind, ids]
                ).map { try $0.get(0, as: Int64.self) }
            )
        }
    }
}

/// An integer of a payload, exactly: `1.5`, `1e30` or a number past Int64 is no id (nil), where
/// NSNumber's `int64Value` would truncate or wrap it into someone else's.
func int64(_ value: Any?) -> Int64? { value as? Int64 }

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: self.count, by: size).map { self[$0..<Swift.min($0 + size, self.count)] }
    }
}
