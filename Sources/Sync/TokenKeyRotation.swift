import Postgres
import TokenVault
import Vocabulary

/// Re-seals every stored token under a new token key.
///
/// All of it happens in one transaction that locks every character's row: either every token is
/// readable with the new key afterwards, or nothing changed. A token already sealed with the new
/// key is left as it is, so running the rotation again (after a worker that still had the old key
/// stored a refreshed token) finishes the job instead of failing. A token that opens with neither
/// key stops the rotation before anything is written, naming the character.
public struct TokenKeyRotation: Sendable {
    public struct Outcome: Sendable, Equatable {
        /// Characters whose tokens were sealed with the old key and are now sealed with the new one.
        public var resealed = 0
        /// Characters whose tokens were already sealed with the new key.
        public var alreadyNew = 0

        public init(resealed: Int = 0, alreadyNew: Int = 0) {
            self.resealed = resealed
            self.alreadyNew = alreadyNew
        }
    }

    let old: TokenCipher
    let new: TokenCipher

    public init(from old: TokenCipher, to new: TokenCipher) {
        self.old = old
        self.new = new
    }

    public func rotate(on pool: PostgresPool) async throws -> Outcome {
        try await pool.transaction { connection in try self.rotate(on: connection) }
    }

    /// Runs inside the caller's transaction.
    public func rotate(on connection: PostgresConnection) throws -> Outcome {
        let rows = try connection.query(
            "SELECT id, refresh_token, access_token FROM sync.characters ORDER BY id FOR UPDATE"
        )
        var outcome = Outcome()
        for row in rows {
            let id = try row.get(0, as: Int64.self)
            let refresh = try row.get(1, as: ByteA.self)
            let access = try row.get(2, as: ByteA?.self)
            guard let refreshToken = try self.resealed(refresh.bytes, characterID: id) else {
                // Already under the new key; an access token stored with it then is too, or is
                // dropped below when it is not.
                if let access, (try? self.new.open(access.bytes, characterID: id)) == nil {
                    try self.forgetAccessToken(of: id, on: connection)
                }
                outcome.alreadyNew += 1
                continue
            }
            // An access token that does not open with the old key is dropped rather than kept
            // unreadable: it is only a cache, the next sync refreshes it.
            let accessToken = access.flatMap { try? self.old.open($0.bytes, characterID: id) }
            try connection.execute(
                "UPDATE sync.characters SET refresh_token = $2, access_token = $3, "
                    + "access_token_expires_at = CASE WHEN $3::bytea IS NULL THEN NULL ELSE access_token_expires_at END "
                    + "WHERE id = $1",
                [
                    id, ByteA(try self.new.seal(refreshToken, characterID: id)),
                    try accessToken.map { ByteA(try self.new.seal($0, characterID: id)) },
                ]
            )
            outcome.resealed += 1
        }
        return outcome
    }

    /// The plain token when it is sealed with the old key; nil when it is sealed with the new one.
    private func resealed(_ sealed: [UInt8], characterID: Int64) throws -> String? {
        if let token = try? self.old.open(sealed, characterID: characterID) { return token }
        if (try? self.new.open(sealed, characterID: characterID)) != nil { return nil }
        throw SyncError(
            .tokenKeyMismatch,
            "the refresh token of character \(characterID) opens with neither the old nor the new key; nothing was changed"
        )
    }

    private func forgetAccessToken(of id: Int64, on connection: PostgresConnection) throws {
        try connection.execute(
            "UPDATE sync.characters SET access_token = NULL, access_token_expires_at = NULL WHERE id = $1",
            [id]
        )
    }
}

extension ErrorCode where Owner == SyncErrorCodes {
    /// A stored token that opens with neither key of a rotation.
    public static let tokenKeyMismatch = Self("token_key_mismatch", .invalidInput)
}
