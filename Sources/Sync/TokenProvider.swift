import ESI
import Foundation
import Observability
import Postgres
import Synchronization
import TokenVault

/// Why a character's section cannot be synced for want of a token.
enum TokenProblem: Error, Sendable {
    /// The refresh token is dead (revoked, superseded, moved account): a new login is needed.
    case invalid(String)
    /// The SSO could not answer now.
    case unavailable(String)
}

/// A usable access token and what it allows.
struct AccessToken: Sendable {
    var token: String
    var scopes: Set<String>
    /// Local time after which it is not used (a minute before the SSO's expiry).
    var usableUntil: Date
}

/// Hands out access tokens: from this process's cache, from the database (another worker's
/// refresh), or from a refresh at the SSO — by one worker at a time per character, under a short
/// lease in the character's row, so a rotated refresh token is never used twice.
final class TokenProvider: Sendable {
    let pool: PostgresPool
    let cipher: TokenCipher
    let sso: SSOClient
    let notify: Bool
    /// The SSO's time: access tokens expire by it.
    var clock: TimeSource { self.sso.configuration.clock }
    private let cache = Mutex<[Int64: AccessToken]>([:])
    private let inFlight = Mutex<[Int64: Task<AccessToken, any Error>]>([:])

    init(pool: PostgresPool, cipher: TokenCipher, sso: SSOClient, notify: Bool) {
        self.pool = pool
        self.cipher = cipher
        self.sso = sso
        self.notify = notify
    }

    func token(for characterID: Int64) async throws -> AccessToken {
        if let cached = self.cache.withLock({ $0[characterID] }), cached.usableUntil > self.clock.now() {
            return cached
        }
        // The sections of one character usually come together: one lookup serves them all.
        let (task, isNew) = self.inFlight.withLock { inFlight in
            if let running = inFlight[characterID] { return (running, false) }
            let task = Task { try await self.lookUp(characterID) }
            inFlight[characterID] = task
            return (task, true)
        }
        defer { if isNew { self.inFlight.withLock { $0[characterID] = nil } } }
        return try await task.value
    }

    private func lookUp(_ characterID: Int64) async throws -> AccessToken {
        for _ in 0..<300 {
            if let stored = try await self.stored(characterID) {
                self.cache.withLock { $0[characterID] = stored }
                return stored
            }
            if let sealed = try await self.takeRefreshLease(characterID) {
                return try await self.refresh(characterID, sealedRefreshToken: sealed)
            }
            // Another worker is refreshing this character's token: its result will be stored.
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TokenProblem.unavailable("another worker held the token refresh of character \(characterID) for too long")
    }

    /// Forgets the access token ESI refused as expired (a clock ahead of ours): the next section
    /// of the character refreshes it.
    func discard(_ characterID: Int64, token: String) async throws {
        self.cache.withLock { cache in
            if cache[characterID]?.token == token { cache[characterID] = nil }
        }
        let sealed: ByteA? = try await self.pool.withConnection { connection in
            try connection.query("SELECT access_token FROM sync.characters WHERE id = $1", [characterID]).first
                .flatMap { try $0.get(0, as: ByteA?.self) }
        }
        // Only if no other worker has stored a newer one meanwhile.
        guard let sealed, (try? self.cipher.open(sealed.bytes, characterID: characterID)) == token else { return }
        try await self.pool.withConnection { connection in
            try connection.execute(
                "UPDATE sync.characters SET access_token = NULL, access_token_expires_at = NULL WHERE id = $1",
                [characterID]
            )
        }
    }

    /// The stored access token, if still usable; throws when the token is known to be invalid.
    private func stored(_ characterID: Int64) async throws -> AccessToken? {
        let row = try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT token_state, token_error, access_token, access_token_expires_at, array_to_string(scopes, ' ')
                FROM sync.characters WHERE id = $1
                """,
                [characterID]
            ).first.map { row in
                (
                    try row.get(0, as: String.self), try row.get(1, as: String?.self), try row.get(2, as: ByteA?.self),
                    try row.get(3, as: Date?.self), try row.get(4, as: String.self)
                )
            }
        }
        guard let (state, error, sealed, expiry, scopes) = row else {
            throw TokenProblem.invalid("character \(characterID) is not registered")
        }
        guard state == "valid" else { throw TokenProblem.invalid(error ?? "the character's token is invalid") }
        guard let sealed, let expiry, expiry.addingTimeInterval(-60) > self.clock.now() else { return nil }
        let token = try self.cipher.open(sealed.bytes, characterID: characterID)
        return AccessToken(
            token: token,
            scopes: Set(scopes.split(separator: " ").map(String.init)),
            usableUntil: expiry.addingTimeInterval(-60)
        )
    }

    private func takeRefreshLease(_ characterID: Int64) async throws -> ByteA? {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                UPDATE sync.characters SET refresh_lease_until = now() + interval '30 seconds'
                WHERE id = $1 AND token_state = 'valid' AND (refresh_lease_until IS NULL OR refresh_lease_until < now())
                RETURNING refresh_token
                """,
                [characterID]
            ).first.map { try $0.get(0, as: ByteA.self) }
        }
    }

    private func refresh(_ characterID: Int64, sealedRefreshToken: ByteA) async throws -> AccessToken {
        let refreshToken = try self.cipher.open(sealedRefreshToken.bytes, characterID: characterID)
        let grant: TokenGrant
        do {
            grant = try await self.sso.refresh(refreshToken)
        } catch let error where error.kind == .invalidGrant {
            try await self.invalidate(characterID, reason: error.description)
            throw TokenProblem.invalid(error.description)
        } catch {
            Measure.tokenFailed(kind: "unavailable")
            try await self.releaseLease(characterID)
            throw TokenProblem.unavailable(error.description)
        }
        // From here on the old refresh token may be dead: the new one must be stored whatever else happens.
        let verified: VerifiedAccessToken
        do {
            verified = try await self.verify(grant.accessToken)
        } catch {
            Measure.tokenFailed(kind: "unavailable")
            try await self.store(characterID, grant: grant, verified: nil)
            throw TokenProblem.unavailable("the SSO's access token was refused: \(error)")
        }
        guard verified.characterID == characterID else {
            try await self.store(characterID, grant: grant, verified: nil)
            try await self.invalidate(
                characterID,
                reason: "the SSO issued a token for character \(verified.characterID) instead"
            )
            throw TokenProblem.invalid("the token belongs to another character")
        }
        let ownerChanged = try await self.store(characterID, grant: grant, verified: verified)
        if ownerChanged {
            let reason =
                "the character moved to another EVE account (its owner hash changed); its owner must add it again"
            try await self.invalidate(characterID, reason: reason)
            // Sold: the seller's past ends here, and the registration with it.
            try await self.pool.transaction { connection in
                try OwnershipEpochs.startIfOwnerChanged(characterID, ownerHash: verified.ownerHash, on: connection)
            }
            throw TokenProblem.invalid(reason)
        }
        let token = AccessToken(
            token: grant.accessToken,
            scopes: Set(verified.scopes),
            usableUntil: self.clock.now().addingTimeInterval(grant.expiresIn - 60)
        )
        self.cache.withLock { $0[characterID] = token }
        return token
    }

    /// Verifies with the SSO's keys (cached by the SSO client, refetched for an unknown key).
    private func verify(_ token: String) async throws -> VerifiedAccessToken {
        try await self.sso.verify(token)
    }

    /// Stores a refreshed grant; returns true when the owner hash differs from the registered one.
    @discardableResult
    private func store(_ characterID: Int64, grant: TokenGrant, verified: VerifiedAccessToken?) async throws -> Bool {
        let refresh = ByteA(try self.cipher.seal(grant.refreshToken, characterID: characterID))
        let access = verified == nil ? nil : ByteA(try self.cipher.seal(grant.accessToken, characterID: characterID))
        let expires = self.clock.now().addingTimeInterval(grant.expiresIn)
        let scopes = verified?.scopes
        let owner = verified?.ownerHash
        return try await self.pool.withConnection { connection in
            try connection.query(
                """
                UPDATE sync.characters SET refresh_token = $2, access_token = $3, access_token_expires_at = $4,
                    scopes = coalesce($5, scopes), refresh_lease_until = NULL,
                    owner_changed_at = CASE WHEN $6::text IS NOT NULL AND $6 <> owner_hash THEN now() END
                WHERE id = $1
                RETURNING owner_changed_at IS NOT NULL
                """,
                [characterID, refresh, access, access == nil ? nil : expires, scopes, owner]
            ).first?.get(0, as: Bool.self) ?? false
        }
    }

    private func releaseLease(_ characterID: Int64) async throws {
        try await self.pool.withConnection { connection in
            try connection.execute("UPDATE sync.characters SET refresh_lease_until = NULL WHERE id = $1", [characterID])
        }
    }

    /// Marks the token invalid, which suspends every section, and tells the owner once.
    private func invalidate(_ characterID: Int64, reason: String) async throws {
        Measure.tokenFailed(kind: "invalid")
        self.cache.withLock { $0[characterID] = nil }
        let notify = self.notify
        try await self.pool.transaction { connection in
            let wasValid = try connection.query(
                """
                UPDATE sync.characters c SET token_state = 'invalid', token_error = $2, token_error_at = now(),
                    refresh_lease_until = NULL, access_token = NULL
                FROM (SELECT id, token_state FROM sync.characters WHERE id = $1 FOR UPDATE) old
                WHERE c.id = old.id
                RETURNING old.token_state = 'valid', c.user_id, c.name
                """,
                [characterID, reason]
            ).first
            guard let wasValid, try wasValid.get(0, as: Bool.self), notify else { return }
            try connection.execute(
                """
                INSERT INTO sync.notifications (user_id, character_id, kind, message) VALUES ($1, $2, 'token_invalid', $3)
                """,
                [
                    try wasValid.get(1, as: Int64.self), characterID,
                    "Member Audit can no longer sync \(try wasValid.get(2, as: String.self)): \(reason). Please add the character again.",
                ]
            )
        }
    }
}
