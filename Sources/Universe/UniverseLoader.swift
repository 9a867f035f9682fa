import Foundation
import Postgres
import StaticData
import Vocabulary

/// The version of static data in a database: which build, from where, with what checksum.
public struct UniverseVersion: Sendable, Hashable {
    public var build: Int
    public var releasedAt: Date?
    public var source: Source
    /// SHA-256 (hex) of what was loaded: the shipped archive, or the imported SDE file.
    public var checksum: String

    public enum Source: String, Sendable {
        /// The archive the binary carries.
        case shipped
        /// A CCP SDE archive imported with `universe import-sde`.
        case `import`
    }

    public init(build: Int, releasedAt: Date?, source: Source, checksum: String) {
        self.build = build
        self.releasedAt = releasedAt
        self.source = source
        self.checksum = checksum
    }

    /// The version of the archive embedded in this binary.
    public static var shipped: UniverseVersion {
        let manifest = UniverseArchive.manifest
        return UniverseVersion(
            build: manifest.build,
            releasedAt: manifest.released.flatMap { try? Date($0, strategy: .iso8601) },
            source: .shipped,
            checksum: manifest.sha256
        )
    }
}

/// What `universe status` shows: the loaded version and the rows of each table.
public struct UniverseStatus: Sendable {
    public var version: UniverseVersion?
    public var loadedAt: Date?
    public var counts: [(table: String, rows: Int)]
}

/// Loads static data into schema `sde`, the only writer of that schema. The shipped archive is
/// loaded once per version: a process that finds it loaded pays one small query.
public enum UniverseLoader {
    /// The loaded version, if any.
    public static func loadedVersion(on connection: PostgresConnection) throws -> UniverseVersion? {
        guard
            let row = try connection.query(
                "SELECT coalesce(build, 0), released_at, source, checksum FROM sde.meta"
            ).first
        else { return nil }
        return UniverseVersion(
            build: Int(try row.get(0, as: Int64.self)),
            releasedAt: try row.get(1, as: Date?.self),
            source: UniverseVersion.Source(rawValue: try row.get(2, as: String.self)) ?? .shipped,
            checksum: try row.get(3, as: String.self)
        )
    }

    /// Whether `candidate` should replace what is loaded: nothing is loaded, or it is a newer
    /// build, or it is the same build from the same source with other contents (a fixed archive).
    /// An older build never replaces a newer one.
    static func replaces(_ candidate: UniverseVersion, _ loaded: UniverseVersion?) -> Bool {
        guard let loaded else { return true }
        if candidate.build != loaded.build { return candidate.build > loaded.build }
        return candidate.source == loaded.source && candidate.checksum != loaded.checksum
    }

    /// Loads the shipped archive unless it (or a newer build) is already loaded. Cheap when it is:
    /// the archive is not decompressed.
    public static func ensureShippedLoaded(on connection: PostgresConnection) throws {
        let shipped = UniverseVersion.shipped
        guard Self.replaces(shipped, try Self.loadedVersion(on: connection)) else { return }
        let work = { (connection: PostgresConnection) throws in
            // Serialised: two processes starting at once load it once.
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('sde.load'))")
            guard Self.replaces(shipped, try Self.loadedVersion(on: connection)) else { return }
            try Self.replaceContents(
                with: try StaticData(jsonLines: UniverseArchive.text()),
                version: shipped,
                on: connection
            )
        }
        if connection.isInTransaction { try work(connection) } else { try connection.transaction(work) }
    }

    /// What an import did.
    public enum ImportOutcome: Sendable, Equatable {
        case loaded
        /// The same archive is loaded already: nothing to do.
        case alreadyLoaded
    }

    /// Loads an imported SDE in one transaction, replacing what is loaded; tables the archive lacks
    /// (optional ones) keep their rows. An older build than the loaded one is refused unless
    /// `allowOlder`.
    public static func load(
        _ sde: SDEImport,
        allowOlder: Bool = false,
        on connection: PostgresConnection
    ) throws -> ImportOutcome {
        try connection.transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('sde.load'))")
            let loaded = try Self.loadedVersion(on: connection)
            if let loaded, loaded.checksum == sde.version.checksum { return .alreadyLoaded }
            if let loaded, loaded.build > sde.version.build, !allowOlder {
                throw SDEImportError(
                    .olderBuild,
                    "build \(loaded.build) is loaded, newer than this archive's \(sde.version.build); nothing changed"
                        + " (--allow-older loads it anyway)"
                )
            }
            try Self.replaceContents(
                with: sde.data,
                version: sde.version,
                keeping: Set(sde.missingTables),
                on: connection
            )
            return .loaded
        }
    }

    /// Replaces every table of schema `sde` (but those in `keeping`) with `data` and records
    /// `version`, in the caller's transaction (the caller holds the load lock).
    static func replaceContents(
        with data: StaticData,
        version: UniverseVersion,
        keeping: Set<String> = [],
        on connection: PostgresConnection
    ) throws {
        var counts = [String: Int]()
        for table in try UniverseTables.tables(of: data) where !keeping.contains(table.name) {
            try connection.executeScript("DELETE FROM sde.\(table.name)")
            try connection.copyIn(
                "COPY sde.\(table.name) (\(table.columns.joined(separator: ", "))) FROM STDIN (FORMAT binary)"
            ) { writer in
                for row in table.rows { try writer.append(row) }
            }
            counts[table.name] = table.rows.count
            // Statistics at once: the views join these tables by id, and without them the
            // planner guesses badly (seconds instead of milliseconds for an asset list).
            try connection.executeScript("ANALYZE sde.\(table.name)")
        }
        let countsJSON = String(
            decoding: try JSONSerialization.data(withJSONObject: counts, options: .sortedKeys),
            as: UTF8.self
        )
        try connection.execute(
            """
            INSERT INTO sde.meta (singleton, checksum, build, released_at, source, counts)
            VALUES (true, $1, $2, $3, $4, $5)
            ON CONFLICT (singleton) DO UPDATE SET checksum = excluded.checksum, build = excluded.build,
                released_at = excluded.released_at, source = excluded.source, counts = excluded.counts,
                loaded_at = now()
            """,
            [
                version.checksum, Int64(version.build), version.releasedAt, version.source.rawValue,
                PostgresJSONB(countsJSON),
            ]
        )
    }

    /// The loaded version and the row count of every table.
    public static func status(on connection: PostgresConnection) throws -> UniverseStatus {
        let version = try Self.loadedVersion(on: connection)
        let loadedAt = try connection.query("SELECT loaded_at FROM sde.meta").first.map { try $0.get(0, as: Date.self) }
        var counts = [(String, Int)]()
        for table in Self.tableNames {
            let rows = try connection.query("SELECT count(*) FROM sde.\(unescaped: table)")[0].get(0, as: Int64.self)
            counts.append((table, Int(rows)))
        }
        return UniverseStatus(version: version, loadedAt: loadedAt, counts: counts)
    }

    /// The tables of schema `sde`, in load order.
    public static let tableNames = [
        "categories", "groups", "types", "skills", "regions", "constellations", "systems", "stations",
        "npc_corporations", "factions", "races", "bloodlines", "ancestries",
    ]
}
