import ESI
import Foundation

/// Tranquility's state from ESI's `/status`: the launcher shows how many players are online, as
/// aa-memberaudit's dashboard does.
public struct ServerStatus: Sendable, Equatable {
    public var players: Int
    public var serverVersion: String?
    /// Only CCP and the like may log in (ESI's `vip`).
    public var vip: Bool

    /// The status from `/status`'s JSON; nil for anything that is not an object with a count of
    /// players from 0 to 10 million (a CDN's error page, a broken body, a number out of range).
    public init?(json: Any?) {
        guard let object = json as? [String: Any], let number = object["players"] as? NSNumber,
            let players = Int(exactly: number.doubleValue), (0...10_000_000).contains(players)
        else { return nil }
        self.players = players
        self.serverVersion = (object["server_version"] as? String).map { String($0.prefix(64)) }
        self.vip = object["vip"] as? Bool ?? false
    }
}

/// `/status`, read at most once a minute and never waited for by a page: what a page shows is
/// the last answer, or nothing when ESI has not answered yet.
public final class ServerStatusWatch: Sendable {
    private let reading: PeriodicReading<ServerStatus>

    public init(settings: SyncSettings) {
        var configuration = settings.esi
        // A page must not wait on it; a slow answer is skipped and asked again a minute later.
        configuration.timeout = 5
        configuration.retries = 0
        let esi = ESIClient(http: HTTPClient(userAgent: settings.userAgent), configuration: configuration)
        self.reading = PeriodicReading(interval: 60) {
            guard let fetch = try? await esi.fetch(ESIRequest(path: "/status")), fetch.kind == .fetched else {
                return nil
            }
            return ServerStatus(json: fetch.json?.value)
        }
    }

    /// The last status read; starts a read in the background when the last is a minute old.
    public func known() -> ServerStatus? { self.reading.known() }

    /// The status, read now when the last is a minute old.
    public func current() async -> ServerStatus? { await self.reading.current() }
}
