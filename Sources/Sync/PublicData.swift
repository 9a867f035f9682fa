import ESI
import EventLog
import Foundation
import Postgres
import Vocabulary

/// Resolves what character data refers to into public streams: entity names (`POST
/// /universe/names`), stations and structures. Each id is claimed in the database first, so
/// workers never fetch the same one twice; a structure that answered 403 waits for its time.
struct PublicData: Sendable {
    let esi: ESIClient
    let pool: PostgresPool
    let store: EventStore
    let locationStaleHours: Int
    /// The clock fetches are dated by (the system's, or a demo's).
    var clock = TimeSource.system

    static let namesStream = EventLog.Stream.public("universe_names")
    static let stationsStream = EventLog.Stream.public("stations")
    static let structuresStream = EventLog.Stream.public("structures")
    static let pricesStream = EventLog.Stream.public("market_prices")
    /// Static data the bundled SDE lacks (types of a later patch, planets, ...), one event per id.
    static let universeStream = EventLog.Stream.public("universe")

    /// Fetches market prices when a day has passed since the last answer (one worker: the row is
    /// claimed by moving its due time). A 304 is recorded as not modified. Returns the requests.
    func refreshMarketPrices() async throws -> Int {
        let claim = try await self.pool.withConnection { connection in
            try connection.query(
                """
                UPDATE sync.public_fetches SET due_at = now() + interval '10 minutes'
                WHERE name = 'market_prices' AND due_at <= now() RETURNING etag, payload_hash
                """
            ).first.map { (try $0.get(0, as: String?.self), try $0.get(1, as: String?.self)) }
        }
        guard let (etag, known) = claim else { return 0 }
        let route = Routes.marketPrices
        let started = self.clock.now()
        let confirmed = known.flatMap(PayloadHash.init(hex:))
        let fetch = try await self.esi.fetch(ESIRequest(path: route.template, etag: confirmed == nil ? nil : etag))
        let payload: PayloadSource
        switch fetch.kind {
        case .fetched: payload = .bytes(fetch.body)
        case .notModified: payload = .existing(confirmed!)  // sent an ETag only with its payload
        case .failed: payload = fetch.body.isEmpty ? .none : .bytes(fetch.body)
        }
        try await self.store.append(
            NewEvent(
                fetch,
                of: route,
                stream: Self.pricesStream,
                parameters: [:],
                at: started,
                payload: payload,
                compatibilityDate: self.esi.configuration.compatibilityDate
            )
        )
        try await self.pool.withConnection { connection in
            if fetch.kind == .failed {
                try connection.execute(
                    "UPDATE sync.public_fetches SET due_at = now() + interval '1 hour' WHERE name = 'market_prices'"
                )
            } else {
                try connection.execute(
                    """
                    UPDATE sync.public_fetches SET due_at = now() + interval '1 day', etag = coalesce($1, etag),
                        payload_hash = coalesce($2, payload_hash)
                    WHERE name = 'market_prices'
                    """,
                    [fetch.etag, fetch.kind == .fetched ? PayloadHash(of: fetch.body).hex : nil]
                )
            }
        }
        return fetch.requests
    }

    /// Resolves the ids not asked for before. Returns the requests it took.
    func resolveNames(_ ids: Set<Int64>) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let new = try await self.pool.withConnection { connection in
            try connection.query(
                """
                INSERT INTO sync.entities (id) SELECT unnest($1::int8[])
                ON CONFLICT (id) DO UPDATE SET checked_at = now()
                    WHERE NOT entities.resolved AND entities.checked_at < now() - interval '1 day'
                RETURNING id
                """,
                // Sorted, so that concurrent claims lock rows in one order and never deadlock.
                [ids.sorted()]
            ).map { try $0.get(0, as: Int64.self) }
        }
        var requests = 0
        for chunk in new.sorted().chunked(1000) {
            requests += try await self.resolve(Array(chunk))
        }
        return requests
    }

    /// One `/universe/names` call; a 404 (an id it cannot resolve) splits the batch in halves so
    /// the good ids still resolve and the bad one is found.
    private func resolve(_ ids: [Int64]) async throws -> Int {
        let started = self.clock.now()
        let route = Routes.universeNames
        let fetch = try await self.esi.fetch(
            ESIRequest(
                method: "POST",
                path: route.template,
                body: Array("[\(ids.map(String.init).joined(separator: ","))]".utf8)
            )
        )
        var requests = fetch.requests
        if fetch.kind == .failed, fetch.status == 404, ids.count > 1 {
            let half = ids.count / 2
            requests += try await self.resolve(Array(ids[..<half]))
            requests += try await self.resolve(Array(ids[half...]))
            return requests
        }
        try await self.record(
            fetch,
            stream: Self.namesStream,
            route: route,
            parameters: ["count": String(ids.count)],
            at: started
        )
        try await self.pool.withConnection { connection in
            if fetch.kind == .fetched {
                try connection.execute(
                    "UPDATE sync.entities SET resolved = true, checked_at = now() WHERE id = ANY($1)",
                    [ids]
                )
            } else if fetch.status != 404 {
                // Not answered: forget the claim so a later sync asks again.
                try connection.execute("DELETE FROM sync.entities WHERE id = ANY($1) AND NOT resolved", [ids])
            }
        }
        return requests
    }

    /// Fetches stations and structures not fetched within the stale time (structures with
    /// `token` of a character that may read them; a 403 is not retried before the stale time).
    func resolveLocations(_ ids: Set<Int64>, token: String?, characterID: Int64) async throws -> Int {
        let wanted = ids.filter { isStationID($0) || (token != nil && isStructureID($0)) }
        guard !wanted.isEmpty else { return 0 }
        let hours = self.locationStaleHours
        let claimed = try await self.pool.withConnection { connection in
            try connection.query(
                """
                INSERT INTO sync.locations (id, state) SELECT unnest($1::int8[]), 'pending'
                ON CONFLICT (id) DO UPDATE SET state = 'pending', checked_at = now()
                    -- a claim older than ten minutes belonged to a worker that died
                    WHERE (locations.state = 'pending' AND locations.checked_at < now() - interval '10 minutes')
                       OR (locations.state <> 'pending'
                           AND coalesce(locations.retry_after, locations.checked_at + make_interval(hours => $2::int)) < now())
                RETURNING id
                """,
                [wanted.sorted(), hours]
            ).map { try $0.get(0, as: Int64.self) }
        }
        var requests = 0
        for id in claimed.sorted() {
            let structure = isStructureID(id)
            let route = structure ? Routes.structure : Routes.station
            let started = self.clock.now()
            let fetch = try await self.esi.fetch(
                ESIRequest(
                    path: route.path(character: 0, id: id),
                    accessToken: structure ? token : nil,
                    characterID: structure ? characterID : nil
                )
            )
            requests += fetch.requests
            try await self.record(
                fetch,
                stream: structure ? Self.structuresStream : Self.stationsStream,
                route: route,
                parameters: [structure ? "structure_id" : "station_id": String(id)]
                    .merging(structure ? ["character_id": String(characterID)] : [:]) { $1 },
                at: started
            )
            let state = fetch.kind == .fetched ? "resolved" : fetch.status == 403 ? "forbidden" : "failed"
            // A refusal waits the stale time; other failures are retried within the hour.
            let retry: Date? =
                switch state {
                case "forbidden": Date().addingTimeInterval(Double(hours) * 3600)
                case "failed": Date().addingTimeInterval(3600)
                default: nil
                }
            try await self.pool.withConnection { connection in
                try connection.execute(
                    "UPDATE sync.locations SET state = $2, retry_after = $3, checked_at = now() WHERE id = $1",
                    [id, state, retry]
                )
            }
        }
        return requests
    }

    /// Asks ESI once for each static-data id that neither the loaded SDE nor an earlier fetch
    /// knows, and for what those answers refer to in turn (a type's group and its category; a
    /// system's constellation and its region). Each answer is an event of the public stream
    /// `universe`. An id is claimed first, so no two workers ask for it; a 404 is remembered and
    /// asked again after a day, another failure within the hour. Returns the requests it took.
    func resolveUniverse(_ ids: [UniverseKind: Set<Int64>]) async throws -> Int {
        var pending = ids
        var requests = 0
        // Each round follows one step up: type → group → category, system → constellation → region.
        for _ in 0..<4 where !pending.isEmpty {
            var next = [UniverseKind: Set<Int64>]()
            for kind in UniverseKind.allCases {
                guard let wanted = pending[kind], !wanted.isEmpty else { continue }
                // A few at a time: thousands of new ids (a new database against a newer ESI) take
                // seconds, not an hour of one request after another.
                for chunk in try await self.claim(kind, wanted).chunked(Self.universeConcurrency) {
                    let answers = try await withThrowingTaskGroup(of: (Int, [Int64: UniverseKind]).self) { group in
                        for id in chunk { group.addTask { try await self.resolveOne(kind, id) } }
                        return try await group.reduce(into: [(Int, [Int64: UniverseKind])]()) { $0.append($1) }
                    }
                    for (count, parents) in answers {
                        requests += count
                        for (parentID, parent) in parents { next[parent, default: []].insert(parentID) }
                    }
                }
            }
            pending = next
        }
        return requests
    }

    /// Fetches one claimed id, records the answer and its state; returns the requests it took and
    /// the ids the answer refers to (its group, constellation, ...).
    private func resolveOne(_ kind: UniverseKind, _ id: Int64) async throws -> (Int, [Int64: UniverseKind]) {
        let route = Routes.universe(kind)
        let started = self.clock.now()
        let fetch = try await self.esi.fetch(ESIRequest(path: route.path(character: 0, id: id)))
        try await self.record(
            fetch,
            stream: Self.universeStream,
            route: route,
            parameters: ["id": String(id)],
            at: started
        )
        let state = fetch.kind == .fetched ? "resolved" : fetch.status == 404 ? "missing" : "failed"
        try await self.pool.withConnection { connection in
            try connection.execute(
                "UPDATE sync.universe_ids SET state = $3, checked_at = now() WHERE kind = $1 AND id = $2",
                [kind.rawValue, id, state]
            )
        }
        var parents = [Int64: UniverseKind]()
        if fetch.kind == .fetched, let object = fetch.json?.value as? [String: Any] {
            for (key, parent) in kind.parents {
                if let parentID = int64(object[key]), parentID > 0 { parents[parentID] = parent }
            }
        }
        return (fetch.requests, parents)
    }

    /// Universe ids fetched at once by one call.
    static let universeConcurrency = 16

    /// Asks `/universe/ids` for the types named (ESI matches whole names, case-insensitive), then
    /// resolves the types found like any other unknown id. Returns the ids found, by lower-cased
    /// name. The answer is an event of the stream `universe` too.
    func resolveTypes(named names: [String]) async throws -> [String: Int64] {
        let unique = Array(Set(names.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        guard !unique.isEmpty else { return [:] }
        var found = [String: Int64]()
        for chunk in unique.chunked(500) {
            let body = try JSONSerialization.data(withJSONObject: Array(chunk))
            let route = Routes.universeIDs
            let started = self.clock.now()
            let fetch = try await self.esi.fetch(ESIRequest(method: "POST", path: route.template, body: Array(body)))
            try await self.record(
                fetch,
                stream: Self.universeStream,
                route: route,
                parameters: ["count": String(chunk.count)],
                at: started
            )
            guard fetch.kind == .fetched, let object = fetch.json?.value as? [String: Any] else { continue }
            for entry in object["inventory_types"] as? [[String: Any]] ?? [] {
                if let id = int64(entry["id"]), let name = entry["name"] as? String { found[name.lowercased()] = id }
            }
        }
        _ = try await self.resolveUniverse([.type: Set(found.values)])
        return found
    }

    /// Claims the ids of `kind` that the static data lacks and that are not resolved, missing
    /// within a day, failed within the hour or claimed within ten minutes.
    private func claim(_ kind: UniverseKind, _ ids: Set<Int64>) async throws -> [Int64] {
        let known = kind.staticTable.map { "AND NOT EXISTS (SELECT FROM \($0) s WHERE s.id = x)" } ?? ""
        return try await self.pool.withConnection { connection in
            try connection.query(
                """
                INSERT INTO sync.universe_ids (kind, id)
                SELECT $1, x FROM unnest($2::int8[]) AS x WHERE true \(known)
                ON CONFLICT (kind, id) DO UPDATE SET state = 'pending', checked_at = now()
                    WHERE (universe_ids.state = 'pending' AND universe_ids.checked_at < now() - interval '10 minutes')
                       OR (universe_ids.state = 'missing' AND universe_ids.checked_at < now() - interval '1 day')
                       OR (universe_ids.state = 'failed' AND universe_ids.checked_at < now() - interval '1 hour')
                RETURNING id
                """,
                // Sorted, so that concurrent claims lock rows in one order and never deadlock.
                [kind.rawValue, ids.sorted()]
            ).map { try $0.get(0, as: Int64.self) }.sorted()
        }
    }

    private func record(
        _ fetch: FetchResult,
        stream: EventLog.Stream,
        route: Route,
        parameters: [String: String],
        at started: Date
    ) async throws {
        guard fetch.kind != .notModified else { return }
        try await self.store.append(
            NewEvent(
                fetch,
                of: route,
                stream: stream,
                parameters: parameters,
                at: started,
                payload: fetch.body.isEmpty ? .none : .bytes(fetch.body),
                compatibilityDate: self.esi.configuration.compatibilityDate
            )
        )
    }
}
