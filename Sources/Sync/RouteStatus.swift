import ESI
import Foundation
import Synchronization

/// ESI's `/meta/status`: which routes are Down, read at most once a minute. Sections that need a
/// Down route are skipped instead of burning errors on it.
final class RouteStatus: Sendable {
    let esi: ESIClient
    private let state = Mutex<(down: Set<String>, checkedAt: Date, reading: Task<Set<String>?, Never>?)>(
        ([], .distantPast, nil)
    )

    init(esi: ESIClient) { self.esi = esi }

    /// The Down route templates. Callers that come while the status is being read wait for it, so
    /// the first sections of a pass do not run before it is known. An unreadable status keeps what
    /// was known and is read again on the next call.
    func downRoutes() async -> Set<String> {
        let task = self.state.withLock { state -> Task<Set<String>?, Never>? in
            if let reading = state.reading { return reading }
            guard Date().timeIntervalSince(state.checkedAt) > 60 else { return nil }
            let reading = Task { await self.read() }
            state.reading = reading
            return reading
        }
        guard let task else { return self.state.withLock { $0.down } }
        let read = await task.value
        return self.state.withLock { state in
            if state.reading == task {
                state.reading = nil
                if let read {
                    state.down = read
                    state.checkedAt = Date()
                }
            }
            return read ?? state.down
        }
    }

    private func read() async -> Set<String>? {
        guard let fetch = try? await self.esi.fetch(ESIRequest(path: "/meta/status", group: "meta")),
            fetch.kind == .fetched, let object = fetch.json?.value as? [String: Any],
            let routes = object["routes"] as? [[String: Any]]
        else { return nil }
        return Set(routes.filter { $0["status"] as? String == "Down" }.compactMap { $0["path"] as? String })
    }
}
