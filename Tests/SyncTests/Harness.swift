import ESI
import ESISimulator
import EventLog
import Foundation
import Hummingbird
import Logging
import Postgres
import Sync
import TestSupport
import Testing
import TokenVault

/// A migrated test database, a simulator on a loopback port, and a token key: what a sync needs.
struct SyncHarness: Sendable {
    let simulator: Simulator
    let base: String
    let pool: PostgresPool
    let conninfo: String
    let key: String
    let cipher: TokenCipher

    var settings: SyncSettings {
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

    func engine(_ adjust: (inout SyncSettings) -> Void = { _ in }) -> SyncEngine {
        var settings = self.settings
        adjust(&settings)
        return SyncEngine(pool: self.pool, settings: settings, cipher: self.cipher)
    }

    var registry: Registry { Registry(pool: self.pool, cipher: self.cipher) }

    var characterIDs: [Int64] { self.simulator.world.characterIDs.map(Int64.init) }

    /// Registers characters through the SSO, as `memberaudit characters add` does.
    @discardableResult
    func register(_ ids: [Int64]? = nil, scopes: [String]? = nil) async throws -> [RegisteredCharacter] {
        let sso = SSOClient(http: HTTPClient(userAgent: "memberaudit-tests"), configuration: self.settings.sso)
        var registered = [RegisteredCharacter]()
        for id in ids ?? self.characterIDs {
            let token = try #require(
                self.simulator.issueRefreshToken(characterID: Int(id), scopes: scopes ?? self.simulator.allScopes)
            )
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

    func events() async throws -> [RecordedEvent] {
        try await EventStore(pool: self.pool).read(after: 0, limit: 1_000_000)
    }

    /// Runs one SQL query and decodes its first column.
    func column<T: PostgresDecodable & Sendable>(
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
func withSyncHarness(
    characters: Int = 3,
    faults: Faults = Faults(),
    issuer: String = "https://login.eveonline.com",
    origin: Date = Date(),
    _ body: @Sendable (SyncHarness) async throws -> Void
) async throws {
    var configuration = SimulatorConfiguration()
    configuration.characters = characters
    configuration.faults = faults
    configuration.clock = .manual
    configuration.origin = origin
    configuration.issuer = issuer
    let simulator = Simulator(configuration)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = SimulatorServer.application(simulator: simulator, host: "127.0.0.1", port: 0, logLevel: .critical) {
        continuation.yield($0)
    }
    let server = Task { try await app.runService() }
    defer { server.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    let key = TokenCipher.generateKey()
    try await TestDatabase.with(maxConnections: 12) { pool, conninfo in
        let harness = SyncHarness(
            simulator: simulator,
            base: "http://127.0.0.1:\(port)",
            pool: pool,
            conninfo: conninfo,
            key: key,
            cipher: try TokenCipher(key: Array(Data(base64Encoded: key)!))
        )
        try await body(harness)
    }
}
