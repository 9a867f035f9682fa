import ESI
import EventLog
import Foundation
import Logging
import Observability
import Postgres
import Synchronization
import TokenVault
import Vocabulary

/// What a pass (or a worker so far) did.
public struct PassSummary: Sendable, Codable, Equatable {
    public var fetched = 0
    public var notModified = 0
    public var failed = 0
    public var skipped = 0
    /// Sections whose lease another worker took over before they finished (nothing recorded).
    public var leaseLost = 0
    /// Claims that took over an expired lease of a dead worker.
    public var rescued = 0
    public var requests = 0
    public var seconds = 0.0

    public var sections: Int { self.fetched + self.notModified + self.failed + self.skipped + self.leaseLost }

    public init() {}

    mutating func count(_ outcome: SectionOutcome) {
        switch outcome {
        case .fetched: self.fetched += 1
        case .notModified: self.notModified += 1
        case .failed: self.failed += 1
        case .skipped: self.skipped += 1
        }
    }
}

/// Progress of a pass, for a progress bar.
public struct PassProgress: Sendable {
    public var done: Int
    public var total: Int
    public var summary: PassSummary
}

/// The sync engine: claims due sections from the work queue, fetches them from ESI with the
/// character's token, records every fetch as an event together with the queue row, then resolves
/// the names and locations the data refers to.
public final class SyncEngine: Sendable {
    public let pool: PostgresPool
    public let settings: SyncSettings
    public let workerID: UUID
    let store: EventStore
    let http: HTTPClient
    let esi: ESIClient
    let sso: SSOClient
    let budget: SharedBudget
    let tokens: TokenProvider
    let queue: WorkQueue
    let recorder: Recorder
    let runner: SectionRunner
    let publicData: PublicData
    let routeStatus: RouteStatus
    let logger: Logger
    private let stopping = Atomic<Bool>(false)

    /// `logger`: the process's, given by its command; the engine adds the worker's id to it.
    public init(
        pool: PostgresPool,
        settings: SyncSettings,
        cipher: TokenCipher,
        workerID: UUID = UUID(),
        logger: Logger = Logger(label: "memberaudit.sync")
    ) {
        var logger = logger
        logger[metadataKey: "worker"] = "\(workerID)"
        self.logger = logger
        self.pool = pool
        self.settings = settings
        self.workerID = workerID
        self.store = EventStore(pool: pool)
        self.http = HTTPClient(userAgent: settings.userAgent, maxConnectionsPerHost: max(8, settings.concurrency))
        self.budget = SharedBudget(threshold: settings.errorLimitThreshold)
        self.esi = ESIClient(http: self.http, configuration: settings.esi, budget: self.budget)
        self.sso = SSOClient(http: self.http, configuration: settings.sso)
        self.tokens = TokenProvider(pool: pool, cipher: cipher, sso: self.sso, notify: settings.notifyTokenErrors)
        self.queue = WorkQueue(pool: pool, workerID: workerID, leaseSeconds: settings.leaseSeconds)
        self.recorder = Recorder(queue: self.queue, store: self.store)
        self.runner = SectionRunner(esi: self.esi, pool: pool, settings: settings)
        self.publicData = PublicData(
            esi: self.esi,
            pool: pool,
            store: self.store,
            locationStaleHours: settings.locationStaleHours,
            clock: settings.clock
        )
        self.routeStatus = RouteStatus(esi: self.esi)
    }

    /// Asks a running worker or pass to stop claiming; sections in flight finish.
    public func stop() { self.stopping.store(true, ordering: .relaxed) }

    /// One pass over what is due (or, with `force`, over everything), then returns.
    public func runPass(
        filter: PassFilter,
        force: Bool,
        progress: @escaping @Sendable (PassProgress) -> Void = { _ in }
    ) async throws -> PassSummary {
        let total = try await self.queue.countClaimable(filter: filter, force: force)
        let start = try await self.queue.serverTime()
        return try await self.drive(filter: filter, force: force, passStart: start, continuous: false) {
            progress(PassProgress(done: $0.sections, total: total, summary: $0))
        }
    }

    /// Syncs continuously until ``stop()``: claims due work, sleeps until more is due.
    public func runWorker(
        filter: PassFilter,
        progress: @escaping @Sendable (PassSummary) -> Void = { _ in }
    ) async throws -> PassSummary {
        try await self.drive(filter: filter, force: false, passStart: nil, continuous: true, progress: progress)
    }

    private func drive(
        filter: PassFilter,
        force: Bool,
        passStart: Date?,
        continuous: Bool,
        progress: @escaping @Sendable (PassSummary) -> Void
    ) async throws -> PassSummary {
        let started = Date()
        try await self.queue.register()
        try await self.queue.analyzeIfStale()
        await self.refreshMarketPrices()
        let housekeeping = Task { await self.housekeeping() }
        defer { housekeeping.cancel() }
        // A worker checks every minute whether a day has passed; its own task, so that a slow ESI
        // answer never delays the heartbeats that keep the leases.
        let prices =
            continuous
            ? Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(60))
                    await self.refreshMarketPrices()
                }
            } : nil
        defer { prices?.cancel() }
        var summary = PassSummary()
        // Sections in flight; each runs a few requests at once, so requests in flight are about
        // twice this.
        let slots = max(1, self.settings.concurrency / 2)
        try await withThrowingTaskGroup(of: PassSummary.self) { group in
            var inFlight = 0
            while true {
                var claimed = 0
                // Claim in batches (a claim sorts the due rows; one per finished section is too many),
                // refilling when half the slots are free.
                if !self.stopping.load(ordering: .relaxed), inFlight <= slots / 2 {
                    let items: [WorkItem]
                    do {
                        items = try await self.queue.claim(
                            limit: slots - inFlight,
                            filter: filter,
                            force: force,
                            startedBefore: passStart
                        )
                    } catch  where continuous && !(error is CancellationError) {
                        // A worker outlives a database restart: what it holds is recorded or expires.
                        self.logger.error("cannot claim work, retrying in 5 s", metadata: ["error": "\(error)"])
                        if inFlight == 0 { try await Task.sleep(for: .seconds(5)) }
                        items = []
                    }
                    for item in items {
                        if let owner = item.rescuedFrom {
                            self.logger.notice(
                                "rescued a section whose lease expired",
                                metadata: item.metadata.merging(["from_worker": "\(owner)"]) { $1 }
                            )
                        }
                        group.addTask { await self.process(item) }
                    }
                    claimed = items.count
                    inFlight += claimed
                }
                if inFlight > 0, claimed == 0 || inFlight > slots / 2 {
                    if let done = try await group.next() {
                        inFlight -= 1
                        summary.add(done)
                        progress(summary)
                    }
                    continue
                }
                if inFlight == 0, claimed == 0 {
                    guard continuous, !self.stopping.load(ordering: .relaxed) else { break }
                    let next = (try? await self.queue.nextDue(filter: filter)) ?? nil
                    let wait = min(max(next?.timeIntervalSinceNow ?? 5, 0.2), 5)
                    try await Task.sleep(for: .seconds(wait))
                }
            }
        }
        housekeeping.cancel()
        await housekeeping.value  // its last exchange may have been cut short; publish after it
        try? await self.budget.exchange(with: self.pool)
        try? await self.queue.releaseAll()
        try? await self.queue.unregister()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Market prices for asset values, when a day has passed (the claim makes it one worker).
    private func refreshMarketPrices() async {
        do {
            _ = try await self.publicData.refreshMarketPrices()
        } catch is CancellationError {
        } catch {
            self.logger.warning(
                "market prices not fetched; asset values wait for the next try",
                metadata: ["error": "\(error)"]
            )
        }
    }

    /// Heartbeats for the leases, and the budget shared with other workers.
    private func housekeeping() async {
        var lastHeartbeat = Date()
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            do {
                try await self.budget.exchange(with: self.pool)
                if Date().timeIntervalSince(lastHeartbeat) >= Double(self.settings.leaseSeconds) / 3 {
                    try await self.queue.heartbeat()
                    lastHeartbeat = Date()
                }
            } catch is CancellationError {
                return
            } catch {
                self.logger.warning("housekeeping failed, will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Syncs one claimed section and counts it for the metrics.
    private func process(_ item: WorkItem) async -> PassSummary {
        let summary = await self.sync(item)
        let outcomes: [(SectionOutcome, Int)] = [
            (.fetched, summary.fetched), (.notModified, summary.notModified), (.failed, summary.failed),
            (.skipped, summary.skipped),
        ]
        for (outcome, count) in outcomes where count > 0 {
            Measure.sectionSynced(section: item.section.rawValue, outcome: outcome.rawValue)
        }
        if summary.rescued > 0 { Measure.leaseRescued() }
        return summary
    }

    /// Syncs one claimed section and records the result; never throws (a failure is a result).
    private func sync(_ item: WorkItem) async -> PassSummary {
        var summary = PassSummary()
        if item.rescuedFrom != nil { summary.rescued = 1 }
        let started = Date()
        let section = item.section
        do {
            // Every section asks for the token, public ones too: a dead token suspends the whole
            // character, and structures are read with it.
            let token: AccessToken
            do {
                token = try await self.tokens.token(for: item.characterID)
            } catch TokenProblem.invalid(let reason) {
                // The character is suspended (token_state); its lease is simply given back.
                try await self.finish(
                    item,
                    outcome: .skipped,
                    error: "token invalid: \(reason)",
                    due: Date(),
                    started: started
                )
                summary.skipped = 1
                return summary
            } catch TokenProblem.unavailable(let reason) {
                let due = Date().addingTimeInterval(backoff(failures: item.failures + 1))
                try await self.finish(
                    item,
                    outcome: .failed,
                    error: "no access token: \(reason)",
                    due: due,
                    started: started
                )
                summary.failed = 1
                return summary
            }
            if let scope = section.scope, !token.scopes.contains(scope) {
                let due = Date().addingTimeInterval(Double(self.settings.staleMinutes(for: section)) * 60)
                try await self.finish(
                    item,
                    outcome: .skipped,
                    error: "the character's token lacks the scope \(scope); add the character again with it",
                    due: due,
                    started: started
                )
                summary.skipped = 1
                return summary
            }
            let down = await self.routeStatus.downRoutes()
            if let route = (section.routes.map(\.template) + section.dependentTemplates).first(where: down.contains) {
                try await self.finish(
                    item,
                    outcome: .skipped,
                    error: "ESI reports \(route) as Down",
                    due: Date().addingTimeInterval(300),
                    started: started
                )
                summary.skipped = 1
                return summary
            }
            // Public sections go without a token: a token would only spend the character's buckets.
            let sendToken = section.scope == nil ? nil : token.token
            let result = try await self.runner.run(item, token: sendToken)
            let due: Date
            if result.outcome == .failed {
                due = Date().addingTimeInterval(
                    result.retryAfter.map { Double($0) + 1 } ?? backoff(failures: item.failures + 1)
                )
            } else {
                due = Date().addingTimeInterval(Double(self.settings.staleMinutes(for: section)) * 60)
            }
            let completion = Completion(
                outcome: result.outcome,
                error: result.error,
                nextDue: due,
                changed: result.changed,
                etags: result.etags,
                requests: result.requests,
                durationMilliseconds: Int(Date().timeIntervalSince(started) * 1000),
                fetchedOnce: result.fetchedOnce
            )
            try await self.recorder.record(item, completion, events: result.events)
            if let sent = sendToken, result.events.contains(where: isExpiredTokenAnswer) {
                // ESI's clock says the token expired before ours did; get a new one next time.
                try await self.tokens.discard(item.characterID, token: sent)
            }
            summary.count(result.outcome)
            summary.requests = result.requests
            summary.requests += await self.resolvePublicData(result, token: token, characterID: item.characterID)
        } catch is LeaseLost {
            self.logger.warning(
                "lost a section's lease to another worker; its results were not recorded",
                metadata: item.metadata
            )
            summary = PassSummary()
            summary.leaseLost = 1
        } catch {
            self.logger.error(
                "a section failed",
                metadata: item.metadata.merging(["error": "\(error)"]) { $1 }
            )
            summary.failed = 1
        }
        return summary
    }

    /// Names, locations and static data the section referred to; a failure here is logged and retried by a later sync.
    private func resolvePublicData(_ result: SectionResult, token: AccessToken, characterID: Int64) async -> Int {
        do {
            var requests = try await self.publicData.resolveNames(result.entityIDs)
            let structureToken = token.scopes.contains("esi-universe.read_structures.v1") ? token.token : nil
            requests += try await self.publicData.resolveLocations(
                result.locationIDs,
                token: structureToken,
                characterID: characterID
            )
            requests += try await self.publicData.resolveUniverse(result.universeIDs)
            return requests
        } catch {
            self.logger.warning(
                "names and locations not resolved; a later sync retries",
                metadata: ["character": "\(characterID)", "error": "\(error)"]
            )
            return 0
        }
    }

    private func finish(_ item: WorkItem, outcome: SectionOutcome, error: String, due: Date, started: Date) async throws
    {
        try await self.recorder.record(
            item,
            Completion(
                outcome: outcome,
                error: error,
                nextDue: due,
                changed: false,
                etags: item.etags,
                requests: 0,
                durationMilliseconds: Int(Date().timeIntervalSince(started) * 1000)
            ),
            events: []
        )
    }
}

/// ESI's answer to a token it thinks expired: 403 "token is expired" (or a 401).
func isExpiredTokenAnswer(_ event: NewEvent) -> Bool {
    guard event.outcome == .failed else { return false }
    return event.httpStatus == 401 || (event.httpStatus == 403 && event.error?.contains("expired") == true)
}

/// Seconds before a failed section is tried again: 1, 2, 4 ... minutes up to an hour, ±25 %.
func backoff(failures: Int) -> TimeInterval {
    let minutes = min(pow(2, Double(max(0, failures - 1))), 60)
    return minutes * 60 * Double.random(in: 0.75...1.25)
}

extension PassSummary {
    public mutating func add(_ other: PassSummary) {
        self.fetched += other.fetched
        self.notModified += other.notModified
        self.failed += other.failed
        self.skipped += other.skipped
        self.leaseLost += other.leaseLost
        self.rescued += other.rescued
        self.requests += other.requests
    }
}

extension WorkItem {
    /// The character and section, as log metadata.
    var metadata: Logger.Metadata { ["character": "\(self.characterID)", "section": "\(self.section.rawValue)"] }
}
