import Crypto
import Foundation
import Synchronization
import Vocabulary

/// The EVE SSO side of the simulator: OAuth 2.0 authorization codes (with state and PKCE S256),
/// refresh tokens that rotate on every use, revocation, and JWT access tokens with EVE's claims.
public final class SingleSignOn: Sendable {
    public struct Client: Sendable {
        public var id: String
        public var secret: String
        public init(id: String, secret: String) {
            self.id = id
            self.secret = secret
        }
    }

    struct Grant: Sendable {
        var characterID: Int
        var characterName: String
        var clientID: String
        var scopes: [String]
        var ownerHash: String
    }

    struct Code: Sendable {
        var grant: Grant
        var redirectURI: String
        var challenge: String?
        var expires: Date
    }

    /// OAuth's error answer: status, `error` and `error_description`.
    struct Failure: Error {
        var status: Int
        var error: String
        var description: String
    }

    /// The `iss` of access tokens: fixed, or the server's URL once it knows its port.
    var issuer: String { self.issuerState.withLock { $0 } }
    private let issuerState: Mutex<String>
    let clients: [String: Client]
    let keys = SigningKeys.shipped
    private let seed: UInt64
    private let state = Mutex<State>(State())

    private struct State {
        var refreshTokens: [String: Grant] = [:]
        var codes: [String: Code] = [:]
        var counter: UInt64 = 0
        var algorithm = "RS256"
    }

    /// Sets the issuer (the command line does once the server listens on a port picked for it).
    func setIssuer(_ issuer: String) { self.issuerState.withLock { $0 = issuer } }

    static let accessTokenLifetime: TimeInterval = 1_200
    static let codeLifetime: TimeInterval = 300

    init(issuer: String, clients: [Client], seed: UInt64) {
        self.issuerState = Mutex(issuer)
        self.clients = Dictionary(clients.map { ($0.id, $0) }) { first, _ in first }
        self.seed = seed
    }

    /// The algorithm new access tokens are signed with (`RS256` as EVE SSO today, or `ES256`).
    var signingAlgorithm: String {
        get { self.state.withLock { $0.algorithm } }
    }

    func setSigningAlgorithm(_ algorithm: String) { self.state.withLock { $0.algorithm = algorithm } }

    /// A random-looking, deterministic token: 16 bytes in base64 (24 characters), as EVE's.
    private func nextToken(_ state: inout State, purpose: UInt64) -> String {
        state.counter += 1
        var random = SeededRandom(self.seed, purpose, state.counter)
        return Data((0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) }).base64EncodedString()
    }

    // MARK: - Grants

    /// Issues a refresh token for a character (the admin shortcut for a completed login).
    func issueRefreshToken(for grant: Grant) -> String {
        self.state.withLock { state in
            let token = self.nextToken(&state, purpose: 7)
            state.refreshTokens[token] = grant
            return token
        }
    }

    /// Revokes one refresh token; returns whether it existed.
    @discardableResult
    func revoke(refreshToken: String) -> Bool {
        self.state.withLock { $0.refreshTokens.removeValue(forKey: refreshToken) != nil }
    }

    /// Revokes every grant of a character (after it changed accounts, or by admin call).
    @discardableResult
    func revokeAll(characterID: Int) -> Int {
        self.state.withLock { state in
            let before = state.refreshTokens.count
            state.refreshTokens = state.refreshTokens.filter { $0.value.characterID != characterID }
            return before - state.refreshTokens.count
        }
    }

    func createCode(grant: Grant, redirectURI: String, challenge: String?, now: Date) -> String {
        self.state.withLock { state in
            let code = self.nextToken(&state, purpose: 8).replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "=", with: "")
            state.codes[code] = Code(
                grant: grant,
                redirectURI: redirectURI,
                challenge: challenge,
                expires: now.addingTimeInterval(Self.codeLifetime)
            )
            return code
        }
    }

    // MARK: - Token endpoint

    /// Handles `POST /v2/oauth/token` (form-encoded). Returns the JSON body of a 200.
    func token(form: [String: String], authorization: String?, now: Date) throws(Failure) -> JSONValue {
        let clientID = try self.authenticateClient(form: form, authorization: authorization)
        switch form["grant_type"] {
        case "authorization_code":
            guard let codeText = form["code"] else {
                throw Failure(status: 400, error: "invalid_request", description: "code is required")
            }
            // Codes are single-use: taken out whatever happens next.
            guard let code = self.state.withLock({ $0.codes.removeValue(forKey: codeText) }) else {
                throw Failure(
                    status: 400,
                    error: "invalid_grant",
                    description: "Authorization code not found or already used."
                )
            }
            guard code.expires > now else {
                throw Failure(status: 400, error: "invalid_grant", description: "Authorization code is expired.")
            }
            guard code.grant.clientID == clientID else {
                throw Failure(
                    status: 400,
                    error: "invalid_grant",
                    description: "Authorization code was issued to another client."
                )
            }
            if let redirect = form["redirect_uri"], redirect != code.redirectURI {
                throw Failure(status: 400, error: "invalid_grant", description: "redirect_uri does not match.")
            }
            if let challenge = code.challenge {
                guard let verifier = form["code_verifier"], pkceMatches(verifier: verifier, challenge: challenge) else {
                    throw Failure(status: 400, error: "invalid_grant", description: "PKCE verification failed.")
                }
            }
            let refresh = self.issueRefreshToken(for: code.grant)
            return try self.tokenResponse(grant: code.grant, refreshToken: refresh, now: now)
        case "refresh_token":
            guard let old = form["refresh_token"] else {
                throw Failure(status: 400, error: "invalid_request", description: "refresh_token is required")
            }
            // Rotation: the old token stops working as the new one is issued.
            let rotated: (Grant, String)? = self.state.withLock { state in
                guard var grant = state.refreshTokens.removeValue(forKey: old) else { return nil }
                if let subset = form["scope"]?.split(separator: " ").map(String.init), !subset.isEmpty {
                    grant.scopes = grant.scopes.filter(subset.contains)
                }
                let new = self.nextToken(&state, purpose: 7)
                state.refreshTokens[new] = grant
                return (grant, new)
            }
            guard let (grant, new) = rotated else {
                throw Failure(
                    status: 400,
                    error: "invalid_grant",
                    description: "Invalid refresh token. Character grant missing/expired."
                )
            }
            guard grant.clientID == clientID else {
                throw Failure(
                    status: 400,
                    error: "invalid_token",
                    description: "The refresh token does not match the client specified."
                )
            }
            return try self.tokenResponse(grant: grant, refreshToken: new, now: now)
        default:
            throw Failure(
                status: 400,
                error: "unsupported_grant_type",
                description: "grant_type must be authorization_code or refresh_token"
            )
        }
    }

    /// Basic auth with the client secret, or (PKCE apps) a `client_id` in the form.
    private func authenticateClient(form: [String: String], authorization: String?) throws(Failure) -> String {
        if let authorization, authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).flatMap({
                String(data: $0, encoding: .utf8)
            }),
            let colon = decoded.firstIndex(of: ":")
        {
            let id = String(decoded[..<colon])
            let secret = String(decoded[decoded.index(after: colon)...])
            guard let client = self.clients[id], client.secret == secret else {
                throw Failure(status: 401, error: "invalid_client", description: "Client authentication failed.")
            }
            return id
        }
        if let id = form["client_id"], self.clients[id] != nil,
            form["code_verifier"] != nil || form["grant_type"] == "refresh_token"
        {
            return id
        }
        throw Failure(status: 401, error: "invalid_client", description: "Client authentication failed.")
    }

    private func tokenResponse(grant: Grant, refreshToken: String, now: Date) throws(Failure) -> JSONValue {
        do {
            return .object([
                ("access_token", .string(try self.accessToken(for: grant, now: now))),
                ("expires_in", .int(1_199)),
                ("token_type", .string("Bearer")),
                ("refresh_token", .string(refreshToken)),
            ])
        } catch {
            throw Failure(status: 500, error: "server_error", description: "signing failed")
        }
    }

    /// A JWT access token with EVE SSO's claims; `exp` = `iat` + 1200.
    func accessToken(for grant: Grant, now: Date) throws -> String {
        let (algorithm, jti) = self.state.withLock { state -> (String, String) in
            state.counter += 1
            var random = SeededRandom(self.seed, 9, state.counter)
            return (state.algorithm, random.uuidString())
        }
        let keyID = algorithm == "ES256" ? self.keys.ecKeyID : self.keys.rsaKeyID
        let iat = Int(now.timeIntervalSince1970)
        var claims: [(String, JSONValue)] = []
        // EVE sends one scope as a string, several as an array, and none as no claim at all.
        if grant.scopes.count == 1 {
            claims.append(("scp", .string(grant.scopes[0])))
        } else if grant.scopes.count > 1 {
            claims.append(("scp", .array(grant.scopes.map { .string($0) })))
        }
        claims += [
            ("jti", .string(jti)), ("kid", .string(keyID)), ("sub", .string("CHARACTER:EVE:\(grant.characterID)")),
            ("azp", .string(grant.clientID)), ("tenant", .string("tranquility")), ("tier", .string("live")),
            ("region", .string("world")), ("aud", .array([.string(grant.clientID), .string("EVE Online")])),
            ("name", .string(grant.characterName)), ("owner", .string(grant.ownerHash)),
            ("exp", .int(iat + Int(Self.accessTokenLifetime))), ("iat", .int(iat)), ("iss", .string(self.issuer)),
        ]
        let header = JSONValue.object([("alg", .string(algorithm)), ("kid", .string(keyID)), ("typ", .string("JWT"))])
        return try self.keys.sign(header: header, payload: .object(claims), algorithm: algorithm)
    }
}

/// PKCE S256: base64url(SHA-256(verifier)) equals the challenge (with or without padding).
func pkceMatches(verifier: String, challenge: String) -> Bool {
    let digest = Base64URL.encode(Array(SHA256.hash(data: Data(verifier.utf8))))
    return digest == challenge.replacingOccurrences(of: "=", with: "")
}
