import Foundation
import Synchronization

/// A value read from ESI at most once in `interval`: callers that come while it is being read
/// share the one read, and a read that fails keeps what was known (and is tried again on the next
/// call).
final class PeriodicReading<Value: Sendable>: Sendable {
    private let interval: TimeInterval
    private let read: @Sendable () async -> Value?
    private let state = Mutex<(value: Value?, readAt: Date, reading: Task<Value?, Never>?)>((nil, .distantPast, nil))

    init(interval: TimeInterval, read: @escaping @Sendable () async -> Value?) {
        self.interval = interval
        self.read = read
    }

    /// The value, read first when it is due (waiting for a read under way).
    func current() async -> Value? {
        guard let task = self.startIfDue() else { return self.state.withLock { $0.value } }
        return self.finish(task, with: await task.value)
    }

    /// What is known now, without waiting: a read that is due starts in the background.
    func known() -> Value? {
        if let task = self.startIfDue() {
            Task { self.finish(task, with: await task.value) }
        }
        return self.state.withLock { $0.value }
    }

    private func startIfDue() -> Task<Value?, Never>? {
        self.state.withLock { state in
            if let reading = state.reading { return reading }
            guard Date().timeIntervalSince(state.readAt) > self.interval else { return nil }
            let read = self.read
            let reading = Task { await read() }
            state.reading = reading
            return reading
        }
    }

    private func finish(_ task: Task<Value?, Never>, with read: Value?) -> Value? {
        self.state.withLock { state in
            if state.reading == task {
                state.reading = nil
                if let read {
                    state.value = read
                    state.readAt = Date()
                }
            }
            return read ?? state.value
        }
    }
}
