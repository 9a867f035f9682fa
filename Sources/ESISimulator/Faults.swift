import Foundation

/// Faults the simulator injects on demand (admin `/_sim/faults` or command-line options).
public struct Faults: Sendable, Codable, Equatable {
    /// Share of ESI requests answered 502, 503 or 504.
    public var serverErrorRate: Double = 0
    /// Share of those answered with a CDN's HTML page instead of ESI's JSON.
    public var htmlShare: Double = 0.3
    /// Share of ESI requests that get no answer for `timeoutSeconds` (then a 504).
    public var timeoutRate: Double = 0
    public var timeoutSeconds: Double = 60
    /// Share of ESI requests answered 200 with a truncated JSON body.
    public var malformedRate: Double = 0
    /// Share of ESI requests answered 200 with a hostile body (``HostilePayload``), of one of
    /// `hostilePayloads` (empty: any).
    public var hostileRate: Double = 0
    public var hostilePayloads: [HostilePayload] = []
    /// Base latency of every ESI answer, and a uniform jitter around it.
    public var latencyMilliseconds: Double = 0
    public var jitterMilliseconds: Double = 0
    /// Share of requests that are slow: `slowMilliseconds` more.
    public var slowRate: Double = 0
    public var slowMilliseconds: Double = 2_000
    /// Structures that answer 403 whatever the token.
    public var forbiddenStructures: [Int] = []
    /// Route templates reported Down in `/meta/status`; they answer 503.
    public var downRoutes: [String] = []
    /// Route templates that answer 502 with a CDN's HTML page while `/meta/status` says they are
    /// fine (the failure a client only learns of by trying).
    public var brokenRoutes: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case serverErrorRate = "server_error_rate"
        case htmlShare = "html_share"
        case timeoutRate = "timeout_rate"
        case timeoutSeconds = "timeout_seconds"
        case malformedRate = "malformed_rate"
        case hostileRate = "hostile_rate"
        case hostilePayloads = "hostile_payloads"
        case latencyMilliseconds = "latency_ms"
        case jitterMilliseconds = "jitter_ms"
        case slowRate = "slow_rate"
        case slowMilliseconds = "slow_ms"
        case forbiddenStructures = "forbidden_structures"
        case downRoutes = "down_routes"
        case brokenRoutes = "broken_routes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Faults()
        self.serverErrorRate =
            try container.decodeIfPresent(Double.self, forKey: .serverErrorRate) ?? defaults.serverErrorRate
        self.htmlShare = try container.decodeIfPresent(Double.self, forKey: .htmlShare) ?? defaults.htmlShare
        self.timeoutRate = try container.decodeIfPresent(Double.self, forKey: .timeoutRate) ?? defaults.timeoutRate
        self.timeoutSeconds =
            try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? defaults.timeoutSeconds
        self.malformedRate =
            try container.decodeIfPresent(Double.self, forKey: .malformedRate) ?? defaults.malformedRate
        self.hostileRate = try container.decodeIfPresent(Double.self, forKey: .hostileRate) ?? defaults.hostileRate
        self.hostilePayloads =
            try container.decodeIfPresent([HostilePayload].self, forKey: .hostilePayloads) ?? defaults.hostilePayloads
        self.latencyMilliseconds =
            try container.decodeIfPresent(Double.self, forKey: .latencyMilliseconds) ?? defaults.latencyMilliseconds
        self.jitterMilliseconds =
            try container.decodeIfPresent(Double.self, forKey: .jitterMilliseconds) ?? defaults.jitterMilliseconds
        self.slowRate = try container.decodeIfPresent(Double.self, forKey: .slowRate) ?? defaults.slowRate
        self.slowMilliseconds =
            try container.decodeIfPresent(Double.self, forKey: .slowMilliseconds) ?? defaults.slowMilliseconds
        self.forbiddenStructures = try container.decodeIfPresent([Int].self, forKey: .forbiddenStructures) ?? []
        self.downRoutes = try container.decodeIfPresent([String].self, forKey: .downRoutes) ?? []
        self.brokenRoutes = try container.decodeIfPresent([String].self, forKey: .brokenRoutes) ?? []
    }
}

/// The error bodies ESI and its CDN send, verbatim as clients match them.
enum ESIErrors {
    static let errorLimited =
        "This software has exceeded the error limit for ESI. If you are a user, please contact the maintainer of this software. If you are a developer/maintainer, please make a greater effort in the future to receive valid responses. For tips on how, come have a chat with us in #esi on tweetfleet slack. If you're not on tweetfleet slack yet, you can get an invite here -> https://www.fuzzwork.co.uk/tweetfleet-slack-invites/"
    static let badGateway = "No reply within 10 seconds"
    static let unavailable = "The datasource tranquility is temporarily unavailable"
    static let gatewayTimeout = "Timeout contacting tranquility"

    static func html(status: Int) -> String {
        let title =
            status == 502
            ? "502 Bad Gateway" : status == 503 ? "503 Service Temporarily Unavailable" : "504 Gateway Time-out"
        return
            "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n</body>\r\n</html>\r\n"
    }
}
