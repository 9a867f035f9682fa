import Foundation
import Postgres

/// What users are told in their inbox (`sync.notifications`): a token that stopped working, a
/// character sold to another account, a character they could see removed. Sync is the one writer
/// of the table; the web's inbox reads and marks through these functions.
public enum Notifications {
    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var characterID: Int64?
        /// `token_invalid`, `character_sold`, `character_removed`, ...
        public var kind: String
        public var message: String
        public var createdAt: Date
        public var read: Bool
    }

    public static func add(
        user: Int64,
        character: Int64?,
        kind: String,
        message: String,
        on connection: PostgresConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO sync.notifications (user_id, character_id, kind, message)
            VALUES (\(user), \(character), \(kind), \(message))
            """
        )
    }

    /// The user's newest notifications, newest first.
    public static func inbox(ofUser user: Int64, limit: Int = 200, on connection: PostgresConnection) throws -> [Entry]
    {
        try connection.query(
            """
            SELECT id, character_id, kind, message, created_at, read_at IS NOT NULL FROM sync.notifications
            WHERE user_id = \(user) ORDER BY created_at DESC, id DESC LIMIT \(Int64(limit))
            """
        ).map { row in
            let (id, character, kind, message, created, read) = try row.decode(
                (Int64, Int64?, String, String, Date, Bool).self
            )
            return Entry(id: id, characterID: character, kind: kind, message: message, createdAt: created, read: read)
        }
    }

    /// Marks every notification of the user read; returns how many were unread.
    @discardableResult
    public static func markAllRead(ofUser user: Int64, on connection: PostgresConnection) throws -> Int {
        try connection.execute(
            "UPDATE sync.notifications SET read_at = now() WHERE user_id = \(user) AND read_at IS NULL"
        )
    }

    /// What the menu counts for the user: notifications not read yet, and characters that need
    /// them (registered ones whose token no longer works or that are disabled, and ones they proved
    /// to own at a login but did not register). One query: it runs on every page.
    public static func counts(
        ofUser user: Int64,
        on connection: PostgresConnection
    ) throws -> (
        unread: Int64, attention: Int64
    ) {
        try connection.query(
            """
            SELECT (SELECT count(*) FROM sync.notifications n WHERE n.user_id = \(user) AND n.read_at IS NULL),
                   (SELECT count(*) FROM sync.characters c
                    WHERE c.user_id = \(user) AND (c.token_state <> 'valid' OR NOT c.enabled))
                 + (SELECT count(*) FROM sync.ownerships o
                    WHERE o.user_id = \(user) AND NOT EXISTS (SELECT FROM sync.characters c WHERE c.id = o.character_id))
            """
        )[0].decode((Int64, Int64).self)
    }
}
