import ESI
import Foundation
import Observability
import Postgres
import Synchronization

/// ESI's error limit and rate-limit buckets as this process sees them, merged every second with
/// what the other workers saw (table `sync.esi_limits`), so that all workers keep one budget.
///
/// - Error limit: requests wait while fewer than `threshold` errors are left in ESI's window, until
///   the window resets; every error answer lowers the count at once, before ESI's next header says.
/// - 420 pauses everything until the window resets; 429 pauses its bucket for `Retry-After`.
/// - A bucket with few tokens left pauses for a while before it runs dry.
final class SharedBudget: ESIBudget {
    let threshold: Int
    private let state = Mutex(State())

    struct State {
        var errorsRemaining: Int?
        var errorsResetAt: Date?
        /// Scope ("errors", or "rate:<group>:<character>") → paused until.
        var pauses: [String: Date] = [:]
        var errorsObservedAt = Date.distantPast
        var changed: Set<String> = []
    }

    /// Tokens kept in reserve in a rate-limit bucket (a 4xx costs 5).
    static let bucketReserve = 10

    init(threshold: Int) { self.threshold = threshold }

    func admit(group: String?, characterID: Int64?) async throws {
        let scope = group.map { "rate:\($0):\(characterID ?? 0)" }
        while true {
            let wait: TimeInterval = self.state.withLock { state in
                let now = Date()
                var until = state.pauses["errors"] ?? .distantPast
                if let remaining = state.errorsRemaining, remaining <= self.threshold,
                    let reset = state.errorsResetAt
                {
                    if reset > now {
                        until = max(until, reset)
                    } else {
                        // A new window: ESI's next answer will say how many errors are left.
                        state.errorsRemaining = nil
                    }
                }
                if let scope, let paused = state.pauses[scope] { until = max(until, paused) }
                return until.timeIntervalSince(now)
            }
            if wait <= 0 { return }
            try await Task.sleep(for: .seconds(min(wait, 1)))
        }
    }

    func observe(status: Int?, headers: ESIHeaders, group: String?, characterID: Int64?) {
        Measure.esiAnswered(status: status)
        if let remaining = headers.errorLimitRemain { Measure.esiErrorLimit(remaining: remaining) }
        if status == 420 { Measure.esiPaused(reason: "error_limit") }
        if group != nil, status == 429 { Measure.esiPaused(reason: "rate_limit") }
        self.state.withLock { state in
            let now = Date()
            if let remaining = headers.errorLimitRemain {
                state.errorsRemaining = remaining
                state.errorsResetAt = now.addingTimeInterval(TimeInterval(headers.errorLimitReset ?? 60))
                state.errorsObservedAt = now
                state.changed.insert("errors")
            } else if status == nil || status! >= 400, let remaining = state.errorsRemaining {
                // Errors on routes without the headers count too.
                state.errorsRemaining = remaining - 1
                state.errorsObservedAt = now
                state.changed.insert("errors")
            }
            if status == 420 {
                let reset = TimeInterval(headers.errorLimitReset ?? headers.retryAfter ?? 60)
                state.pauses["errors"] = now.addingTimeInterval(reset)
                state.changed.insert("errors")
            }
            guard let group else { return }
            let scope = "rate:\(group):\(characterID ?? 0)"
            if status == 429 {
                state.pauses[scope] = now.addingTimeInterval(TimeInterval(headers.retryAfter ?? 60))
                state.changed.insert(scope)
            } else if let remaining = headers.rateLimitRemaining, remaining < Self.bucketReserve {
                // Tokens come back one window after they were spent; probe again in a minute.
                Measure.esiPaused(reason: "bucket_low")
                state.pauses[scope] = now.addingTimeInterval(60)
                state.changed.insert(scope)
            }
        }
    }

    /// Errors left as last seen, and how many scopes are paused now (tests and statistics).
    var snapshot: (errorsRemaining: Int?, pausedScopes: Int) {
        self.state.withLock { state in
            (state.errorsRemaining, state.pauses.values.filter { $0 > Date() }.count)
        }
    }

    /// Publishes what changed here and merges what other workers published.
    func exchange(with pool: PostgresPool) async throws {
        let (changed, errors, pauses) = self.state.withLock { state in
            defer { state.changed = [] }
            return (
                state.changed, (state.errorsRemaining, state.errorsResetAt, state.errorsObservedAt),
                state.pauses
            )
        }
        let rows: [(String, Int?, Date?, Date)] = changed.map { scope in
            if scope == "errors" {
                let paused = [pauses["errors"], (errors.0 ?? Int.max) <= self.threshold ? errors.1 : nil]
                    .compactMap { $0 }.max()
                return (scope, errors.0, paused, errors.2)
            }
            return (scope, nil, pauses[scope], Date())
        }
        let merged: [(String, Int32?, Date?, Date)]
        do {
            merged = try await self.publish(rows, to: pool)
        } catch {
            // Not written (a cancelled housekeeping round, a lost connection): publish next time.
            self.state.withLock { $0.changed.formUnion(changed) }
            throw error
        }
        self.merge(merged)
    }

    private func publish(
        _ rows: [(String, Int?, Date?, Date)],
        to pool: PostgresPool
    ) async throws -> [(
        String, Int32?, Date?, Date
    )] {
        try await pool.withConnection { connection in
            if !rows.isEmpty {
                try connection.execute(
                    """
                    INSERT INTO sync.esi_limits (scope, remaining, paused_until, observed_at)
                    SELECT * FROM unnest($1::text[], $2::int4[], $3::timestamptz[], $4::timestamptz[])
                    ON CONFLICT (scope) DO UPDATE SET
                        remaining = CASE WHEN EXCLUDED.observed_at >= esi_limits.observed_at
                            THEN EXCLUDED.remaining ELSE esi_limits.remaining END,
                        paused_until = greatest(esi_limits.paused_until, EXCLUDED.paused_until),
                        observed_at = greatest(esi_limits.observed_at, EXCLUDED.observed_at)
                    """,
                    [rows.map(\.0), rows.map { $0.1.map(Int32.init) }, rows.map(\.2), rows.map(\.3)]
                )
            }
            return try connection.query(
                """
                SELECT scope, remaining, paused_until, observed_at FROM sync.esi_limits
                WHERE paused_until > now() OR (scope = 'errors' AND observed_at > now() - interval '60 seconds')
                """
            ).map { row in
                (
                    try row.get(0, as: String.self), try row.get(1, as: Int32?.self), try row.get(2, as: Date?.self),
                    try row.get(3, as: Date.self)
                )
            }
        }
    }

    private func merge(_ merged: [(String, Int32?, Date?, Date)]) {
        self.state.withLock { state in
            for (scope, remaining, paused, observed) in merged {
                if let paused { state.pauses[scope] = max(state.pauses[scope] ?? .distantPast, paused) }
                if scope == "errors", observed > state.errorsObservedAt, let remaining {
                    state.errorsRemaining = Int(remaining)
                    state.errorsObservedAt = observed
                    if let paused, paused > Date() { state.errorsResetAt = paused }
                }
            }
        }
    }
}
