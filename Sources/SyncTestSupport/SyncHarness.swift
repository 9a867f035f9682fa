import ESI
import ESISimulator
import EventLog
import Foundation
import Hummingbird
import Logging
import Postgres
import Sync
import TestSupport
import TokenVault

/// A migrated test database, a simulator on a loopback port, and a token key: what a sync needs.
package struct SyncHarness: Sendable {
    package let simulator: Simulator
    package let base: String
    package let pool: PostgresPool
    package let conninfo: String
    package let key: String
    package let cipher: TokenCipher

    package var settings: SyncSettings {
        var settings = SyncSettings(
            sso: SSOConfiguration(
                baseURL: self.base,
                clientID: "memberaudit-demo",
                clientSecret: "memberaudit-demo-secret"
            )
        )
        settings.esi = ESIConfiguration(baseURL: self.base)
        settings.esi.backoff = 0.05
        settings.esi.timeout = 10
        settings.concurrency = 32
        return settings
    }

    package func engine(_ adjust: (inout SyncSettings) -> Void = { _ in }) -> SyncEngine {
        var settings = self.settings
        adjust(&settings)
        return SyncEngine(pool: self.pool, settings: settings, cipher: self.cipher)
    }

    package var registry: Registry { Registry(pool: self.pool, cipher: self.cipher) }

    package var characterIDs: [Int64] { self.simulator.world.characterIDs.map(Int64.init) }

    /// Registers characters through the SSO, as `memberaudit characters add` does.
    @discardableResult
    package func register(_ ids: [Int64]? = nil, scopes: [String]? = nil) async throws -> [RegisteredCharacter] {
        let sso = SSOClient(http: HTTPClient(userAgent: "memberaudit-tests"), configuration: self.settings.sso)
        var registered = [RegisteredCharacter]()
        for id in ids ?? self.characterIDs {
            guard
                let token = self.simulator.issueRefreshToken(
                    characterID: Int(id),
                    scopes: scopes ?? self.simulator.allScopes
                )
            else { throw TestSetupError("the simulator has no character \(id)") }
            registered.append(
                try await self.registry.register(
                    refreshToken: token,
                    user: nil,
                    sso: sso,
                    sections: self.settings.sections
                )
            )
        }
        return registered
    }

    /// Moves simulated time on by `seconds`, as if that much real time passed: the cached access
    /// tokens, which that much time would expire, are forgotten (the next sync refreshes them).
    package func advanceTime(by seconds: TimeInterval) async throws {
        self.simulator.clock.advance(by: seconds)
        try await self.pool.withConnection { try Registry.forgetAccessTokens(on: $0) }
    }

    package func events() async throws -> [RecordedEvent] {
        try await EventStore(pool: self.pool).read(after: 0, limit: 1_000_000)
    }

    /// Runs one SQL query and decodes its first column.
    package func column<T: PostgresDecodable & Sendable>(
        _ sql: String,
        _ parameters: [any PostgresEncodable & Sendable] = [],
        as: T.Type = T.self
    ) async throws -> [T] {
        try await self.pool.withConnection { connection in
            try connection.query(sql, parameters).map { try $0.get(0, as: T.self) }
        }
    }
}

/// Runs `body` with a harness; the simulator's clock is manual and starts at `origin` (now: its
/// tokens are valid by the test machine's clock), its tokens issued by `issuer`.
package func withSyncHarness(
    characters: Int = 3,
    faults: Faults = Faults(),
    issuer: String = "https://login.eveonline.com",
    origin: Date = Date(),
    rateLimitScale: Double = 1,
    history: WorldHistory.Depth = .brief,
    _ body: @Sendable (SyncHarness) async throws -> Void
) async throws {
    var configuration = SimulatorConfiguration()
    // A brief past: the harness's tests sync many characters and test mechanics, not volume.
    configuration.history = history
    configuration.characters = characters
    configuration.faults = faults
    configuration.clock = .manual
    configuration.origin = origin
    configuration.issuer = issuer
    configuration.rateLimitScale = rateLimitScale
    let simulator = Simulator(configuration)
    let key = TokenCipher.generateKey()
    try await SimulatorServer.withRunning(simulator) { base in
        try await TestDatabase.with(maxConnections: 12) { pool, conninfo in
            let harness = SyncHarness(
                simulator: simulator,
                base: base,
                pool: pool,
                conninfo: conninfo,
                key: key,
                cipher: try TokenCipher(key: Array(Data(base64Encoded: key)!))
            )
            try await body(harness)
        }
    }
}
