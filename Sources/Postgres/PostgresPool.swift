import Dispatch
import Synchronization

/// A small pool of connections to one PostgreSQL server, and the only way async code reaches one.
///
/// Each connection has its own serial dispatch queue; a body passed to ``withConnection(_:)`` runs
/// there, so libpq's blocking calls never occupy Swift's cooperative threads (two on this
/// machine). Cancelling the calling task cancels the statement running on the server.
public final class PostgresPool: Sendable {
    /// The libpq connection string or URI the pool connects with (empty: the `PG*` variables).
    public let conninfo: String
    /// The most connections the pool opens at once.
    public let maxConnections: Int

    private let state = Mutex(State())

    private struct State: ~Copyable {
        var idle: [Slot] = []
        var open = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Slot?, any Error>)] = []
        var nextWaiterID = 0
        var closed = false
    }

    public init(conninfo: String, maxConnections: Int = 4) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.conninfo = conninfo
        self.maxConnections = maxConnections
    }

    /// Runs `body` with a connection of the pool, on that connection's queue.
    ///
    /// A connection found broken afterwards is closed instead of returned to the pool.
    @discardableResult
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let slot = try await self.acquire()
        defer { self.release(slot) }
        let token = CancelToken()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                slot.queue.async {
                    let canceller = slot.connection.canceller
                    continuation.resume(
                        with: Result {
                            try canceller.begin(token)
                            defer { canceller.end(token) }
                            return try body(slot.connection)
                        }
                    )
                }
            }
        } onCancel: {
            token.cancel()
        }
    }

    /// Runs `body` in a transaction on a connection of the pool.
    @discardableResult
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await self.withConnection { connection in try connection.transaction(body) }
    }

    /// Closes idle connections and refuses new work; connections in use close when released.
    public func close() {
        let (idle, waiters) = self.state.withLock { state in
            state.closed = true
            let idle = state.idle
            let waiters = state.waiters
            state.idle = []
            state.open -= idle.count
            state.waiters = []
            return (idle, waiters)
        }
        _ = idle  // released here; each connection closes in its deinit
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(.poolClosed, "the connection pool is closed"))
        }
    }

    // MARK: - Acquire and release

    private enum Acquisition {
        case ready(Slot)
        case connect
        case wait
        case closed
    }

    private func acquire() async throws -> Slot {
        try Task.checkCancellation()
        let decision = self.state.withLock { state -> Acquisition in
            if state.closed { return .closed }
            if let slot = state.idle.popLast() { return .ready(slot) }
            if state.open < self.maxConnections {
                state.open += 1
                return .connect
            }
            return .wait
        }
        switch decision {
        case .ready(let slot): return slot
        case .closed: throw PostgresError(.poolClosed, "the connection pool is closed")
        case .connect:
            return try await self.connectCounted()
        case .wait:
            if let slot = try await self.waitForSlot() { return slot }
            // Woken to open a connection in place of one that was closed.
            return try await self.connectCounted()
        }
    }

    /// Opens a connection already counted in `open`; uncounts it and passes the turn on if that fails.
    private func connectCounted() async throws -> Slot {
        do {
            return try await self.connect()
        } catch {
            self.state.withLock { $0.open -= 1 }
            self.wakeWaiterToConnect()
            throw error
        }
    }

    private func waitForSlot() async throws -> Slot? {
        let id = self.state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let registered = self.state.withLock { state -> Bool in
                    if Task.isCancelled || state.closed { return false }
                    state.waiters.append((id, continuation))
                    return true
                }
                if !registered {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func connect() async throws -> Slot {
        let queue = DispatchQueue(label: "memberaudit.postgres.connection")
        let conninfo = self.conninfo
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        let connection = try PostgresConnection(conninfo: conninfo)
                        // JIT compiles a query when its estimated cost is high, which a page's
                        // query with per-row subplans reaches on small tables whose statistics
                        // are not gathered yet: 100 ms of compiling for a query that runs in
                        // 0.1 ms (seen on the finder). Our queries are short; JIT does not pay.
                        try connection.executeScript("SET jit = off")
                        return Slot(connection, queue)
                    }
                )
            }
        }
    }

    private func release(_ slot: Slot) {
        let healthy = slot.connection.isHealthy && !slot.connection.isInTransaction
        let handOff = self.state.withLock { state -> CheckedContinuation<Slot?, any Error>? in
            if !healthy || state.closed {
                state.open -= 1
                guard !state.closed, !state.waiters.isEmpty else { return nil }
                // A waiter may open a connection in place of the broken one.
                state.open += 1
                state.waiters.removeFirst().continuation.resume(returning: nil)
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.idle.append(slot)
            return nil
        }
        handOff?.resume(returning: slot)
    }

    private func wakeWaiterToConnect() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Slot?, any Error>? in
            guard !state.closed, !state.waiters.isEmpty, state.open < self.maxConnections else { return nil }
            state.open += 1
            return state.waiters.removeFirst().continuation
        }
        waiter?.resume(returning: nil)
    }
}

/// A connection and the serial queue its calls run on.
// The connection is only ever touched on `queue`, by one body at a time: that is the invariant
// that makes this box safe to pass between tasks.
final class Slot: @unchecked Sendable {
    let connection: PostgresConnection
    let queue: DispatchQueue

    init(_ connection: PostgresConnection, _ queue: DispatchQueue) {
        self.connection = connection
        self.queue = queue
    }
}
