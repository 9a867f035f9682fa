import Foundation

/// Where the sync engine and the SSO client read the time: the system clock, or (for demos and
/// tests against the simulator) a clock that starts at a chosen moment and runs on at real speed.
///
/// It governs the times that must agree with the SSO's and ESI's clocks: when a fetch happened
/// (the event's `fetched_at`), when an access token expires, the JWT's `exp`. Durations, leases,
/// the work queue's schedule and ESI's rate windows stay on the system clock: they are about this
/// machine's processes, not about the data.
public struct TimeSource: Sendable, Equatable {
    /// Seconds added to the system clock.
    public let offset: TimeInterval

    public static let system = TimeSource(offset: 0)

    /// A clock that reads `start` now and runs on from there.
    public static func starting(at start: Date) -> TimeSource {
        TimeSource(offset: start.timeIntervalSinceNow)
    }

    private init(offset: TimeInterval) { self.offset = offset }

    public func now() -> Date { Date().addingTimeInterval(self.offset) }
}
