import Foundation
import Synchronization

/// ESI's legacy error limit: at most `limit` error responses (4xx and 5xx) per fixed window; once
/// spent, every route answers 420 until the window ends. Wall-clock time, as ESI's.
final class ErrorLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    private let state: Mutex<(windowStart: Date, errors: Int)>

    init(limit: Int = 100, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
        self.state = Mutex((Date(), 0))
    }

    /// Errors left and seconds until the window resets, at `now`.
    func status(now: Date = Date()) -> (remain: Int, reset: Int) {
        self.state.withLock { state in
            self.roll(&state, now: now)
            return (
                max(0, self.limit - state.errors),
                Int((state.windowStart.addingTimeInterval(self.window).timeIntervalSince(now)).rounded(.up))
            )
        }
    }

    var isExhausted: Bool { self.status().remain == 0 }

    func recordError(now: Date = Date()) {
        self.state.withLock { state in
            self.roll(&state, now: now)
            state.errors += 1
        }
    }

    /// Sets the errors left in the current window (fault injection: "about to run out").
    func setRemaining(_ remain: Int, now: Date = Date()) {
        self.state.withLock { state in
            self.roll(&state, now: now)
            state.errors = max(0, self.limit - remain)
        }
    }

    private func roll(_ state: inout (windowStart: Date, errors: Int), now: Date) {
        if now.timeIntervalSince(state.windowStart) >= self.window { state = (now, 0) }
    }
}

/// ESI's floating-window rate limit: a token bucket per (group, character or client). A response
/// costs 2 tokens (2xx), 1 (3xx), 5 (4xx, except 429) or 0 (5xx); tokens return one window after
/// they were spent.
final class RateLimiter: Sendable {
    private let spent = Mutex<[String: [(at: Date, tokens: Int)]]>([:])

    static func cost(ofStatus status: Int) -> Int {
        switch status {
        case 200..<300: return 2
        case 300..<400: return 1
        case 429: return 0
        case 400..<500: return 5
        default: return 0
        }
    }

    /// Tokens left in `bucket`, and when the next spent tokens return.
    func remaining(bucket: String, limit: RouteSpec.RateLimit, now: Date = Date()) -> (tokens: Int, retryAfter: Int) {
        self.spent.withLock { spent in
            var entries = spent[bucket] ?? []
            entries.removeAll { now.timeIntervalSince($0.at) >= limit.window }
            spent[bucket] = entries
            let used = entries.reduce(0) { $0 + $1.tokens }
            let retry =
                entries.first.map { Int(($0.at.addingTimeInterval(limit.window).timeIntervalSince(now)).rounded(.up)) }
                ?? 0
            return (limit.maxTokens - used, max(1, retry))
        }
    }

    func spend(bucket: String, tokens: Int, now: Date = Date()) {
        guard tokens > 0 else { return }
        self.spent.withLock { $0[bucket, default: []].append((now, tokens)) }
    }
}
