import ArgumentParser
import ESI
import Foundation
import Migrations
import Postgres
import Sync
import Universe

/// Resolving ids the loaded static data lacks through ESI: a database whose SDE misses N
/// published types (deleted after loading), then every one asked of a running simulator, with its
/// group and category, each answer an event. Measures wall time, requests per second and this
/// process's CPU per id.
struct UniverseBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "universe",
        abstract: "Resolve N type ids unknown to the loaded static data through ESI (the simulator)."
    )

    @Option(help: "The simulator's base URL.") var simulator: String
    @Option(help: "How many unknown type ids.") var ids = 10_000

    func run() async throws {
        let pool = PostgresPool(conninfo: "", maxConnections: 32)
        try await pool.withConnection { connection in
            _ = try Migrator().migrate(connection)
            try UniverseLoader.ensureShippedLoaded(on: connection)
        }
        // The newest published types, as if the database held an older build that lacks them.
        let wanted: [Int64] = try await pool.withConnection { connection in
            let ids = try connection.query(
                "SELECT id FROM sde.types WHERE published ORDER BY id DESC LIMIT $1",
                [Int64(self.ids)]
            ).map { try $0.get(0, as: Int64.self) }
            try connection.execute("DELETE FROM sde.types WHERE id = ANY($1)", [ids])
            try connection.execute("DELETE FROM sync.universe_ids")
            return ids
        }
        var settings = SyncSettings(
            sso: SSOConfiguration(baseURL: self.simulator, clientID: "memberaudit-demo", clientSecret: "x")
        )
        settings.esi = ESIConfiguration(baseURL: self.simulator)
        let lookup = UniverseLookup(pool: pool, settings: settings)
        print(machineDescription())
        let cpu = processCPUSeconds()
        var requests = 0
        let seconds = try await measureAsync { requests = try await lookup.resolve(typeIDs: wanted) }
        let used = processCPUSeconds() - cpu
        let (events, resolved): (Int64, Int64) = try await pool.withConnection { connection in
            (
                try connection.query("SELECT count(*) FROM eventlog.events WHERE stream = 'public:universe'")[0].get(0),
                try connection.query("SELECT count(*) FROM sync.universe_ids WHERE state = 'resolved'")[0].get(0)
            )
        }
        print(
            String(
                format: "%d unknown type ids: %d requests, %lld events, %lld ids resolved in %.1f s (%.0f requests/s); "
                    + "%.2f CPU-s here (%.0f µs per id)",
                wanted.count,
                requests,
                events,
                resolved,
                seconds,
                Double(requests) / seconds,
                used,
                used / Double(wanted.count) * 1_000_000
            )
        )
        // Asking again asks nothing: every id is resolved or remembered.
        let again = try await lookup.resolve(typeIDs: wanted)
        print("asked again: \(again) requests")
    }
}
