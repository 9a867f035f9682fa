import ArgumentParser
import ESISimulator
import Foundation
import Hummingbird

/// What `esi-simulator` and `memberaudit simulator` say about themselves.
public let simulatorAbstract =
    "A stand-in for EVE Online's ESI and EVE SSO, serving a deterministic, living world over HTTP."
public let simulatorDiscussion = """
    One port serves ESI routes (/characters/..., /universe/..., /status, also with /latest, \
    /vN prefixes and trailing slashes), EVE SSO (/.well-known/oauth-authorization-server, \
    /v2/oauth/authorize, /v2/oauth/token, /v2/oauth/revoke, /oauth/jwks) and admin routes \
    under /_sim/ (characters, tokens, clock, faults; see the README). The same seed and \
    clock give byte-identical ESI bodies. Stop it with Ctrl-C or SIGTERM.
    """

/// The simulator's command-line options, shared by `esi-simulator` and `memberaudit simulator`.
public struct SimulatorOptions: ParsableArguments {
    public init() {}

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one; the chosen port is printed).") var port = 8090
    @Option(help: "Seed of the generated world.") var seed: UInt64 = 1
    @Option(help: "Number of characters to generate.") var characters = 10
    @Option(
        help: """
            How much past each character has when first seen: full (a few hundred mails, a contract \
            in every state, as a real character) or brief (a dozen mails, one contract of each kind).
            """
    )
    var history: WorldHistory.Depth = .full
    @Option(help: "Base latency of every ESI answer, in milliseconds.") var latencyMs: Double = 0
    @Option(help: "Uniform jitter around the latency, in milliseconds.") var jitterMs: Double = 0
    @Option(
        help:
            "Clock: real, fast:FACTOR (e.g. fast:60 runs an hour a minute) or manual (moved by POST /_sim/clock/advance)."
    )
    var clock = "real"
    @Option(help: "Start of simulated time, ISO 8601 (default 2026-11-01T00:00:00Z for manual clocks, now otherwise).")
    var start: String?
    @Option(help: "Write a JSON array with a refresh token (all scopes) per generated character once ready.")
    var tokensFile: String?
    @Option(help: "SSO client id the simulator accepts.") var clientId = "memberaudit-demo"
    @Option(help: "SSO client secret of that client.") var clientSecret = "memberaudit-demo-secret"
    @Option(help: "Issuer (iss) of access tokens (default: http://HOST:PORT).") var issuer: String?
    @Option(help: "Errors per minute before every route answers 420.") var errorLimit = 100
    @Option(help: "Multiply every rate-limit bucket (1: ESI's budgets; raise it to sync days in minutes).")
    var rateLimitScale = 1.0
    @Option(help: "Share of ESI requests answered 502/503/504 (0–1).") var serverErrorRate: Double = 0
    @Option(help: "Share of those 5xx answers sent as a CDN's HTML page (0–1).") var htmlShare: Double = 0.3
    @Option(help: "Share of ESI requests that hang (then 504) (0–1).") var timeoutRate: Double = 0
    @Option(help: "How long a hanging request hangs, in seconds.") var timeoutSeconds: Double = 60
    @Option(help: "Share of ESI requests answered with truncated JSON (0–1).") var malformedRate: Double = 0
    @Option(help: "A structure id that answers 403 (repeatable).") var forbiddenStructure: [Int] = []
    @Option(
        help: "A route template reported Down and answering 503 (repeatable), e.g. /characters/{character_id}/mail."
    )
    var downRoute: [String] = []

    public func validate() throws {
        guard SimulatedClock.mode(parsing: self.clock) != nil else {
            throw ValidationError("--clock must be real, manual or fast:FACTOR with FACTOR > 0, not '\(self.clock)'")
        }
        guard (0...100_000).contains(self.characters) else {
            throw ValidationError("--characters must be between 0 and 100000")
        }
        guard (0...65_535).contains(self.port) else { throw ValidationError("--port must be between 0 and 65535") }
        for (name, value) in [
            ("--latency-ms", self.latencyMs), ("--jitter-ms", self.jitterMs),
            ("--timeout-seconds", self.timeoutSeconds),
        ] where !(value.isFinite && (0...3_600_000).contains(value)) {
            throw ValidationError("\(name) must be a number from 0 to 3600000, not \(value)")
        }
        for rate in [self.serverErrorRate, self.htmlShare, self.timeoutRate, self.malformedRate]
        where !(0...1).contains(rate) {
            throw ValidationError("rates must be between 0 and 1, not \(rate)")
        }
        if let start = self.start, ISO8601DateFormatter().date(from: start) == nil {
            throw ValidationError("--start must be an ISO 8601 time such as 2026-11-01T00:00:00Z, not '\(start)'")
        }
    }

    /// Starts the simulator and serves until SIGINT or SIGTERM.
    public func run() async throws {
        var configuration = SimulatorConfiguration()
        configuration.seed = self.seed
        configuration.characters = self.characters
        configuration.history = self.history
        let mode = SimulatedClock.mode(parsing: self.clock)!
        configuration.clock = mode
        configuration.origin =
            self.start.flatMap { ISO8601DateFormatter().date(from: $0) }
            ?? (mode == .manual ? configuration.origin : Date())
        configuration.clients = [.init(id: self.clientId, secret: self.clientSecret)]
        configuration.errorLimit = self.errorLimit
        configuration.rateLimitScale = self.rateLimitScale
        configuration.faults.latencyMilliseconds = self.latencyMs
        configuration.faults.jitterMilliseconds = self.jitterMs
        configuration.faults.serverErrorRate = self.serverErrorRate
        configuration.faults.htmlShare = self.htmlShare
        configuration.faults.timeoutRate = self.timeoutRate
        configuration.faults.timeoutSeconds = self.timeoutSeconds
        configuration.faults.malformedRate = self.malformedRate
        configuration.faults.forbiddenStructures = self.forbiddenStructure
        configuration.faults.downRoutes = self.downRoute
        configuration.issuer = self.issuer ?? "http://\(self.host):\(self.port)"
        let simulator = Simulator(configuration)
        let tokensFile = self.tokensFile
        let host = self.host
        let explicitIssuer = self.issuer != nil
        let app = SimulatorServer.application(simulator: simulator, host: self.host, port: self.port) { port in
            // With --port 0 the port is known only now; tokens must name the URL clients use.
            if !explicitIssuer { simulator.setIssuer("http://\(host):\(port)") }
            if let tokensFile {
                do {
                    try writeTokens(simulator: simulator, to: tokensFile)
                } catch {
                    FileHandle.standardError.write(Data("esi-simulator: cannot write \(tokensFile): \(error)\n".utf8))
                }
            }
            // Written unbuffered: scripts wait for this line to know the server is up.
            let line =
                "esi-simulator: serving \(simulator.world.characterIDs.count) characters on http://\(host):\(port)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await app.runService()
    }
}

/// Writes `[{character_id, character_name, refresh_token, scopes}]`, atomically.
func writeTokens(simulator: Simulator, to path: String) throws {
    let scopes = simulator.allScopes
    let entries: [[String: Any]] = simulator.world.characterIDs.map { id in
        [
            "character_id": id, "character_name": simulator.world.name(ofCharacter: id) ?? "",
            "refresh_token": simulator.issueRefreshToken(characterID: id, scopes: scopes) ?? "", "scopes": scopes,
        ]
    }
    let data = try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
}

extension WorldHistory.Depth: ExpressibleByArgument {}
