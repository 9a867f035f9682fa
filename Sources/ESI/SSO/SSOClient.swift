import Foundation
import Synchronization
import Vocabulary

/// The tokens a refresh-token grant returns.
public struct TokenGrant: Sendable {
    public var accessToken: String
    /// The refresh token to keep: EVE SSO may rotate it, and then the old one is dead.
    public var refreshToken: String
    public var expiresIn: TimeInterval
}

/// Why the SSO gave no tokens.
public struct SSOError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The refresh token is revoked, expired or superseded: only a new login helps.
        case invalidGrant
        /// The application's id or secret is wrong.
        case invalidClient
        /// The SSO could not answer now; try again later.
        case unavailable
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// How the program logs in to EVE SSO.
public struct SSOConfiguration: Sendable {
    public var baseURL: String
    public var clientID: String
    public var clientSecret: String
    /// The clock a token's expiry is checked against (the system's but in demos and tests).
    public var clock = TimeSource.system

    public static let tranquility = "https://login.eveonline.com"

    public init(baseURL: String = SSOConfiguration.tranquility, clientID: String, clientSecret: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// The issuers to accept: EVE's, and the configured base URL's (the simulator issues as itself).
    public var issuers: Set<String> {
        var issuers = AccessTokenVerifier.eveIssuers
        issuers.insert(self.baseURL)
        issuers.insert(self.baseURL + "/")
        if let host = URL(string: self.baseURL)?.host() { issuers.insert(host) }
        return issuers
    }
}

/// EVE SSO's token endpoint and key set.
public struct SSOClient: Sendable {
    public let http: HTTPClient
    public let configuration: SSOConfiguration
    private let keys = KeySetCache()

    public init(http: HTTPClient, configuration: SSOConfiguration) {
        self.http = http
        self.configuration = configuration
    }

    /// The refresh-token grant.
    public func refresh(_ refreshToken: String) async throws(SSOError) -> TokenGrant {
        try await self.grant(
            "grant_type=refresh_token&refresh_token=\(percentEncoded(refreshToken))",
            refused: "the refresh token",
            keeping: refreshToken
        )
    }

    /// The authorization-code grant of a login, with its PKCE verifier.
    public func exchange(code: String, verifier: String, redirectURI: String) async throws(SSOError) -> TokenGrant {
        try await self.grant(
            "grant_type=authorization_code&code=\(percentEncoded(code))&code_verifier=\(percentEncoded(verifier))"
                + "&redirect_uri=\(percentEncoded(redirectURI))",
            refused: "the login's code",
            keeping: nil
        )
    }

    /// Where a login starts: the SSO's authorize URL for these scopes, state and PKCE challenge.
    public func authorizeURL(redirectURI: String, scopes: [String], state: String, challenge: String) -> String {
        let query = [
            ("response_type", "code"), ("redirect_uri", redirectURI), ("client_id", self.configuration.clientID),
            ("scope", scopes.joined(separator: " ")), ("state", state), ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ]
        return self.configuration.baseURL + "/v2/oauth/authorize?"
            + query.map { "\($0.0)=\(percentEncoded($0.1))" }.joined(separator: "&")
    }

    private func grant(
        _ form: String,
        refused what: String,
        keeping previous: String?
    ) async throws(SSOError)
        -> TokenGrant
    {
        let credentials = Data("\(self.configuration.clientID):\(self.configuration.clientSecret)".utf8)
        let response: ClientResponse
        do {
            response = try await self.http.send(
                ClientRequest(
                    method: "POST",
                    url: self.configuration.baseURL + "/v2/oauth/token",
                    headers: [
                        ("Content-Type", "application/x-www-form-urlencoded"),
                        ("Authorization", "Basic \(credentials.base64EncodedString())"),
                    ],
                    body: Array(form.utf8),
                    timeout: 30
                )
            )
        } catch {
            throw SSOError(.unavailable, "the SSO did not answer: \(error)")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard response.status == 200 else {
            let code = object?["error"] as? String ?? ""
            let text = object?["error_description"] as? String ?? code
            switch (response.status, code) {
            case (400, "invalid_grant"), (400, "invalid_token"):
                throw SSOError(.invalidGrant, "the SSO refused \(what): \(text)")
            case (_, "invalid_client"):
                throw SSOError(.invalidClient, "the SSO refused the application's credentials: \(text)")
            default:
                throw SSOError(
                    .unavailable,
                    "the SSO answered HTTP \(response.status)\(text.isEmpty ? "" : ": \(text)")"
                )
            }
        }
        guard let access = object?["access_token"] as? String, !access.isEmpty else {
            throw SSOError(.unavailable, "the SSO's answer has no access token")
        }
        guard let refresh = (object?["refresh_token"] as? String).flatMap({ $0.isEmpty ? nil : $0 }) ?? previous else {
            throw SSOError(.unavailable, "the SSO's answer has no refresh token")
        }
        return TokenGrant(
            accessToken: access,
            refreshToken: refresh,
            // A lifetime beyond a day (or not a number) is not EVE's: take its usual 20 minutes.
            expiresIn: (object?["expires_in"] as? Double).flatMap { (1...86_400).contains($0) ? $0 : nil } ?? 1199
        )
    }

    /// The SSO's signing keys.
    public func keySet() async throws -> JSONWebKeySet {
        let response = try await self.http.send(ClientRequest(url: self.configuration.baseURL + "/oauth/jwks"))
        guard response.status == 200 else {
            throw SSOError(.unavailable, "the SSO's key set answered HTTP \(response.status)")
        }
        return try JSONWebKeySet(json: response.body)
    }

    /// Verifies an access token with the SSO's keys: the cached set, fetched again when it is an
    /// hour old, or once when a token names a key it does not have (the SSO rotated its keys),
    /// at most once a minute, so that tokens naming made-up keys cannot make us hammer the SSO.
    public func verify(_ token: String, now: Date? = nil) async throws -> VerifiedAccessToken {
        let now = now ?? self.configuration.clock.now()
        let cached = self.keys.current(now: now)
        let keys: JSONWebKeySet
        if let cached {
            keys = cached
        } else {
            keys = try await self.keySet()
            self.keys.store(keys, now: now)
        }
        let first = Result { () throws(JWTError) in try self.verifier(keys).verify(token, now: now) }
        guard case .failure(let error) = first, error.code == .unknownKey, cached != nil, self.keys.mayRefetch(now: now)
        else { return try first.get() }
        let fresh = try await self.keySet()
        self.keys.store(fresh, now: now)
        return try self.verifier(fresh).verify(token, now: now)
    }

    private func verifier(_ keys: JSONWebKeySet) -> AccessTokenVerifier {
        AccessTokenVerifier(keys: keys, clientID: self.configuration.clientID, issuers: self.configuration.issuers)
    }
}

/// The SSO's key set, shared by every copy of an ``SSOClient``.
private final class KeySetCache: Sendable {
    private struct State {
        var keys: JSONWebKeySet?
        var fetchedAt = Date.distantPast
        var refetchedForUnknownKeyAt = Date.distantPast
    }

    private let state = Mutex(State())
    static let maximumAge: TimeInterval = 3600
    static let minimumRefetchInterval: TimeInterval = 60

    func current(now: Date) -> JSONWebKeySet? {
        self.state.withLock { state in
            now.timeIntervalSince(state.fetchedAt) < Self.maximumAge ? state.keys : nil
        }
    }

    /// Claims the refetch for an unknown key: true at most once a minute.
    func mayRefetch(now: Date) -> Bool {
        self.state.withLock { state in
            guard now.timeIntervalSince(state.refetchedForUnknownKeyAt) >= Self.minimumRefetchInterval else {
                return false
            }
            state.refetchedForUnknownKeyAt = now
            return true
        }
    }

    func store(_ keys: JSONWebKeySet, now: Date) {
        self.state.withLock { state in
            state.keys = keys
            state.fetchedAt = now
        }
    }
}
