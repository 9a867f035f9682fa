import Foundation
import Postgres

/// Ownership epochs (docs/access.md, schema 0010): a character whose owner hash changed was sold
/// to another EVE account, and what was fetched until then is the seller's past.
public enum OwnershipEpochs {
    /// Starts a new epoch when `ownerHash` is not the one the character is known by (registered
    /// or owned), in the caller's transaction; returns whether it did. The seller's user loses the
    /// character at once: its registration ends (the token is dead anyway; the buyer adds it
    /// again), so shares of it end and it is nobody's main; the seller no longer owns it, so it
    /// leaves their compliance state. Earlier events stay in the log for auditors, but out of the
    /// read models: the projection runner deletes the character's rows (`pending_reset`) and
    /// projects only events after the epoch's `through_position`, as a rebuild does.
    @discardableResult
    public static func startIfOwnerChanged(
        _ characterID: Int64,
        ownerHash: String,
        on connection: PostgresConnection
    ) throws -> Bool {
        let known = try connection.query(
            """
            SELECT owner_hash, user_id, name FROM sync.characters WHERE id = $1
            UNION ALL SELECT owner_hash, user_id, character_name FROM sync.ownerships WHERE character_id = $1
            """,
            [characterID]
        ).first
        guard let known, let knownHash = try known.get(0, as: String?.self), knownHash != ownerHash else {
            return false
        }
        let previousUser = try known.get(1, as: Int64.self)
        try connection.execute(
            """
            INSERT INTO sync.notifications (user_id, character_id, kind, message) VALUES ($1, $2, 'character_sold', $3)
            """,
            [
                previousUser, characterID,
                "\(try known.get(2, as: String.self)) moved to another EVE account: it is no longer yours here, "
                    + "and what was fetched while it was stays out of its new owner's sight.",
            ]
        )
        try connection.execute(
            """
            INSERT INTO sync.ownership_epochs (character_id, through_position, owner_hash, previous_user_id)
            VALUES ($1, (SELECT position FROM eventlog.head), $2, $3)
            """,
            [characterID, ownerHash, previousUser]
        )
        try connection.execute(
            """
            INSERT INTO sync.removed_characters (character_id, through_position, pending_reset)
            VALUES ($1, (SELECT position FROM eventlog.head), true)
            ON CONFLICT (character_id) DO UPDATE SET pending_reset = true,
                through_position = CASE WHEN sync.removed_characters.through_position IS NULL THEN NULL
                                        ELSE excluded.through_position END
            """,
            [characterID]
        )
        // Shares (ON DELETE CASCADE) and the main (SET NULL) go with the registration.
        try connection.execute("DELETE FROM sync.characters WHERE id = $1", [characterID])
        try connection.execute("DELETE FROM sync.ownerships WHERE character_id = $1", [characterID])
        return true
    }

    /// When the character's current epoch began; nil when it has had one owner.
    public static func currentStart(of characterID: Int64, on connection: PostgresConnection) throws -> Date? {
        try connection.query(
            "SELECT max(started_at) FROM sync.ownership_epochs WHERE character_id = $1",
            [characterID]
        )[0].get(0, as: Date?.self)
    }

    /// Every moment an epoch began, oldest first.
    public static func starts(of characterID: Int64, on connection: PostgresConnection) throws -> [Date] {
        try connection.query(
            "SELECT started_at FROM sync.ownership_epochs WHERE character_id = $1 ORDER BY started_at",
            [characterID]
        ).map { try $0.get(0, as: Date.self) }
    }
}
