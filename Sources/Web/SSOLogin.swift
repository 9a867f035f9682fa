import Access
import Crypto
import ESI
import Foundation
import Postgres
import Sync

/// EVE SSO's authorization-code flow with state and PKCE (S256): a login proves that the person
/// controls the character (its owner hash), and "add character" grants the sync's scopes.
struct SSOLogin: Sendable {
    enum Purpose: String, Sendable {
        case login
        case addCharacter = "add_character"
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// 400: this login cannot finish; 503: none can start now.
        var status = 400
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
        try connection.execute("DELETE FROM access.sso_logins WHERE expires_at < now()")
        let pending: Int64 = try connection.query("SELECT count(*) FROM access.sso_logins")[0].get(0)
        guard pending < Self.maximumPending else { throw Failure(description: Self.tooManyLogins, status: 503) }
        let state = Sessions.randomToken(bytes: 24)
        let verifier = Sessions.randomToken()
        let nonce = Sessions.randomToken()
        try connection.execute(
            """
            INSERT INTO access.sso_logins (state, code_verifier, purpose, user_id, expires_at, browser_hash)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [state, verifier, purpose.rawValue, userID, Date().addingTimeInterval(Self.lifetime), Sessions.hash(nonce)]
        )
        let challenge = base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))
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
        let row = try await pool.withConnection { connection in
            try connection.query(
                """
                DELETE FROM access.sso_logins WHERE state = $1
                RETURNING code_verifier, purpose, user_id, expires_at, browser_hash
                """,
                [state]
            ).first.map { row in
                (
                    verifier: try row.get(0, as: String.self), purpose: try row.get(1, as: String.self),
                    user: try row.get(2, as: Int64?.self), expires: try row.get(3, as: Date.self),
                    browser: try row.get(4, as: ByteA?.self)
                )
            }
        }
        guard let row else {
            throw Failure(description: "This login is unknown or was already used. Please log in again.")
        }
        guard let browserNonce, let bound = row.browser,
            Sessions.constantTimeEqual(bound.bytes, Sessions.hash(browserNonce).bytes)
        else { throw Failure(description: Self.otherBrowser) }
        guard row.expires > Date() else { throw Failure(description: "This login took too long. Please log in again.") }
        let grant: TokenGrant
        do {
            grant = try await self.sso.exchange(code: code, verifier: row.verifier, redirectURI: redirectURI)
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
            userID: row.user,
            grant: grant,
            token: token
        )
    }

    /// The user a verified login belongs to: the owner of the character with this owner hash, or a
    /// new user, named after the character (`Name (id)`, `Name (id, 2)`, ... when a seller's user
    /// has the name already, so a character sold twice or more finds a free one). A character
    /// whose owner hash changed (sold to another account) is claimed by a new user and its old
    /// registration stops syncing: the old user does not get the new owner's data.
    static func user(
        for token: VerifiedAccessToken,
        defaultGroup: String?,
        on connection: PostgresConnection
    ) throws -> Int64 {
        let owned = try connection.query(
            "SELECT user_id, owner_hash FROM sync.ownerships WHERE character_id = $1",
            [token.characterID]
        ).first
        if let owned, try owned.get(1, as: String?.self) == token.ownerHash {
            return try owned.get(0)
        }
        // Sold: a new ownership epoch; the seller's user loses the character.
        try OwnershipEpochs.startIfOwnerChanged(token.characterID, ownerHash: token.ownerHash, on: connection)
        let user: Int64 = try connection.query(
            """
            INSERT INTO sync.users (name)
            SELECT candidate FROM (
                SELECT 0 AS n, $1 AS candidate
                UNION ALL SELECT 1, $1 || ' (' || $2::text || ')'
                UNION ALL SELECT n, $1 || ' (' || $2::text || ', ' || n || ')' FROM generate_series(2, 1000) n
            ) c
            WHERE NOT EXISTS (SELECT FROM sync.users u WHERE u.name = c.candidate)
            ORDER BY n LIMIT 1
            RETURNING id
            """,
            [token.characterName, token.characterID]
        )[0].get(0)
        try connection.execute(
            """
            INSERT INTO sync.ownerships (character_id, user_id, character_name, owner_hash) VALUES ($1, $2, $3, $4)
            ON CONFLICT (character_id) DO UPDATE SET user_id = excluded.user_id,
                character_name = excluded.character_name, owner_hash = excluded.owner_hash, known_at = now()
            """,
            [token.characterID, user, token.characterName, token.ownerHash]
        )
        if let defaultGroup {
            try connection.execute(
                """
                INSERT INTO access.user_groups SELECT $1, id FROM access.groups WHERE name = $2 AND NOT is_compliance
                ON CONFLICT DO NOTHING
                """,
                [user, defaultGroup]
            )
        }
        return user
    }
}
