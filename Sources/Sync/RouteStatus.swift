import ESI
import Foundation

/// ESI's `/meta/status`: which routes are Down, read at most once a minute. Sections that need a
/// Down route are skipped instead of burning errors on it.
final class RouteStatus: Sendable {
    private let reading: PeriodicReading<Set<String>>

    init(esi: ESIClient) {
        self.reading = PeriodicReading(interval: 60) {
            guard let fetch = try? await esi.fetch(ESIRequest(path: "/meta/status", group: "meta")),
                fetch.kind == .fetched, let object = fetch.json?.value as? [String: Any],
                let routes = object["routes"] as? [[String: Any]]
            else { return nil }
            return Set(routes.filter { $0["status"] as? String == "Down" }.compactMap { $0["path"] as? String })
        }
    }

    /// The Down route templates. Callers that come while the status is being read wait for it, so
    /// the first sections of a pass do not run before it is known. An unreadable status keeps what
    /// was known and is read again on the next call.
    func downRoutes() async -> Set<String> { await self.reading.current() ?? [] }
}
