import ESI
import EventLog
import Postgres

/// Asks ESI about static data on a person's behalf (a fitting's item names the loaded SDE does
/// not know), outside a sync: each answer is an event of the public stream `universe`, projected
/// like those of a sync. Needs no token: the `/universe/*` routes are public.
public struct UniverseLookup: Sendable {
    private let publicData: PublicData

    public init(pool: PostgresPool, settings: SyncSettings) {
        let http = HTTPClient(userAgent: settings.userAgent, maxConnectionsPerHost: 8)
        let esi = ESIClient(
            http: http,
            configuration: settings.esi,
            budget: SharedBudget(threshold: settings.errorLimitThreshold)
        )
        self.publicData = PublicData(
            esi: esi,
            pool: pool,
            store: EventStore(pool: pool),
            locationStaleHours: settings.locationStaleHours,
            clock: settings.clock
        )
    }

    /// Asks ESI for each of these type ids the static data and earlier answers lack, and for their
    /// groups and categories; returns the requests it took.
    public func resolve(typeIDs: [Int64]) async throws -> Int {
        try await self.publicData.resolveUniverse([.type: Set(typeIDs)])
    }

    /// The type ids ESI knows for these names (by lower-cased name), each type fetched into the log.
    public func resolveTypes(named names: [String]) async throws -> [String: Int64] {
        try await self.publicData.resolveTypes(named: names)
    }
}
