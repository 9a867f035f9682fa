import Crypto
import Foundation
import Synchronization

/// A request as the simulator sees it, independent of the HTTP server.
public struct SimulatorRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]
    public var client: String

    public init(
        method: String,
        path: String,
        query: [String: String] = [:],
        headers: [String: String] = [:],
        body: [UInt8] = [],
        client: String = "127.0.0.1"
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }) { $1 }
        self.body = body
        self.client = client
    }
}

/// An answer, and how long to wait before sending it (latency and timeout faults).
public struct SimulatorResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var delay: TimeInterval = 0

    public func header(_ name: String) -> String? {
        self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var text: String { String(decoding: self.body, as: UTF8.self) }
}

/// How the simulator is set up.
public struct SimulatorConfiguration: Sendable {
    public var seed: UInt64 = 1
    public var characters = 10
    public var clock: SimulatedClock.Mode = .manual
    /// Where simulated time starts (default: 2026-11-01 00:00 UTC, so runs are reproducible).
    public var origin = Date(timeIntervalSince1970: 1_793_491_200)
    public var clients = [SingleSignOn.Client(id: "memberaudit-demo", secret: "memberaudit-demo-secret")]
    /// The SSO issuer (`iss`); the server's own base URL by default.
    public var issuer = "http://127.0.0.1"
    public var errorLimit = 100
    /// Multiplies every rate-limit bucket's tokens (1: ESI's budgets). Tests and benchmarks that
    /// compress days of syncing into seconds raise it: the buckets refill on wall-clock time.
    public var rateLimitScale = 1.0
    public var faults = Faults()
    /// How much past a character has when first seen (mails, contracts): `.full` as a real one,
    /// `.brief` for tests that sync many characters and care about mechanics, not volume.
    public var history = WorldHistory.Depth.full

    public init() {}
}

/// The ESI and EVE SSO simulator: one world, one clock, ESI's HTTP behaviour and faults.
public final class Simulator: Sendable {
    public let configuration: SimulatorConfiguration
    public let world: World
    public let clock: SimulatedClock
    public let sso: SingleSignOn
    let routes = RouteTable.shipped
    let structures: StructureDirectory
    let cache = ResponseCache()
    let errorLimiter: ErrorLimiter
    let rateLimiter = RateLimiter()
    private let statusCounts = Mutex<[Int: Int]>([:])
    let keySetRequests = Mutex(0)
    private let faultState: Mutex<(faults: Faults, random: SeededRandom, requestCounter: UInt64)>

    public init(_ configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.clock = SimulatedClock(mode: configuration.clock, origin: configuration.origin)
        self.world = World(
            seed: configuration.seed,
            characters: configuration.characters,
            origin: configuration.origin,
            history: configuration.history
        )
        self.sso = SingleSignOn(issuer: configuration.issuer, clients: configuration.clients, seed: configuration.seed)
        self.structures = StructureDirectory(seed: configuration.seed)
        self.errorLimiter = ErrorLimiter(limit: configuration.errorLimit)
        self.faultState = Mutex((configuration.faults, SeededRandom(configuration.seed, 10), 0))
    }

    public var faults: Faults {
        get { self.faultState.withLock { $0.faults } }
    }

    /// Sets the SSO's issuer, e.g. to the server's URL once it listens on a port picked for it.
    public func setIssuer(_ issuer: String) { self.sso.setIssuer(issuer) }

    public func setFaults(_ faults: Faults) { self.faultState.withLock { $0.faults = faults } }

    /// All scopes the simulator knows (every route's scope), for tokens that may do everything.
    public var allScopes: [String] { Array(Set(self.routes.routes.compactMap(\.scope))).sorted() }

    /// Issues a refresh token for a character with `scopes`, as a completed SSO login would.
    public func issueRefreshToken(characterID: Int, scopes: [String], clientID: String? = nil) -> String? {
        guard let name = self.world.name(ofCharacter: characterID),
            let owner = self.world.ownerHash(ofCharacter: characterID)
        else {
            return nil
        }
        let client = clientID ?? self.configuration.clients[0].id
        return self.sso.issueRefreshToken(
            for: SingleSignOn.Grant(
                characterID: characterID,
                characterName: name,
                clientID: client,
                scopes: scopes,
                ownerHash: owner
            )
        )
    }

    /// An access token for a character (tests and tools; the sync gets its tokens from the token endpoint).
    public func accessToken(characterID: Int, scopes: [String], clientID: String? = nil) throws -> String? {
        guard let name = self.world.name(ofCharacter: characterID),
            let owner = self.world.ownerHash(ofCharacter: characterID)
        else {
            return nil
        }
        let grant = SingleSignOn.Grant(
            characterID: characterID,
            characterName: name,
            clientID: clientID ?? self.configuration.clients[0].id,
            scopes: scopes,
            ownerHash: owner
        )
        return try self.sso.accessToken(for: grant, now: self.clock.now())
    }

    // MARK: - Dispatch

    public func handle(_ request: SimulatorRequest) -> SimulatorResponse {
        if request.path.hasPrefix("/_sim/") || request.path == "/_sim" { return self.handleAdmin(request) }
        if request.path.hasPrefix("/images/") { return self.handleImage(request) }
        if let response = self.handleSSO(request) { return response }
        let response = self.handleESI(request)
        self.statusCounts.withLock { $0[response.status, default: 0] += 1 }
        return response
    }

    /// The route's rate limit, scaled by ``SimulatorConfiguration/rateLimitScale``.
    func rateLimit(of route: RouteSpec) -> RouteSpec.RateLimit? {
        guard var limit = route.rateLimit else { return nil }
        limit.maxTokens = Int((Double(limit.maxTokens) * self.configuration.rateLimitScale).rounded())
        return limit
    }

    /// How many ESI answers of each status the simulator has sent (tests check for 420s).
    public var answeredStatuses: [Int: Int] { self.statusCounts.withLock { $0 } }
    /// How often the SSO's key set was asked for (clients should cache it).
    public var keySetRequestCount: Int { self.keySetRequests.withLock { $0 } }

    // MARK: - ESI

    func handleESI(_ request: SimulatorRequest) -> SimulatorResponse {
        let now = self.clock.now()
        let (faults, draw, requestNumber) = self.faultState.withLock {
            state -> (Faults, (Double, Double, Double, Double, Double), UInt64) in
            state.requestCounter += 1
            var random = state.random
            let draws = (
                Double.random(in: 0..<1, using: &random), Double.random(in: 0..<1, using: &random),
                Double.random(in: 0..<1, using: &random), Double.random(in: 0..<1, using: &random),
                Double.random(in: -1...1, using: &random)
            )
            state.random = random
            return (state.faults, draws, state.requestCounter)
        }
        var delay = max(0, faults.latencyMilliseconds + draw.4 * faults.jitterMilliseconds) / 1000
        if draw.3 < faults.slowRate { delay += faults.slowMilliseconds / 1000 }

        var headers: [(String, String)] = [
            ("Content-Type", "application/json; charset=UTF-8"),
            ("X-Esi-Request-Id", requestID(seed: self.configuration.seed, number: requestNumber)),
        ]
        let compatibility = request.headers["x-compatibility-date"] ?? request.query["compatibility_date"]
        headers.append(("X-Compatibility-Date", compatibility.map { min($0, "2025-12-16") } ?? "2020-01-01"))

        guard let (route, parameters) = self.routes.route(method: request.method, path: request.path) else {
            let status = self.routes.hasPath(request.path) ? 405 : 404
            return self.error(status, "Not found", headers: headers, delay: delay, limit: nil, bucket: nil)
        }

        // The error limit applies to every route once spent.
        if self.errorLimiter.isExhausted {
            var response = self.error(
                420,
                ESIErrors.errorLimited,
                headers: headers,
                delay: delay,
                limit: nil,
                bucket: nil,
                counts: false
            )
            response.headers += self.errorLimitHeaders()
            return response
        }

        // Authentication decides the rate-limit bucket (character) and the access.
        var tokenCharacter: Int?
        var tokenScopes: [String] = []
        var authFailure: (Int, String)?
        if let authorization = request.headers["authorization"], authorization.hasPrefix("Bearer ") {
            if let claims = self.sso.keys.verify(String(authorization.dropFirst(7))),
                let subject = claims["sub"] as? String, let id = Int(subject.split(separator: ":").last ?? ""),
                let expiry = claims["exp"] as? Int
            {
                if Double(expiry) <= now.timeIntervalSince1970 {
                    authFailure = (403, "token is expired")
                } else {
                    tokenCharacter = id
                    tokenScopes = (claims["scp"] as? [String]) ?? (claims["scp"] as? String).map { [$0] } ?? []
                }
            } else {
                authFailure = (401, "Unauthorized - Invalid token")
            }
        }
        let rateLimit = self.rateLimit(of: route)
        let bucket = rateLimit.map { "\($0.group):\(tokenCharacter.map(String.init) ?? request.client)" }
        /// An ESI error for this route, with its limit bookkeeping.
        func fail(_ status: Int, _ message: String, extra: [(String, JSONValue)] = []) -> SimulatorResponse {
            self.error(
                status,
                message,
                headers: headers,
                delay: delay,
                limit: rateLimit,
                bucket: bucket,
                extra: extra
            )
        }
        if let limit = rateLimit, let bucket {
            let (remaining, retryAfter) = self.rateLimiter.remaining(bucket: bucket, limit: limit, now: Date())
            if remaining <= 0 {
                var response = SimulatorResponse(
                    status: 429,
                    headers: headers,
                    body: errorBody("Too many requests"),
                    delay: delay
                )
                response.headers += [
                    ("Retry-After", String(retryAfter)), ("X-Ratelimit-Group", limit.group),
                    ("X-Ratelimit-Limit", "\(limit.maxTokens)/\(Int(limit.window / 60))m"),
                    ("X-Ratelimit-Remaining", "0"),
                    ("X-Ratelimit-Used", "0"),
                ]
                return response
            }
        }
        if let scope = route.scope {
            if let (status, message) = authFailure {
                return fail(status, message)
            }
            guard let character = tokenCharacter else {
                return fail(401, "Unauthorized - No token provided")
            }
            let pathCharacter = parameters["character_id"].flatMap(Int.init)
            guard tokenScopes.contains(scope), pathCharacter == nil || pathCharacter == character else {
                return fail(403, "token not valid for scope")
            }
            // Corporation routes answer only a member of that corporation.
            if let corporation = parameters["corporation_id"].flatMap(Int.init),
                !self.world.members(ofCorporation: corporation).contains(character)
            {
                return fail(403, "Character is not in the corporation")
            }
        }
        if route.path == "/universe/structures/{structure_id}",
            let id = parameters["structure_id"].flatMap(Int.init), faults.forbiddenStructures.contains(id)
        {
            return fail(403, "Forbidden")
        }

        // Faults.
        if faults.downRoutes.contains(route.path) {
            return fail(503, ESIErrors.unavailable)
        }
        if faults.brokenRoutes.contains(route.path) {
            self.errorLimiter.recordError()
            return SimulatorResponse(
                status: 502,
                headers: [("Content-Type", "text/html")],
                body: Array(ESIErrors.html(status: 502).utf8),
                delay: delay
            )
        }
        if draw.0 < faults.timeoutRate {
            var response = fail(
                504,
                ESIErrors.gatewayTimeout,
                extra: [("timeout", .int(10))]
            )
            response.delay += faults.timeoutSeconds
            return response
        }
        if draw.1 < faults.serverErrorRate {
            let status = [502, 503, 504][Int(draw.2 * 3) % 3]
            if draw.2 < faults.htmlShare {
                self.errorLimiter.recordError()
                return SimulatorResponse(
                    status: status,
                    headers: [("Content-Type", "text/html")],
                    body: Array(ESIErrors.html(status: status).utf8),
                    delay: delay
                )
            }
            let message =
                status == 502 ? ESIErrors.badGateway : status == 503 ? ESIErrors.unavailable : ESIErrors.gatewayTimeout
            return fail(
                status,
                message,
                extra: status == 504 ? [("timeout", .int(10))] : []
            )
        }

        // The resource, through ESI's cache.
        let context = RequestContext(
            route: route,
            parameters: parameters,
            query: request.query,
            body: request.body,
            now: now,
            world: self.world,
            structures: self.structures,
            downRoutes: Set(faults.downRoutes)
        )
        let cacheSeconds = route.expiresDaily ? secondsUntilDailyExpiry(after: now) : Double(route.cacheSeconds ?? 0)
        let resource: CachedResource
        do {
            if route.method == "POST" || cacheSeconds <= 0 {
                let pages = try self.build(context)
                resource = CachedResource(pages: pages, etags: pages.map(etag(of:)), lastModified: now, expires: now)
            } else {
                let key =
                    "\(tokenCharacter ?? 0)|\(route.method) \(route.path)|\(parameters.sorted { $0.key < $1.key })|\(request.query.filter { $0.key != "page" && $0.key != "compatibility_date" && $0.key != "datasource" }.sorted { $0.key < $1.key })"
                // A failed build throws before the cache stores anything: failures are never cached.
                resource = try self.cache.resource(key: key, now: now, cacheSeconds: cacheSeconds) {
                    try self.build(context)
                }
            }
        } catch let failure as RouteFailure {
            return fail(failure.status, failure.message)
        } catch {
            return fail(500, "Internal error")
        }
        let pageCount = max(1, resource.pages.count)
        var pageIndex = 0
        if route.paging == .pages {
            let page = request.query["page"].flatMap(Int.init) ?? 1
            guard page >= 1, page <= pageCount else {
                return fail(404, "Requested page does not exist")
            }
            pageIndex = page - 1
            headers.append(("X-Pages", String(pageCount)))
        }
        let body = resource.pages[pageIndex]
        let tag = resource.etags[pageIndex]
        if route.method == "GET" {
            headers += [
                ("ETag", tag), ("Last-Modified", httpDate(resource.lastModified)),
                ("Expires", httpDate(resource.expires)),
                ("Cache-Control", "public, max-age=\(max(0, Int(resource.expires.timeIntervalSince(now))))"),
            ]
        }
        if let match = request.headers["if-none-match"], match == tag {
            return self.finish(
                SimulatorResponse(status: 304, headers: headers, body: [], delay: delay),
                limit: rateLimit,
                bucket: bucket
            )
        }
        if draw.0 < faults.timeoutRate + faults.malformedRate {  // timeouts and 5xx returned above
            // Malformed: the body is cut short, as a broken proxy would deliver it.
            return self.finish(
                SimulatorResponse(
                    status: 200,
                    headers: headers,
                    body: Array(body.prefix(max(1, body.count / 2))),
                    delay: delay
                ),
                limit: rateLimit,
                bucket: bucket
            )
        }
        let hostile = faults.timeoutRate + faults.malformedRate
        if draw.0 >= hostile, draw.0 < hostile + faults.hostileRate {
            let kinds = faults.hostilePayloads.isEmpty ? HostilePayload.allCases : faults.hostilePayloads
            let kind = kinds[min(kinds.count - 1, Int(draw.2 * Double(kinds.count)))]
            return self.finish(
                SimulatorResponse(status: 200, headers: headers, body: kind.apply(to: body), delay: delay),
                limit: rateLimit,
                bucket: bucket
            )
        }
        return self.finish(
            SimulatorResponse(status: 200, headers: headers, body: body, delay: delay),
            limit: rateLimit,
            bucket: bucket
        )
    }

    /// Renders the route's body in pages, or throws the route's ESI error.
    private func build(_ context: RequestContext) throws(RouteFailure) -> [[UInt8]] {
        switch Responders.respond(context) {
        case .value(let value):
            return [value.rendered()]
        case .paged(let items, let size):
            guard !items.isEmpty else { return [Array("[]".utf8)] }
            return stride(from: 0, to: items.count, by: size).map {
                JSONValue.array(Array(items[$0..<min($0 + size, items.count)])).rendered()
            }
        case .error(let status, let message):
            throw RouteFailure(status: status, message: message)
        }
    }

    /// An ESI error answer; it counts against the error limit and costs rate-limit tokens.
    private func error(
        _ status: Int,
        _ message: String,
        headers: [(String, String)],
        delay: TimeInterval,
        limit: RouteSpec.RateLimit?,
        bucket: String?,
        counts: Bool = true,
        extra: [(String, JSONValue)] = []
    ) -> SimulatorResponse {
        if counts { self.errorLimiter.recordError() }
        let body = JSONValue.object([("error", .string(message))] + extra).rendered()
        return self.finish(
            SimulatorResponse(status: status, headers: headers, body: body, delay: delay),
            limit: limit,
            bucket: bucket
        )
    }

    /// Adds the limit headers: the X-Ratelimit set on rate-limited routes, else the error-limit set.
    private func finish(
        _ response: SimulatorResponse,
        limit: RouteSpec.RateLimit?,
        bucket: String?
    ) -> SimulatorResponse {
        var response = response
        if let limit, let bucket {
            let cost = RateLimiter.cost(ofStatus: response.status)
            self.rateLimiter.spend(bucket: bucket, tokens: cost)
            let remaining = self.rateLimiter.remaining(bucket: bucket, limit: limit).tokens
            response.headers += [
                ("X-Ratelimit-Group", limit.group),
                ("X-Ratelimit-Limit", "\(limit.maxTokens)/\(Int(limit.window / 60))m"),
                ("X-Ratelimit-Remaining", String(max(0, remaining))), ("X-Ratelimit-Used", String(cost)),
            ]
        } else {
            response.headers += self.errorLimitHeaders()
        }
        return response
    }

    private func errorLimitHeaders() -> [(String, String)] {
        let status = self.errorLimiter.status()
        return [("X-Esi-Error-Limit-Remain", String(status.remain)), ("X-Esi-Error-Limit-Reset", String(status.reset))]
    }
}

/// A route's own ESI error (an unknown contract, a page past the end, ...).
struct RouteFailure: Error {
    var status: Int
    var message: String
}

func errorBody(_ message: String) -> [UInt8] { JSONValue.object([("error", .string(message))]).rendered() }

/// Seconds until the next 11:05 UTC, when ESI's static data expires.
func secondsUntilDailyExpiry(after now: Date) -> TimeInterval {
    let day = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
    var expiry = day + 11 * 3_600 + 300
    if expiry <= now.timeIntervalSince1970 { expiry += 86_400 }
    return expiry - now.timeIntervalSince1970
}

/// A deterministic request id in UUID form.
func requestID(seed: UInt64, number: UInt64) -> String {
    var random = SeededRandom(seed, 11, number)
    return random.uuidString()
}
