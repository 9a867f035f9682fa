import ESI
import Foundation
import Synchronization

/// ESI's `/meta/status`: which routes are Down, read at most once a minute. Sections that need a
/// Down route are skipped instead of burning errors on it.
final class RouteStatus: Sendable {
    let esi: ESIClient
    private let state = Mutex<(down: Set<String>, checkedAt: Date)>(([], .distantPast))

    init(esi: ESIClient) { self.esi = esi }

    /// The Down route templates, refreshed when older than a minute. An unreadable status means
    /// "nothing known to be Down".
    func downRoutes() async -> Set<String> {
        let (down, checkedAt) = self.state.withLock { ($0.down, $0.checkedAt) }
        guard Date().timeIntervalSince(checkedAt) > 60 else { return down }
        self.state.withLock { $0.checkedAt = Date() }
        guard let fetch = try? await self.esi.fetch(ESIRequest(path: "/meta/status", group: "meta")),
            fetch.kind == .fetched, let object = fetch.json?.value as? [String: Any],
            let routes = object["routes"] as? [[String: Any]]
        else { return down }
        let now = Set(routes.filter { $0["status"] as? String == "Down" }.compactMap { $0["path"] as? String })
        self.state.withLock { $0.down = now }
        return now
    }
}
