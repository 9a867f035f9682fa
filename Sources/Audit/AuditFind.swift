import Foundation
import Postgres
import Vocabulary

/// One answer of `audit find`: a character, and what it held, where it was, or whom it dealt with.
public struct FoundRow: Sendable, Encodable {
    public var characterID: Int64
    public var character: String
    /// When the fetch that shows it was made (type and location searches).
    public var seenAt: Date?
    public var locationID: Int64?
    public var location: String?
    public var quantity: Int64?
    public var items: Int?
    /// Counterparty searches: how the character dealt with it, how often, first and last time.
    public var kind: String?
    public var count: Int?
    public var first: Date?
    public var last: Date?
}

/// `audit find`: questions across every character of the log.
public enum AuditFind {
    /// Who held `type` at `time`, where and how many (from each character's newest asset list then).
    public static func holders(of type: Int64, at time: Date, on connection: PostgresConnection) throws -> [FoundRow] {
        let rows = try connection.query(
            """
            SELECT c.character_id, c.fetched_at, a.location_id, a.quantity, a.items
            FROM \(self.newest("assets")) c
            JOIN audit.asset_types a ON a.payload_hash = c.payload_hash AND a.type_id = $1
            ORDER BY a.quantity DESC, c.character_id, a.location_id
            """,
            [type, time]
        )
        let found = try rows.map { row in
            FoundRow(
                characterID: try row.get(0),
                character: "",
                seenAt: try row.get(1),
                locationID: try row.get(2),
                quantity: try row.get(3),
                items: try row.get(4, as: Int.self)
            )
        }
        return try self.named(found, on: connection)
    }

    /// Who was at `place` (a system, station or structure) at `time`.
    public static func present(at place: Int64, time: Date, on connection: PostgresConnection) throws -> [FoundRow] {
        let rows = try connection.query(
            """
            SELECT c.character_id, c.fetched_at, coalesce(l.structure_id, l.station_id, l.solar_system_id)
            FROM \(self.newest("location")) c
            JOIN audit.locations l ON l.payload_hash = c.payload_hash
            WHERE $1 IN (l.solar_system_id, l.station_id, l.structure_id)
            ORDER BY c.character_id
            """,
            [place, time]
        )
        let found = try rows.map { row in
            FoundRow(characterID: try row.get(0), character: "", seenAt: try row.get(1), locationID: try row.get(2))
        }
        return try self.named(found, on: connection)
    }

    /// Each character's newest change of `section` at the moment `$2`: one probe per character of
    /// the (section, character, time) index.
    private static func newest(_ section: String) -> String {
        """
        (SELECT h.character_id, x.payload_hash, x.fetched_at
         FROM (SELECT DISTINCT character_id FROM audit.heads WHERE section = '\(section)') h
         CROSS JOIN LATERAL (
             SELECT payload_hash, fetched_at FROM audit.changes
             WHERE character_id = h.character_id AND section = '\(section)' AND fetched_at <= $2
             ORDER BY fetched_at DESC LIMIT 1
         ) x)
        """
    }

    /// Who traded, mailed or contracted with `entity`, how, how often and when.
    public static func dealings(
        with entity: Int64,
        since: Date?,
        until: Date?,
        on connection: PostgresConnection
    ) throws -> [FoundRow] {
        let rows = try connection.query(
            """
            SELECT character_id, kind, count(*), min(coalesce(happened_at, first_seen_at)), max(coalesce(happened_at, first_seen_at))
            FROM audit.counterparties
            WHERE counterparty_id = $1 AND coalesce(happened_at, first_seen_at) >= $2 AND coalesce(happened_at, first_seen_at) <= $3
            GROUP BY character_id, kind ORDER BY character_id, kind
            """,
            [entity, since ?? .distantPast, until ?? .distantFuture]
        )
        let found = try rows.map { row in
            FoundRow(
                characterID: try row.get(0),
                character: "",
                kind: try row.get(1),
                count: try row.get(2, as: Int.self),
                first: try row.get(3),
                last: try row.get(4)
            )
        }
        return try self.named(found, on: connection)
    }

    private static func named(_ rows: [FoundRow], on connection: PostgresConnection) throws -> [FoundRow] {
        let names = try Names.load(
            [.entity: Set(rows.map(\.characterID)), .location: Set(rows.compactMap(\.locationID))],
            on: connection
        )
        return rows.map { row in
            var row = row
            row.character = names.name(.entity, row.characterID)
            row.location = row.locationID.map { names.name(.location, $0) }
            return row
        }
    }

    /// An id, or the id of the one thing named so: a type, a place or an entity.
    public static func resolve(_ text: String, as kind: NameKind, on connection: PostgresConnection) throws -> Int64 {
        if let id = Int64(text) { return id }
        let sql =
            switch kind {
            case .type:
                // Skills are types too; a published type wins over unpublished ones of its name.
                """
                SELECT id, name FROM sde.types WHERE lower(name) = lower($1)
                    AND (published OR NOT EXISTS (SELECT FROM sde.types p WHERE lower(p.name) = lower($1) AND p.published))
                """
            case .location:
                "SELECT DISTINCT location_id, name FROM readmodel.locations WHERE lower(name) = lower($1)"
            case .entity: "SELECT DISTINCT id, name FROM readmodel.names WHERE lower(name) = lower($1)"
            }
        let rows = try connection.query(sql, [text])
        let ids = try Set(rows.map { try $0.get(0, as: Int64.self) })
        guard ids.count == 1, let id = ids.first else {
            let what =
                switch kind {
                case .type: "type"
                case .location: "place"
                case .entity: "character, corporation or alliance"
                }
            throw AuditError(
                ids.isEmpty ? .unknownName : .ambiguousName,
                ids.isEmpty
                    ? "no \(what) is named \"\(text)\" (give its name exactly, or its id)"
                    : "\"\(text)\" names \(ids.count) of them (\(ids.sorted().map(String.init).joined(separator: ", "))); give the id"
            )
        }
        return id
    }
}

/// An audit question that cannot be answered as asked: its code and a message in words.
public typealias AuditError = ModuleError<AuditErrorCodes>

/// The codes of ``AuditError``.
public enum AuditErrorCodes {}

extension ErrorCode where Owner == AuditErrorCodes {
    /// No type, place or entity has the name given.
    public static let unknownName = Self("unknown_name", .invalidInput)
    /// Several have it: the id is needed.
    public static let ambiguousName = Self("ambiguous_name", .invalidInput)
    public static let momentTooLong = Self("moment_too_long", .invalidInput)
    /// A moment before the year 1 or after 9999.
    public static let momentOutOfRange = Self("moment_out_of_range", .invalidInput)
    public static let notAMoment = Self("not_a_moment", .invalidInput)
}
