import Access
import Crypto
import Foundation
import Hummingbird
import Postgres
import Vocabulary

/// Web sessions: a random token in an HTTP-only cookie, its SHA-256 in `access.sessions` (kept by
/// `Access.SessionStore`), and a CSRF token per session that every form and state-changing API
/// call must carry.
enum Sessions {
    static let cookieName = "memberaudit_session"
    /// The browser binding of a login under way (see ``SSOLogin``).
    static let loginCookieName = "memberaudit_login"

    /// On https a cookie's name carries the `__Host-` prefix: browsers then take it only if it is
    /// Secure, has no Domain and the path `/`, so no other host (a sibling subdomain) can plant it.
    static func name(_ name: String, secure: Bool) -> String { secure ? "__Host-" + name : name }

    /// 32 random bytes, base64url: a session token, a CSRF token, an SSO state or a PKCE verifier.
    static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func hash(_ token: String) -> ByteA { ByteA(Array(SHA256.hash(data: Array(token.utf8)))) }

    /// Starts a session; returns the cookie's token.
    static func create(userID: Int64, lifetime: TimeInterval, on connection: PostgresConnection) throws -> String {
        let token = self.randomToken()
        try SessionStore.create(
            tokenHash: self.hash(token),
            userID: userID,
            csrfToken: self.randomToken(),
            expiresAt: Date().addingTimeInterval(lifetime),
            on: connection
        )
        return token
    }

    /// The live session of a cookie token; nil if unknown or expired (an expired one is deleted).
    static func find(_ token: String, on connection: PostgresConnection) throws -> SessionStore.Session? {
        try SessionStore.find(tokenHash: self.hash(token), on: connection)
    }

    static func delete(_ token: String, on connection: PostgresConnection) throws {
        try SessionStore.delete(tokenHash: self.hash(token), on: connection)
    }

    static func cookie(_ token: String, lifetime: TimeInterval, secure: Bool) -> Cookie {
        Cookie(
            name: self.name(self.cookieName, secure: secure),
            value: token,
            maxAge: Int(lifetime),
            path: "/",
            secure: secure,
            httpOnly: true,
            sameSite: .lax
        )
    }

    static func clearingCookie(secure: Bool) -> Cookie { self.cookie("", lifetime: 0, secure: secure) }

    /// The login's nonce for the callback: only under `/sso` on http; on https the `__Host-`
    /// prefix demands the path `/`, and is the stronger guarantee.
    static func loginCookie(_ nonce: String, lifetime: TimeInterval = SSOLogin.lifetime, secure: Bool) -> Cookie {
        Cookie(
            name: self.name(self.loginCookieName, secure: secure),
            value: nonce,
            maxAge: Int(lifetime),
            path: secure ? "/" : "/sso",
            secure: secure,
            httpOnly: true,
            sameSite: .lax
        )
    }

    static func clearingLoginCookie(secure: Bool) -> Cookie { self.loginCookie("", lifetime: 0, secure: secure) }

    /// Compares in time independent of where the strings differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        self.constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    static func constantTimeEqual(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
