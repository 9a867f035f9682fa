import ArgumentParser
import ESISimulator
import EventLog
import Foundation
import Migrations
import Postgres
import Projections
import Sync
import Vocabulary

/// A full rebuild of the read models from a month-long log, and the incremental lag at steady state.
///
/// The log is made by syncing the simulator's characters hour by hour through simulated days, each
/// section when its staleness time (the sync's defaults) says it is due, with the ETag of the
/// previous answer: unchanged data comes back as a 304. Syncing that many days over HTTP would take
/// hours (the sync benchmark measures HTTP), so this generator calls the simulator's request handler
/// in-process: the same bytes, ETags, pages and 304s. Dependent fetches follow the sync: asset
/// names when the asset list changed, items of new contracts, bodies of new mails.
struct RebuildBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild all read models from a month of syncing N characters; then incremental lag."
    )

    @Option(help: "Simulated characters.") var characters = 1000
    @Option(help: "Simulated days, synced hourly.") var days = 30
    @Option(help: "Full rebuilds to time.") var runs = 3
    @Option(help: "Parallel jobs of the rebuild.") var jobs = 2
    @Option(help: "Seconds of the steady-state lag measurement.") var lagSeconds = 30

    func run() async throws {
        let pool = PostgresPool(conninfo: "", maxConnections: 12)
        _ = try await pool.withConnection { try Migrator().migrate($0) }
        print("machine: \(machineDescription())")
        let existing = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM eventlog.events")[0].get(0, as: Int64.self)
        }
        if existing == 0 {
            let seconds = try await measureAsync {
                try await LogGenerator(pool: pool, characters: self.characters, days: self.days).generate()
            }
            print(String(format: "generated the log in %.0f s", seconds))
        } else {
            print("reusing the log already in the database (\(existing) events)")
        }
        let log = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT count(*), count(*) FILTER (WHERE outcome = 'fetched'), count(*) FILTER (WHERE outcome = 'not_modified'),
                       count(*) FILTER (WHERE outcome = 'failed'), coalesce(sum(payload_size), 0)::int8,
                       (SELECT count(*) FROM eventlog.payloads), (SELECT coalesce(sum(stored_size), 0)::int8 FROM eventlog.payloads),
                       count(DISTINCT stream)
                FROM eventlog.events
                """
            )[0]
        }
        let events: Int64 = try log.get(0)
        let rawBytes: Int64 = try log.get(4)
        print(
            "log: \(events) events (\(try log.get(1, as: Int64.self)) fetched, \(try log.get(2, as: Int64.self)) not modified, "
                + "\(try log.get(3, as: Int64.self)) failed) of \(try log.get(7, as: Int64.self)) streams; "
                + String(format: "%.1f MB of raw JSON in the events; ", Double(rawBytes) / 1e6)
                + "\(try log.get(5, as: Int64.self)) distinct payloads stored in "
                + String(format: "%.1f MB", Double(try log.get(6, as: Int64.self)) / 1e6)
        )

        // Full rebuilds of every read model (the first one also installs them).
        var eventRates = Samples()
        var byteRates = Samples()
        var seconds = Samples()
        for run in 0...self.runs {
            let report = try await Rebuilder(pool: pool).rebuild(RebuildOptions(jobs: self.jobs))
            let label = run == 0 ? "warm-up" : "run \(run)"
            print(
                "\(label): \(report.events) events, \(report.rows) rows, "
                    + String(
                        format: "%.1f MB decoded, %.2f s: %.0f events/s, %.1f MB/s of raw JSON",
                        Double(report.decodedBytes) / 1e6,
                        report.seconds,
                        Double(report.events) / report.seconds,
                        Double(report.rawBytes) / 1e6 / report.seconds
                    )
            )
            guard run > 0 else { continue }
            seconds.add(report.seconds)
            eventRates.add(Double(report.events) / report.seconds)
            byteRates.add(Double(report.rawBytes) / 1e6 / report.seconds)
        }
        print("rebuild, \(self.jobs) jobs: \(seconds.describe("s", digits: 2))")
        print(
            "rebuild throughput: \(eventRates.describe("events/s", digits: 0)); \(byteRates.describe("MB/s of raw JSON"))"
        )

        try await self.measureLag(pool)
    }

    /// Appends sync-shaped batches at a steady rate while a projection runner (as in a worker)
    /// follows; the lag of a batch is from its append's commit to the runner's checkpoint passing it.
    private func measureLag(_ pool: PostgresPool) async throws {
        let runner = ProjectionRunner(pool: pool)
        let projecting = Task { try await runner.run() }
        defer { runner.stop() }
        let store = EventStore(pool: pool)
        var lags = Samples()
        let ids = try await pool.withConnection { connection in
            try connection.query(
                "SELECT DISTINCT stream FROM eventlog.events WHERE stream LIKE 'character:%' LIMIT 200"
            )
            .map { EventLog.Stream(rawValue: try $0.get(0, as: String.self)) }
        }
        // A worker's group commit: about 100 sections a batch, here one batch every 100 ms
        // (≈1,000 events/s, ~400 times the steady rate of 1,000 characters on the default staleness).
        let deadline = Date().addingTimeInterval(Double(self.lagSeconds))
        var batch = 0
        while Date() < deadline {
            batch += 1
            let events = (0..<100).map { index -> NewEvent in
                let stream = ids[(batch * 100 + index) % ids.count]
                let body = Array(
                    #"{"solar_system_id":30000142,"station_id":60003760,"n":\#(batch * 100 + index)}"#.utf8
                )
                return NewEvent(
                    stream: stream,
                    section: "location",
                    route: "/characters/{character_id}/location",
                    parameters: ["character_id": String(stream.characterID ?? 0)],
                    outcome: .fetched,
                    httpStatus: 200,
                    fetchedAt: Date(),
                    payload: .bytes(body)
                )
            }
            let position = try await store.append(events).positions.upperBound
            let appended = ContinuousClock.now
            while true {
                let checkpoint = try await pool.withConnection {
                    try $0.query("SELECT min(position) FROM projection.projectors")[0].get(0, as: Int64.self)
                }
                if checkpoint >= position { break }
                try await Task.sleep(for: .milliseconds(2))
            }
            let lag = ContinuousClock.now - appended
            lags.add(Double(lag.components.attoseconds) / 1e15 + Double(lag.components.seconds) * 1000)
            try await Task.sleep(for: .milliseconds(100))
        }
        runner.stop()
        _ = try? await projecting.value
        let sorted = lags.values.sorted()
        let p95 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
        print(
            "incremental lag, \(lags.values.count) batches of 100 events at 10 batches/s: "
                + "\(lags.describe("ms")), p95 \(String(format: "%.1f", p95)) ms"
        )
    }
}

/// Makes the month-long log: the simulator's answers, in-process, appended through the event log.
struct LogGenerator {
    let pool: PostgresPool
    let characters: Int
    let days: Int
    /// Deltas between keyframes of the appended payloads (0: every payload a keyframe).
    var maximumChain = EventStore.defaultMaximumChain
    /// Every section every hour (forced passes), instead of when its staleness says.
    var forced = false
    /// Told after each simulated hour's events are appended.
    var afterHour: @Sendable (Int) async throws -> Void = { _ in }
    /// Simulated hours to sync (nil: `days` × 24).
    var hours: Int?

    func generate() async throws {
        var configuration = SimulatorConfiguration()
        configuration.characters = self.characters
        configuration.clock = .manual
        configuration.origin = Date(timeIntervalSince1970: 1_790_000_000)
        configuration.errorLimit = 1_000_000_000
        configuration.rateLimitScale = 1_000_000
        let simulator = Simulator(configuration)
        // ES256 signs in microseconds; one token per character per simulated hour.
        _ = simulator.handle(
            SimulatorRequest(method: "POST", path: "/_sim/faults", body: Array(#"{"jwt_algorithm":"ES256"}"#.utf8))
        )
        let ids = simulator.world.characterIDs
        // Two generators (the machine's two cores), each syncing half of the characters.
        let halves = [
            ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element),
            ids.enumerated().filter { $0.offset % 2 == 1 }.map(\.element),
        ]
        let states = halves.map { _ in SyncStateBox() }
        let store = EventStore(pool: self.pool, maximumChain: self.maximumChain)
        let forced = self.forced
        let started = Date()
        // One append in flight at a time, overlapping the next hour's generation: appends stay in
        // log order, so a 304 never refers to a payload still being appended.
        var appending: Task<Void, any Error>?
        for hour in 0..<(self.hours ?? self.days * 24) {
            if hour > 0 { simulator.clock.advance(by: 3600) }
            let minute = hour * 60
            let events = try await withThrowingTaskGroup(of: [NewEvent].self) { group in
                for (half, state) in zip(halves, states) {
                    group.addTask {
                        var events = [NewEvent]()
                        for id in half {
                            guard let token = try simulator.accessToken(characterID: id, scopes: simulator.allScopes)
                            else { continue }
                            for section in Section.allCases
                            where section != .roles && (forced || minute % section.defaultStaleMinutes == 0) {
                                events += state.sync(section, of: Int64(id), token: token, simulator: simulator)
                            }
                        }
                        return events
                    }
                }
                var all = [NewEvent]()
                for try await part in group { all += part }
                return all
            }
            try await appending?.value
            if hour > 0 { try await self.afterHour(hour - 1) }
            appending = Task {
                for start in stride(from: 0, to: events.count, by: 5000) {
                    try await store.append(Array(events[start..<min(start + 5000, events.count)]))
                }
            }
            if hour % 24 == 23 && self.hours == nil {
                FileHandle.standardError.write(
                    Data(
                        String(
                            format: "log: day %d of %d, %.0f s\n",
                            hour / 24 + 1,
                            self.days,
                            Date().timeIntervalSince(started)
                        ).utf8
                    )
                )
            }
        }
        try await appending?.value
        try await self.afterHour((self.hours ?? self.days * 24) - 1)
    }
}

/// One generator's sync state, used by one task at a time.
final class SyncStateBox: @unchecked Sendable {
    private var state = SyncState()
    func sync(_ section: Section, of character: Int64, token: String, simulator: Simulator) -> [NewEvent] {
        self.state.sync(section, of: character, token: token, simulator: simulator)
    }
}

/// What a sync remembers between fetches: the ETag and payload of each route, and the dependent
/// items fetched once.
struct SyncState {
    var etags: [String: (etag: String, hash: PayloadHash)] = [:]
    var fetchedOnce = Set<String>()

    mutating func sync(_ section: Section, of character: Int64, token: String, simulator: Simulator) -> [NewEvent] {
        var events = [NewEvent]()
        for route in section.routes {
            let path = route.template.replacingOccurrences(of: "{character_id}", with: String(character))
            let key = "\(character)|\(route.name)"
            let (event, json) = self.fetch(
                path: path,
                route: route.name,
                template: route.template,
                character: character,
                token: token,
                etagKey: key,
                simulator: simulator
            )
            events.append(event)
            guard let json else { continue }
            events += self.dependents(
                of: route.name,
                json: json,
                character: character,
                token: token,
                simulator: simulator
            )
        }
        return events
    }

    private mutating func fetch(
        path: String,
        route: String,
        template: String,
        character: Int64,
        token: String,
        etagKey: String?,
        simulator: Simulator,
        method: String = "GET",
        body: [UInt8] = [],
        parameters: [String: String] = [:]
    ) -> (NewEvent, Any?) {
        let fetchedAt = simulator.clock.now()
        var headers = ["authorization": "Bearer \(token)", "x-compatibility-date": "2025-12-16"]
        if let etagKey, let previous = self.etags[etagKey] { headers["if-none-match"] = previous.etag }
        let first = simulator.handle(SimulatorRequest(method: method, path: path, headers: headers, body: body))
        var event = NewEvent(
            stream: .character(character),
            section: route,
            route: template,
            parameters: parameters.merging(["character_id": String(character)]) { $1 },
            outcome: .failed,
            httpStatus: first.status,
            etag: first.header("ETag"),
            fetchedAt: fetchedAt,
            payload: first.body.isEmpty ? .none : .bytes(first.body)
        )
        switch first.status {
        case 304:
            guard let etagKey, let previous = self.etags[etagKey] else { return (event, nil) }
            event.outcome = .notModified
            event.payload = .existing(previous.hash)
            return (event, nil)
        case 200:
            var bytes = first.body
            let pages = first.header("X-Pages").flatMap(Int.init) ?? 1
            if pages > 1 {
                for page in 2...pages {
                    let next = simulator.handle(
                        SimulatorRequest(
                            method: method,
                            path: path,
                            query: ["page": String(page)],
                            headers: headers,
                            body: body
                        )
                    )
                    guard next.status == 200, next.body.count > 2, bytes.count > 2 else { continue }
                    bytes.removeLast()  // "]" of the pages so far, "[" of the next: one array
                    bytes += [UInt8(ascii: ",")] + next.body.dropFirst()
                }
            }
            event.outcome = .fetched
            event.payload = .bytes(bytes)
            event.pages = pages
            if let etagKey, let etag = first.header("ETag") { self.etags[etagKey] = (etag, PayloadHash(of: bytes)) }
            return (event, try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]))
        default:
            event.error = "HTTP \(first.status)"
            return (event, nil)
        }
    }

    private mutating func dependents(
        of route: String,
        json: Any,
        character: Int64,
        token: String,
        simulator: Simulator
    )
        -> [NewEvent]
    {
        let objects = (json as? [[String: Any]]) ?? []
        let base = "/characters/\(character)"
        func id(_ object: [String: Any], _ key: String) -> Int64? { (object[key] as? NSNumber)?.int64Value }
        var events = [NewEvent]()
        switch route {
        case "assets":
            let singletons = objects.filter { $0["is_singleton"] as? Bool == true }.compactMap { id($0, "item_id") }
            for (index, chunk) in stride(from: 0, to: singletons.count, by: 1000).enumerated() {
                let ids = singletons[chunk..<min(chunk + 1000, singletons.count)].map(String.init).joined(
                    separator: ","
                )
                events.append(
                    self.fetch(
                        path: "\(base)/assets/names",
                        route: "asset_names",
                        template: "/characters/{character_id}/assets/names",
                        character: character,
                        token: token,
                        etagKey: nil,
                        simulator: simulator,
                        method: "POST",
                        body: Array("[\(ids)]".utf8),
                        parameters: ["chunk": String(index)]
                    ).0
                )
            }
        case "contracts":
            for contract in objects.compactMap({ id($0, "contract_id") })
            where self.fetchedOnce.insert("c\(character)|\(contract)").inserted {
                events.append(
                    self.fetch(
                        path: "\(base)/contracts/\(contract)/items",
                        route: "contract_items",
                        template: "/characters/{character_id}/contracts/{contract_id}/items",
                        character: character,
                        token: token,
                        etagKey: nil,
                        simulator: simulator,
                        parameters: ["contract_id": String(contract)]
                    ).0
                )
            }
        case "mails":
            for mail in objects.compactMap({ id($0, "mail_id") })
            where self.fetchedOnce.insert("m\(character)|\(mail)").inserted {
                events.append(
                    self.fetch(
                        path: "\(base)/mail/\(mail)",
                        route: "mail_body",
                        template: "/characters/{character_id}/mail/{mail_id}",
                        character: character,
                        token: token,
                        etagKey: nil,
                        simulator: simulator,
                        parameters: ["mail_id": String(mail)]
                    ).0
                )
            }
        default:
            break
        }
        return events
    }
}
