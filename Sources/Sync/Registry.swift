import ESI
import EventLog
import Foundation
import Postgres
import TokenVault
import Vocabulary

/// A registered character as `characters list` shows it.
public struct RegisteredCharacter: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var user: String
    public var isMain: Bool
    public var scopes: [String]
    public var tokenState: String
    public var tokenError: String?
    public var enabled: Bool
    public var registeredAt: Date
}

/// A message for a user.
public struct Notification: Sendable, Equatable, Codable {
    public var user: String
    public var characterID: Int64?
    public var kind: String
    public var message: String
    public var createdAt: Date
}

/// Users, their characters and their tokens.
public struct Registry: Sendable {
    public let pool: PostgresPool
    public let cipher: TokenCipher

    public init(pool: PostgresPool, cipher: TokenCipher) {
        self.pool = pool
        self.cipher = cipher
    }

    /// Registers a character from a refresh token: refreshes it once (the SSO may rotate it), verifies
    /// the access token, stores both sealed, and queues every section for a sync now.
    ///
    /// - Parameter user: the owning user's name; the character's name when nil.
    public func register(
        refreshToken: String,
        user: String?,
        sso: SSOClient,
        sections: [Section]
    ) async throws -> RegisteredCharacter {
        try await self.register(refreshToken: refreshToken, user: user, sso: sso, sections: sections) { _ in }.0
    }

    /// Registers a character and runs `consequences` in the same transaction (what other modules
    /// keep in step with registrations: compliance groups).
    public func register<T: Sendable>(
        refreshToken: String,
        user: String?,
        sso: SSOClient,
        sections: [Section],
        consequences: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> (RegisteredCharacter, T) {
        let (grant, verified) = try await Self.redeem(refreshToken, sso: sso)
        return try await self.add(
            verified: verified,
            refreshToken: grant.refreshToken,
            accessToken: grant.accessToken,
            expiresAt: sso.configuration.clock.now().addingTimeInterval(grant.expiresIn),
            user: user ?? verified.characterName,
            sections: sections,
            consequences: consequences
        )
    }

    /// Refreshes a token once (the SSO may rotate it) and verifies the access token it gives.
    private static func redeem(_ refreshToken: String, sso: SSOClient) async throws -> (TokenGrant, VerifiedAccessToken)
    {
        let grant: TokenGrant
        do {
            grant = try await sso.refresh(refreshToken)
        } catch {
            throw SyncError(.ssoFailed, error.description)
        }
        do {
            return (grant, try await sso.verify(grant.accessToken))
        } catch let error as JWTError {
            throw SyncError(.tokenRefused, "the SSO's access token was refused: \(error.description)")
        }
    }

    /// Stores a verified character and runs `consequences` in the same transaction. Registering
    /// it again replaces its token and re-enables it.
    public func add<T: Sendable>(
        verified: VerifiedAccessToken,
        refreshToken: String,
        accessToken: String,
        expiresAt: Date,
        user: String,
        sections: [Section],
        consequences: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> (RegisteredCharacter, T) {
        let id = verified.characterID
        let sealedRefresh = ByteA(try self.cipher.seal(refreshToken, characterID: id))
        let sealedAccess = ByteA(try self.cipher.seal(accessToken, characterID: id))
        let user = user.trimmingCharacters(in: .whitespaces)
        guard !user.isEmpty else { throw SyncError(.emptyUserName, "a user name cannot be empty") }
        let result = try await self.pool.transaction { connection in
            let userID = try Users.id(named: user, on: connection)
            // Added by an account other than the one it was known under: sold, a new epoch.
            try OwnershipEpochs.startIfOwnerChanged(id, ownerHash: verified.ownerHash, on: connection)
            try connection.execute(
                """
                INSERT INTO sync.characters (id, name, user_id, owner_hash, scopes, refresh_token, access_token,
                    access_token_expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, user_id = EXCLUDED.user_id,
                    owner_hash = EXCLUDED.owner_hash, scopes = EXCLUDED.scopes,
                    refresh_token = EXCLUDED.refresh_token, access_token = EXCLUDED.access_token,
                    access_token_expires_at = EXCLUDED.access_token_expires_at, refresh_lease_until = NULL,
                    token_state = 'valid', token_error = NULL, token_error_at = NULL, enabled = true,
                    owner_changed_at = NULL
                """,
                [
                    id, verified.characterName, userID, verified.ownerHash, verified.scopes, sealedRefresh,
                    sealedAccess, expiresAt,
                ]
            )
            try Users.setMainIfNone(userID: userID, characterID: id, on: connection)
            try Self.recordOwnership(
                characterID: id,
                name: verified.characterName,
                ownerHash: verified.ownerHash,
                userID: userID,
                on: connection
            )
            // Registered again after a removal: synced afresh; its events until now stay out of the
            // read models, so the incremental tables and a rebuild agree.
            try connection.execute(
                """
                UPDATE sync.removed_characters SET through_position = (SELECT position FROM eventlog.head)
                WHERE character_id = $1 AND through_position IS NULL
                """,
                [id]
            )
            try connection.execute(
                """
                INSERT INTO sync.work (character_id, section) SELECT $1, unnest($2::text[])
                ON CONFLICT (character_id, section) DO UPDATE SET due_at = now(), failures = 0
                """,
                [id, sections.map(\.rawValue)]
            )
            return try consequences(connection)
        }
        guard let character = try await self.list(id).first else {
            throw SyncError(.characterVanished, "character \(id) vanished while it was registered")
        }
        return (character, result)
    }

    /// Records that a user owns a character (it then counts as theirs in compliance reports,
    /// registered or not). A character proved to belong to another user moves to that user, who
    /// knows it from now on (`known_at`); the same user keeps the moment they first knew it.
    static func recordOwnership(
        characterID: Int64,
        name: String,
        ownerHash: String,
        userID: Int64,
        on connection: PostgresConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO sync.ownerships (character_id, user_id, character_name, owner_hash) VALUES ($1, $2, $3, $4)
            ON CONFLICT (character_id) DO UPDATE SET user_id = excluded.user_id,
                character_name = excluded.character_name, owner_hash = excluded.owner_hash,
                known_at = CASE WHEN sync.ownerships.user_id = excluded.user_id THEN sync.ownerships.known_at
                                ELSE now() END
            """,
            [characterID, userID, name, ownerHash]
        )
    }

    /// Records a user's ownership of a character from a login (an SSO token, whatever its scopes)
    /// without registering it for syncing: a known, unregistered character. Returns the user.
    public func claim(
        refreshToken: String,
        user: String?,
        sso: SSOClient
    ) async throws -> (
        characterID: Int64, characterName: String, user: String
    ) {
        let (_, verified) = try await Self.redeem(refreshToken, sso: sso)
        let userName = (user ?? verified.characterName).trimmingCharacters(in: .whitespaces)
        guard !userName.isEmpty else { throw SyncError(.emptyUserName, "a user name cannot be empty") }
        try await self.pool.transaction { connection in
            let userID = try Users.id(named: userName, on: connection)
            try OwnershipEpochs.startIfOwnerChanged(verified.characterID, ownerHash: verified.ownerHash, on: connection)
            try Self.recordOwnership(
                characterID: verified.characterID,
                name: verified.characterName,
                ownerHash: verified.ownerHash,
                userID: userID,
                on: connection
            )
        }
        return (verified.characterID, verified.characterName, userName)
    }

    /// Stops syncing a character: deletes its registration (token, queue) and records it as removed,
    /// so its events until now stay out of the read models (rebuilds skip them too). Nothing when
    /// the character was never registered and has no events. Returns whether it was registered.
    public static func unregister(
        _ id: Int64,
        on connection: PostgresConnection
    ) throws -> (
        registered: Bool, known: Bool
    ) {
        let registered = try connection.execute("DELETE FROM sync.characters WHERE id = $1", [id]) > 0
        let known = try EventStore.hasEvents(.character(id), on: connection)
        guard registered || known else { return (false, false) }
        try connection.execute(
            """
            INSERT INTO sync.removed_characters (character_id) VALUES ($1)
            ON CONFLICT (character_id) DO UPDATE SET through_position = NULL, removed_at = now()
            """,
            [id]
        )
        return (registered, known)
    }

    /// Forgets every stored access token, so the next sync of each character refreshes its token
    /// (tests that move the simulator's clock on).
    package static func forgetAccessTokens(on connection: PostgresConnection) throws {
        try connection.execute("UPDATE sync.characters SET access_token = NULL, access_token_expires_at = NULL")
    }

    /// The names of characters the user proved to own at a login but did not register.
    public static func unregisteredCharacters(
        ofUser userID: Int64,
        on connection: PostgresConnection
    ) throws
        -> [String]
    {
        try connection.query(
            """
            SELECT o.character_name FROM sync.ownerships o
            WHERE o.user_id = \(userID) AND NOT EXISTS (SELECT FROM sync.characters c WHERE c.id = o.character_id)
            ORDER BY 1
            """
        ).map { try $0.get(0) }
    }

    /// The user's registered characters but `except`, the main first, then by name.
    public static func characters(
        ofUser userID: Int64,
        except: Int64? = nil,
        on connection: PostgresConnection
    ) throws -> [(id: Int64, name: String, isMain: Bool)] {
        try connection.query(
            """
            SELECT c.id, c.name, u.main_character_id IS NOT DISTINCT FROM c.id
            FROM sync.characters c JOIN sync.users u ON u.id = c.user_id
            WHERE c.user_id = \(userID) AND c.id IS DISTINCT FROM \(except) ORDER BY 3 DESC, 2
            """
        ).map { try $0.decode((Int64, String, Bool).self) }
    }

    /// Registered characters, or the one with `id`.
    public func list(_ id: Int64? = nil) async throws -> [RegisteredCharacter] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT c.id, c.name, u.name, u.main_character_id IS NOT DISTINCT FROM c.id, array_to_string(c.scopes, ' '),
                    c.token_state,
                    c.token_error, c.enabled, c.registered_at
                FROM sync.characters c JOIN sync.users u ON u.id = c.user_id
                WHERE $1::int8 IS NULL OR c.id = $1
                ORDER BY u.name, c.name
                """,
                [id]
            ).map { row in
                RegisteredCharacter(
                    id: try row.get(0),
                    name: try row.get(1),
                    user: try row.get(2),
                    isMain: try row.get(3),
                    scopes: try row.get(4, as: String.self).split(separator: " ").map(String.init),
                    tokenState: try row.get(5),
                    tokenError: try row.get(6),
                    enabled: try row.get(7),
                    registeredAt: try row.get(8)
                )
            }
        }
    }

    /// Makes every section of the character due now, so the next worker pass updates it. False
    /// when the character has no work (unknown or never queued).
    public static func requestUpdate(_ id: Int64, on connection: PostgresConnection) throws -> Bool {
        try connection.execute("UPDATE sync.work SET due_at = now() WHERE character_id = \(id)") > 0
    }

    /// Enables or disables syncing a character. False when unknown.
    public func setEnabled(_ id: Int64, _ enabled: Bool) async throws -> Bool {
        try await self.pool.withConnection { connection in
            let changed = try connection.execute(
                "UPDATE sync.characters SET enabled = $2 WHERE id = $1",
                [id, enabled]
            )
            if enabled {
                try connection.execute("UPDATE sync.work SET due_at = now() WHERE character_id = $1", [id])
            }
            return changed > 0
        }
    }

    public func notifications() async throws -> [Notification] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT u.name, n.character_id, n.kind, n.message, n.created_at
                FROM sync.notifications n JOIN sync.users u ON u.id = n.user_id ORDER BY n.id
                """
            ).map { row in
                Notification(
                    user: try row.get(0),
                    characterID: try row.get(1),
                    kind: try row.get(2),
                    message: try row.get(3),
                    createdAt: try row.get(4)
                )
            }
        }
    }
}

/// A sync problem: its code (what went wrong, with its kind) and a message in words.
public typealias SyncError = ModuleError<SyncErrorCodes>

/// The codes of ``SyncError``.
public enum SyncErrorCodes {}

extension ErrorCode where Owner == SyncErrorCodes {
    /// The SSO did not renew the refresh token (revoked, or the SSO is down).
    public static let ssoFailed = Self("sso_failed", .unavailable)
    /// The SSO's access token did not verify.
    public static let tokenRefused = Self("token_refused", .unavailable)
    public static let emptyUserName = Self("empty_user_name", .invalidInput)
    /// A character registered in this transaction was gone at its end: a bug.
    public static let characterVanished = Self("character_vanished", .failure)
    public static let notRegisteredToUser = Self("not_registered_to_user", .invalidInput)
}
