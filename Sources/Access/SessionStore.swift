import Foundation
import Postgres

/// The rows behind web sessions and EVE SSO logins under way: `access.sessions` and
/// `access.sso_logins`. Tokens never reach the database, only their hashes (the web app makes
/// and hashes them, and sets the cookies).
public enum SessionStore {
    public struct Session: Sendable {
        public var userID: Int64
        public var csrfToken: String
        public var expiresAt: Date
    }

    public static func create(
        tokenHash: ByteA,
        userID: Int64,
        csrfToken: String,
        expiresAt: Date,
        on connection: PostgresConnection
    ) throws {
        try connection.execute(
            "INSERT INTO access.sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
            [tokenHash, userID, csrfToken, expiresAt]
        )
    }

    /// The live session with this token hash; nil if unknown or expired (an expired one is deleted).
    public static func find(tokenHash: ByteA, on connection: PostgresConnection) throws -> Session? {
        guard
            let row = try connection.query(
                "SELECT user_id, csrf_token, expires_at FROM access.sessions WHERE token_hash = $1",
                [tokenHash]
            ).first
        else { return nil }
        let session = Session(userID: try row.get(0), csrfToken: try row.get(1), expiresAt: try row.get(2))
        guard session.expiresAt > Date() else {
            try self.delete(tokenHash: tokenHash, on: connection)
            return nil
        }
        return session
    }

    public static func delete(tokenHash: ByteA, on connection: PostgresConnection) throws {
        try connection.execute("DELETE FROM access.sessions WHERE token_hash = $1", [tokenHash])
    }

    /// Drops expired sessions and abandoned SSO logins.
    public static func deleteExpired(on connection: PostgresConnection) throws {
        try connection.executeScript(
            """
            DELETE FROM access.sessions WHERE expires_at < now();
            DELETE FROM access.sso_logins WHERE expires_at < now();
            """
        )
    }

    // MARK: - Logins under way

    public struct PendingLogin: Sendable {
        public var codeVerifier: String
        public var purpose: String
        /// The user who started it (adding a character); nil for a login.
        public var userID: Int64?
        public var expiresAt: Date
        public var browserHash: ByteA?

        public init(codeVerifier: String, purpose: String, userID: Int64?, expiresAt: Date, browserHash: ByteA?) {
            self.codeVerifier = codeVerifier
            self.purpose = purpose
            self.userID = userID
            self.expiresAt = expiresAt
            self.browserHash = browserHash
        }
    }

    /// Records a login under way. False, and nothing recorded, when `maximumPending` are already
    /// under way (expired ones are dropped first).
    public static func beginLogin(
        state: String,
        login: PendingLogin,
        maximumPending: Int,
        on connection: PostgresConnection
    ) throws -> Bool {
        try connection.execute("DELETE FROM access.sso_logins WHERE expires_at < now()")
        let pending: Int64 = try connection.query("SELECT count(*) FROM access.sso_logins")[0].get(0)
        guard pending < maximumPending else { return false }
        try connection.execute(
            """
            INSERT INTO access.sso_logins (state, code_verifier, purpose, user_id, expires_at, browser_hash)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [state, login.codeVerifier, login.purpose, login.userID, login.expiresAt, login.browserHash]
        )
        return true
    }

    /// Takes the login of `state`, once: a replayed callback finds nothing.
    public static func takeLogin(state: String, on connection: PostgresConnection) throws -> PendingLogin? {
        try connection.query(
            """
            DELETE FROM access.sso_logins WHERE state = $1
            RETURNING code_verifier, purpose, user_id, expires_at, browser_hash
            """,
            [state]
        ).first.map { row in
            PendingLogin(
                codeVerifier: try row.get(0),
                purpose: try row.get(1),
                userID: try row.get(2),
                expiresAt: try row.get(3),
                browserHash: try row.get(4)
            )
        }
    }
}
