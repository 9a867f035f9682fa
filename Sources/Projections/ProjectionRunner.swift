import Foundation
import Postgres
import Synchronization

/// Keeps the read models current: applies new events to every installed projector, in batches,
/// each batch and its checkpoints in one transaction.
///
/// Several processes may run one (every worker does): a transaction-level advisory lock lets one
/// apply a batch at a time, and the others find nothing left to do.
public final class ProjectionRunner: Sendable {
    public let pool: PostgresPool
    public let batchSize: Int
    private let stopping = Atomic<Bool>(false)

    /// The advisory lock key of projection batches and of the rebuild's swap.
    static let lockKey: Int64 = 0x6D61_5F70_726F_6A  // "ma_proj"

    public init(pool: PostgresPool, batchSize: Int = 2000) {
        self.pool = pool
        self.batchSize = batchSize
    }

    public func stop() { self.stopping.store(true, ordering: .relaxed) }

    /// Applies everything committed so far. Returns the events read (0 when another process
    /// holds the projection lock: it is doing the work).
    @discardableResult
    public func catchUp(progress: @Sendable (Int64) -> Void = { _ in }) async throws -> Int {
        var total = 0
        while !self.stopping.load(ordering: .relaxed) {
            let batchSize = self.batchSize
            let step = try await self.pool.withConnection { connection -> (read: Int, position: Int64)? in
                try connection.transaction { connection in
                    try Self.applyNextBatch(limit: batchSize, on: connection)
                }
            }
            guard let step, step.read > 0 else { break }
            total += step.read
            progress(step.position)
        }
        return total
    }

    /// One batch: events after the lowest checkpoint, applied to each projector above its own.
    /// nil when another process holds the lock.
    static func applyNextBatch(limit: Int, on connection: PostgresConnection) throws -> (read: Int, position: Int64)? {
        guard try connection.query("SELECT pg_try_advisory_xact_lock($1)", [lockKey])[0].get(0, as: Bool.self) else {
            return nil
        }
        try CharacterRemoval.applyPendingResets(on: connection)
        let installed = try InstalledProjector.load(connection, forUpdate: true)
        let active = Catalog.projectors.compactMap { projector -> (projector: Projector, checkpoint: Int64)? in
            guard let row = installed[projector.name], row.isCurrent(for: projector) else { return nil }
            return (projector, row.position)
        }
        guard let from = active.map(\.checkpoint).min() else { return (0, 0) }
        let (events, scanned, scannedCount) = try EventSource.events(after: from, limit: limit, on: connection)
        guard let last = scanned else { return (0, from) }
        try Applier.apply(events, to: active, schema: ProjectionSchema.live, on: connection)
        let derived = Catalog.derived.filter { installed[$0.name]?.isCurrent(name: $0.name) == true }
        for model in derived {
            try model.refresh(after: events, active: active, schema: ProjectionSchema.live, on: connection)
        }
        // A derived model is as current as the batch that refreshed it.
        try connection.execute(
            "UPDATE projection.projectors SET position = $2, updated_at = now() WHERE name = ANY($1) AND position < $2",
            [active.map(\.projector.name) + derived.map(\.name), last]
        )
        return (scannedCount, last)
    }

    /// Projects until ``stop()`` or cancellation: after each catch-up, waits for the log's append
    /// notification (a hint, debounced) or at most `pollInterval` seconds (the guarantee).
    public func run(
        pollInterval: Double = 1,
        onError: @Sendable (any Error) -> Void = { _ in }
    ) async throws {
        let listener = PostgresPool(conninfo: self.pool.conninfo, maxConnections: 1)
        defer { listener.close() }
        var listening = false
        while !self.stopping.load(ordering: .relaxed), !Task.isCancelled {
            do {
                if !listening {
                    try await listener.withConnection { try $0.executeScript("LISTEN memberaudit_events") }
                    listening = true
                }
                try await self.catchUp()
                let notified = try await listener.withConnection { try $0.waitForNotification(timeout: pollInterval) }
                // Debounce: appends come in bursts; one catch-up serves them all.
                if notified { try await Task.sleep(for: .milliseconds(20)) }
            } catch is CancellationError {
                return
            } catch {
                // A database outage: report, wait, listen again on a fresh connection.
                onError(error)
                listening = false
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }
}
