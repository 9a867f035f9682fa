import ESI
import Postgres
import Vocabulary

/// Users: who registers characters and logs in. The one writer of `sync.users`; what a user may
/// do is `Access`'s (groups and permissions), which reads this table.
public enum Users {
    /// The id of the user with `name`, created when new.
    public static func id(named name: String, on connection: PostgresConnection) throws -> Int64 {
        try connection.query(
            """
            INSERT INTO sync.users (name) VALUES ($1)
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id
            """,
            [name]
        )[0].get(0, as: Int64.self)
    }

    /// The user a verified login belongs to: the owner of the character with this owner hash, or a
    /// new user, named after the character (`Name (id)`, `Name (id, 2)`, ... when a seller's user
    /// has the name already, so a character sold twice or more finds a free one). A character
    /// whose owner hash changed (sold to another account) is claimed by the new user and its old
    /// registration stops syncing: the old user does not get the new owner's data.
    ///
    /// - Returns: the user's id and whether it was created by this login.
    public static func forLogin(
        _ token: VerifiedAccessToken,
        on connection: PostgresConnection
    ) throws -> (id: Int64, isNew: Bool) {
        let owned = try connection.query(
            "SELECT user_id, owner_hash FROM sync.ownerships WHERE character_id = $1",
            [token.characterID]
        ).first
        if let owned, try owned.get(1, as: String?.self) == token.ownerHash {
            return (try owned.get(0), false)
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
        try Registry.recordOwnership(
            characterID: token.characterID,
            name: token.characterName,
            ownerHash: token.ownerHash,
            userID: user,
            on: connection
        )
        return (user, true)
    }

    /// Gives or takes the superuser flag (every permission). False when there is no such user.
    @discardableResult
    public static func setSuperuser(_ userID: Int64, _ value: Bool, on connection: PostgresConnection) throws -> Bool {
        try connection.execute("UPDATE sync.users SET is_superuser = $2 WHERE id = $1", [userID, value]) > 0
    }

    /// Makes one of the user's registered characters their main.
    public static func setMain(userID: Int64, characterID: Int64, on connection: PostgresConnection) throws {
        let owned = try connection.query(
            "SELECT FROM sync.characters WHERE id = $1 AND user_id = $2",
            [characterID, userID]
        )
        guard !owned.isEmpty else {
            throw SyncError(.notRegisteredToUser, "character \(characterID) is not a registered character of this user")
        }
        try connection.execute("UPDATE sync.users SET main_character_id = $2 WHERE id = $1", [userID, characterID])
    }

    /// Makes the character the user's main when they have none (their first registration).
    static func setMainIfNone(userID: Int64, characterID: Int64, on connection: PostgresConnection) throws {
        try connection.execute(
            "UPDATE sync.users SET main_character_id = $2 WHERE id = $1 AND main_character_id IS NULL",
            [userID, characterID]
        )
    }
}
