import EventLog
import Foundation
import Postgres
import Vocabulary

/// Removing a character, and purging its events: the policy of docs/skill-sets.md.
///
/// *Remove* stops syncing a character and deletes every read-model and derived row of it; its
/// events stay in the log (the audit trail), and rebuilds skip them. *Purge* deletes a removed
/// character's events for good: the only destructive operation on the log.
public enum CharacterRemoval {
    public struct Removed: Sendable, Codable, Equatable {
        public var characterID: Int64
        /// Whether it was registered for syncing (false: only its read models and events were left).
        public var wasRegistered: Bool
        public var readModelRows: Int
    }

    /// Takes the projection lock for the rest of the transaction: no batch or rebuild swap
    /// interleaves with what follows (a removal's deletions).
    public static func lockProjections(on connection: PostgresConnection) throws {
        try connection.execute("SELECT pg_advisory_xact_lock($1)", [ProjectionRunner.lockKey])
    }

    /// Deletes every read-model and derived row of a removed character, under the projection lock
    /// (``lockProjections(on:)``). Returns the rows deleted.
    public static func deleteReadModels(of id: Int64, on connection: PostgresConnection) throws -> Int {
        try self.deleteReadModelRows(of: id, on: connection)
    }

    /// Deletes the read-model rows of characters whose ownership epoch began since (the sync marks
    /// them `pending_reset`; only the projections write read models). Called under the projection
    /// lock before a batch and before a rebuild's swap, so the new epoch starts empty.
    static func applyPendingResets(on connection: PostgresConnection) throws {
        let ids = try connection.query(
            "SELECT character_id FROM sync.removed_characters WHERE pending_reset ORDER BY 1"
        ).map { try $0.get(0, as: Int64.self) }
        guard !ids.isEmpty else { return }
        for id in ids { _ = try self.deleteReadModelRows(of: id, on: connection) }
        try connection.execute(
            "UPDATE sync.removed_characters SET pending_reset = false WHERE character_id = ANY($1)",
            [ids]
        )
    }

    /// Deletes a character's rows from every read-model table with a `character_id` column.
    static func deleteReadModelRows(of id: Int64, on connection: PostgresConnection) throws -> Int {
        let tables = try connection.query(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'readmodel' AND c.column_name = 'character_id' AND t.table_type = 'BASE TABLE'
            ORDER BY 1
            """
        ).map { try $0.get(0, as: String.self) }
        var deleted = 0
        for table in tables {
            deleted += try connection.execute("DELETE FROM readmodel.\"\(table)\" WHERE character_id = $1", [id])
        }
        return deleted
    }

    public struct Purged: Sendable, Codable, Equatable {
        public var characterID: Int64
        public var events: Int64
        public var payloads: Int64
    }

    /// Deletes a removed character's events, and the payloads no other event shares. Refused for a
    /// character that is still registered (remove it first).
    public static func purge(_ id: Int64, pool: PostgresPool) async throws -> Purged {
        try await pool.transaction { connection in
            guard try connection.query("SELECT 1 FROM sync.characters WHERE id = $1", [id]).isEmpty else {
                throw ProjectionError(
                    .stillRegistered,
                    "character \(id) is registered; remove it first (memberaudit characters remove \(id))"
                )
            }
            try connection.execute(
                "INSERT INTO sync.removed_characters (character_id) VALUES ($1) ON CONFLICT DO NOTHING",
                [id]
            )
            // Payloads other streams keep must not rest on one that goes with this stream.
            _ = try PayloadReencoding.keyframeDependants(ofStream: "character:\(id)", on: connection)
            let row = try connection.query(
                "SELECT events, payloads FROM eventlog.purge_stream($1)",
                ["character:\(id)"]
            )[0]
            // The audit index goes with the events (summaries of payloads no event keeps too).
            try connection.executeScript(
                """
                DELETE FROM audit.changes WHERE character_id = \(id);
                DELETE FROM audit.heads WHERE character_id = \(id);
                DELETE FROM audit.departed WHERE character_id = \(id);
                DELETE FROM audit.gaps WHERE character_id = \(id);
                DELETE FROM audit.counterparties WHERE character_id = \(id);
                DELETE FROM audit.asset_types a WHERE NOT EXISTS (SELECT FROM eventlog.payloads p WHERE p.hash = a.payload_hash);
                DELETE FROM audit.locations l WHERE NOT EXISTS (SELECT FROM eventlog.payloads p WHERE p.hash = l.payload_hash);
                """
            )
            return Purged(characterID: id, events: try row.get(0), payloads: try row.get(1))
        }
    }
}
