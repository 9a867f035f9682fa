import Crypto
import Foundation
import Postgres
import StaticData

/// Copies the shipped static data (types, skills, systems, stations, ...) into schema `sde`, so
/// the read-model views and reports can join it. Reloaded when the shipped data changes.
enum StaticDataTables {
    /// The rows and their checksum, computed once per process (the shipped data is constant).
    private static let shipped: (tables: [(String, [[Cell]])], checksum: String) = {
        let tables = Self.tables()
        var hasher = SHA256()
        for (name, rows) in tables {
            hasher.update(data: Data(name.utf8))
            for row in rows { hasher.update(data: Data("\(row)".utf8)) }
        }
        return (tables, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }()

    static func ensureLoaded(on connection: PostgresConnection) throws {
        let (tables, checksum) = Self.shipped
        let loaded = try connection.query("SELECT checksum FROM sde.meta").first.map { try $0.get(0, as: String.self) }
        guard loaded != checksum else { return }
        let work = { (connection: PostgresConnection) throws in
            // Serialised: two processes starting at once load it once.
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('sde.load'))")
            let again = try connection.query("SELECT checksum FROM sde.meta").first.map {
                try $0.get(0, as: String.self)
            }
            guard again != checksum else { return }
            for (name, rows) in tables {
                try connection.executeScript("DELETE FROM sde.\(name)")
                try connection.copyIn("COPY sde.\(name) FROM STDIN (FORMAT binary)") { writer in
                    for row in rows { try writer.append(row) }
                }
            }
            try connection.execute(
                """
                INSERT INTO sde.meta (singleton, checksum) VALUES (true, $1)
                ON CONFLICT (singleton) DO UPDATE SET checksum = excluded.checksum, loaded_at = now()
                """,
                [checksum]
            )
        }
        if connection.isInTransaction { try work(connection) } else { try connection.transaction(work) }
    }

    /// The rows of each table, in the tables' column order.
    private static func tables() -> [(String, [[Cell]])] {
        let data = StaticData.shipped
        func sorted<T>(_ values: [Int: T]) -> [T] { values.keys.sorted().map { values[$0]! } }
        func int(_ value: Int) -> Cell { .int(Int64(value)) }
        return [
            ("categories", sorted(data.categories).map { [int($0.id), .text($0.name)] }),
            ("groups", sorted(data.groups).map { [int($0.id), .text($0.name), int($0.categoryID)] }),
            (
                "types",
                sorted(data.types).map {
                    [
                        int($0.id), .text($0.name), int($0.groupID), .text($0.groupName), int($0.categoryID),
                        .text($0.categoryName), $0.volume.map(Cell.double) ?? .null,
                    ]
                }
            ),
            (
                "skills",
                sorted(data.skills).map {
                    [
                        int($0.id), .text($0.name), int($0.groupID), .text($0.groupName),
                        $0.rank.map(Cell.double) ?? .null,
                        $0.primaryAttribute.map { .text($0.rawValue) } ?? .null,
                        $0.secondaryAttribute.map { .text($0.rawValue) } ?? .null,
                    ]
                }
            ),
            ("regions", sorted(data.regions).map { [int($0.id), .text($0.name)] }),
            ("constellations", sorted(data.constellations).map { [int($0.id), .text($0.name), int($0.regionID)] }),
            (
                "systems",
                sorted(data.systems).map {
                    [int($0.id), .text($0.name), int($0.constellationID), int($0.regionID), .double($0.securityStatus)]
                }
            ),
            (
                "stations",
                sorted(data.stations).map {
                    [int($0.id), .text($0.name), int($0.systemID), int($0.typeID), int($0.owner)]
                }
            ),
            (
                "npc_corporations",
                sorted(data.npcCorporations).map { [int($0.id), .text($0.name), $0.factionID.map(int) ?? .null] }
            ),
        ]
    }
}
