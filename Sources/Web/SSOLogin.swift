import Access
import Crypto
import ESI
import Foundation
import Hummingbird
import Postgres
import Sync
import Vocabulary

/// EVE SSO's authorization-code flow with state and PKCE (S256): a login proves that the person
/// controls the character (its owner hash), and "add character" grants the sync's scopes.
struct SSOLogin: Sendable {
    enum Purpose: String, Sendable {
        case login
        case addCharacter = "add_character"
    }

    /// This login cannot finish (400).
    struct Failure: ClassifiedError {
        var description: String
        var kind: ErrorKind { .invalidInput }
    }

    static let lifetime: TimeInterval = 600
    /// Logins under way at once, at most: each is a row until its callback or its expiry, so a
    /// flood of `/sso/login` requests meets this bound instead of growing the table.
    static let maximumPending = 10_000

    let sso: SSOClient

    /// A login started: where to send the browser, and the nonce that binds the login to it
    /// (its cookie's value; the row keeps only its hash).
    struct Started: Sendable {
        var url: String
        var browserNonce: String
    }

    /// Records a new login and gives the SSO URL to send the browser to.
    func start(
        purpose: Purpose,
        userID: Int64?,
        scopes: [String],
        redirectURI: String,
        on connection: PostgresConnection
    ) throws -> Started {
        let state = Sessions.randomToken(bytes: 24)
        let verifier = Sessions.randomToken()
        let nonce = Sessions.randomToken()
        let login = SessionStore.PendingLogin(
            codeVerifier: verifier,
            purpose: purpose.rawValue,
            userID: userID,
            expiresAt: Date().addingTimeInterval(Self.lifetime),
            browserHash: Sessions.hash(nonce)
        )
        guard
            try SessionStore.beginLogin(state: state, login: login, maximumPending: Self.maximumPending, on: connection)
        else { throw HTTPError(.serviceUnavailable, message: Self.tooManyLogins) }
        let challenge = Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8))))
        return Started(
            url: self.sso.authorizeURL(redirectURI: redirectURI, scopes: scopes, state: state, challenge: challenge),
            browserNonce: nonce
        )
    }

    static let tooManyLogins = "Too many logins are under way right now. Please try again in a few minutes."
    static let otherBrowser = """
        This login was not started in this browser, or it was started more than ten minutes ago,         so it was not accepted: someone may have sent you a link to log you in as them.         Nothing was changed. Start the login again from this site.
        """

    struct Completed: Sendable {
        var purpose: Purpose
        /// The user the login was started by (adding a character), nil for a login.
        var userID: Int64?
        var grant: TokenGrant
        var token: VerifiedAccessToken
    }

    /// Takes the login of `state` (once: a replayed callback finds nothing) if `browserNonce` (the
    /// callback's cookie) is the one of the browser that started it, redeems the code with its
    /// verifier and verifies the access token.
    func complete(
        code: String,
        state: String,
        browserNonce: String?,
        redirectURI: String,
        pool: PostgresPool
    ) async throws -> Completed {
        let row = try await pool.withConnection { try SessionStore.takeLogin(state: state, on: $0) }
        guard let row else {
            throw Failure(description: "This login is unknown or was already used. Please log in again.")
        }
        guard let browserNonce, let bound = row.browserHash,
            Sessions.constantTimeEqual(bound.bytes, Sessions.hash(browserNonce).bytes)
        else { throw Failure(description: Self.otherBrowser) }
        guard row.expiresAt > Date() else {
            throw Failure(description: "This login took too long. Please log in again.")
        }
        let grant: TokenGrant
        do {
            grant = try await self.sso.exchange(code: code, verifier: row.codeVerifier, redirectURI: redirectURI)
        } catch {
            throw Failure(description: "EVE SSO did not accept the login: \(error.description)")
        }
        let token: VerifiedAccessToken
        do {
            token = try await self.sso.verify(grant.accessToken)
        } catch {
            throw Failure(description: "EVE SSO's token could not be verified: \(error)")
        }
        return Completed(
            purpose: Purpose(rawValue: row.purpose) ?? .login,
            userID: row.userID,
            grant: grant,
            token: token
        )
    }
}
