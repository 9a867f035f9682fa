import Foundation
import Postgres

/// Archiving whole sealed partitions of the log to files, and restoring them: the only way
/// events leave the log, recorded in `eventlog.archive_history` (docs/event-log.md, "Archiving").
///
/// An archive is a folder per partition: its rows as PostgreSQL's binary COPY, the names of the
/// streams and routes they use, every payload they refer to (as keyframes, so no archive needs a
/// base another one holds) and a manifest with each file's SHA-256. It is written and read back
/// in full before anything leaves the database.
public enum LogArchive {
    /// A partition of the log, in the database or in an archive.
    public struct Partition: Sendable, Codable, Equatable {
        public var name: String
        public var firstPosition: Int64
        public var lastPosition: Int64
        public var events: Int64
        public var firstFetchedAt: Date?
        public var lastFetchedAt: Date?
        public var firstRecordedAt: Date?
        public var lastRecordedAt: Date?
        /// In an archive (at `location`) rather than in the database.
        public var archived: Bool
        public var location: String?
        /// Every position is written: nothing more can land in it.
        public var sealed: Bool
    }

    /// What an archiving or a restore did.
    public struct Outcome: Sendable, Codable, Equatable {
        public var partition: String
        public var folder: String
        public var events: Int64
        /// Payloads in the archive.
        public var payloads: Int64
        /// Of those, the ones that left (archiving) or came back into (restore) the database; the
        /// rest are still referred to by events outside the partition.
        public var payloadsMoved: Int64
        /// Payloads that stay but rested on one that left, stored again as keyframes.
        public var keyframed: Int
    }

    /// Every partition (or only the one named `only`), in the database and in archives, in
    /// position order. Each partition in the database is counted: ask for one where one will do.
    public static func partitions(only: String? = nil, on connection: PostgresConnection) throws -> [Partition] {
        var result = [Partition]()
        for (name, first, last, sealed) in try self.ranges(on: connection) where only == nil || only == name {
            let stats = try connection.query(
                "SELECT count(*), min(fetched_at), max(fetched_at), min(recorded_at), max(recorded_at) FROM eventlog.\(unescaped: name)"
            )[0]
            result.append(
                Partition(
                    name: name,
                    firstPosition: first,
                    lastPosition: last,
                    events: try stats.get(0),
                    firstFetchedAt: try stats.get(1),
                    lastFetchedAt: try stats.get(2),
                    firstRecordedAt: try stats.get(3),
                    lastRecordedAt: try stats.get(4),
                    archived: false,
                    location: nil,
                    sealed: sealed
                )
            )
        }
        result += try self.archived(only: only, on: connection)
        return result.sorted { $0.firstPosition < $1.firstPosition }
    }

    /// The partitions in the database, their positions and whether they are sealed (the head has
    /// reached their last position), in position order: nothing is counted.
    static func ranges(
        on connection: PostgresConnection
    ) throws -> [(name: String, first: Int64, last: Int64, sealed: Bool)] {
        let head = try connection.query("SELECT position FROM eventlog.head")[0].get(0, as: Int64.self)
        var result = [(name: String, first: Int64, last: Int64, sealed: Bool)]()
        for row in try connection.query(
            """
            SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'eventlog.entries'::regclass
            """
        ) {
            let name: String = try row.get(0)
            let bounds = (try row.get(1, as: String.self)).split { !$0.isNumber }.compactMap { Int64($0) }
            guard Self.isPartitionName(name), bounds.count == 2 else { continue }
            result.append((name, bounds[0], bounds[1] - 1, head >= bounds[1] - 1))
        }
        return result.sorted { $0.first < $1.first }
    }

    /// The partitions in archives now (or only the one named `only`): no partition is counted.
    public static func archived(only: String? = nil, on connection: PostgresConnection) throws -> [Partition] {
        var result = [Partition]()
        for row in try connection.query(
            """
            SELECT partition_name, first_position, last_position, events, first_fetched_at, last_fetched_at,
                   first_recorded_at, last_recorded_at, location FROM eventlog.archived
            WHERE $1::text IS NULL OR partition_name = $1
            """,
            [only]
        ) {
            result.append(
                Partition(
                    name: try row.get(0),
                    firstPosition: try row.get(1),
                    lastPosition: try row.get(2),
                    events: try row.get(3),
                    firstFetchedAt: try row.get(4),
                    lastFetchedAt: try row.get(5),
                    firstRecordedAt: try row.get(6),
                    lastRecordedAt: try row.get(7),
                    archived: true,
                    location: try row.get(8),
                    sealed: true
                )
            )
        }
        return result
    }

    /// The archived partition that holds `position`, with the folder it went to; nil when the
    /// position is in the database (or was never written).
    public static func archive(
        holding position: Int64,
        on connection: PostgresConnection
    ) throws -> (partition: String, location: String)? {
        try connection.query(
            "SELECT partition_name, location FROM eventlog.archived WHERE $1 BETWEEN first_position AND last_position",
            [position]
        ).first.map { (try $0.get(0), try $0.get(1)) }
    }

    // MARK: - Archiving

    /// Writes `partition` to `directory/partition`, reads it back, and only then removes it from
    /// the database: its rows, and the payloads no other event (nor `keeping`: payloads the sync
    /// and the audit index hold on to) refers to. The caller has checked that nothing still needs
    /// the partition's events; `forced` records that it was told to go on regardless.
    public static func archive(
        _ partition: String,
        to directory: URL,
        keeping: [PayloadHash],
        forced: Bool,
        on connection: PostgresConnection
    ) throws -> Outcome {
        guard let found = try self.partitions(only: partition, on: connection).first else {
            throw EventLogError(.archiveRefused, "the log has no partition \(partition)")
        }
        guard !found.archived else {
            throw EventLogError(.archiveRefused, "\(partition) is already archived, to \(found.location ?? "?")")
        }
        guard found.sealed else {
            throw EventLogError(
                .archiveRefused,
                "\(partition) is not sealed: new events still land in it (positions up to \(found.lastPosition))"
            )
        }
        guard found.events > 0 else { throw EventLogError(.archiveRefused, "\(partition) holds no events") }

        let folder = directory.appending(path: partition)
        let partial = directory.appending(path: partition + ".partial")
        try? FileManager.default.removeItem(at: partial)
        do {
            try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        } catch {
            throw EventLogError(.archiveRefused, "cannot create \(partial.path): \(error.localizedDescription)")
        }
        let manifest = try self.write(found, to: partial, on: connection)
        try self.verify(manifest, in: partial, against: partition, on: connection)
        // The partition is still in the database: an archive folder left by an interrupted run
        // is replaced.
        try? FileManager.default.removeItem(at: folder)
        do {
            try FileManager.default.moveItem(at: partial, to: folder)
        } catch {
            throw EventLogError(.archiveRefused, "cannot rename \(partial.path): \(error.localizedDescription)")
        }
        let (_, manifestHash) = try ArchiveManifest.read(from: folder)
        return try self.remove(
            found,
            manifest: manifest,
            manifestHash: manifestHash,
            folder: folder,
            keeping: keeping,
            forced: forced,
            on: connection
        )
    }

    /// The partition's files, written in `folder`; its manifest.
    private static func write(
        _ partition: Partition,
        to folder: URL,
        on connection: PostgresConnection
    ) throws -> ArchiveManifest {
        let table = "eventlog.\(partition.name)"
        let columns = try self.columns(on: connection)
        var files = [String: ArchiveManifest.FileDigest]()

        let entries = try HashedFileWriter(folder.appending(path: ArchiveManifest.entries))
        var failure: (any Error)?
        try connection.copyOut(
            streaming:
                "COPY (SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY position) TO STDOUT (FORMAT binary)"
        ) { chunk in
            guard failure == nil else { return }
            do { try entries.write(chunk) } catch { failure = error }
        }
        if let failure { throw EventLogError(.archiveRefused, "cannot write \(entries.url.path): \(failure)") }
        files[ArchiveManifest.entries] = try entries.finish()

        // The streams' and routes' names, so a restore can check the ids mean the same.
        let names = try connection.query(
            """
            SELECT json_build_object(
                'streams', (SELECT json_object_agg(s.id, s.name) FROM eventlog.streams s
                            WHERE s.id IN (SELECT DISTINCT stream_id FROM \(unescaped: table))),
                'routes', (SELECT json_object_agg(r.id, json_build_array(r.section, r.route)) FROM eventlog.routes r
                           WHERE r.id IN (SELECT DISTINCT route_id FROM \(unescaped: table))))::text
            """
        )[0].get(0, as: String.self)
        let namesFile = try HashedFileWriter(folder.appending(path: ArchiveManifest.names))
        try namesFile.write(Data(names.utf8))
        files[ArchiveManifest.names] = try namesFile.finish()

        // Every payload the events refer to, as a keyframe, in hash order, 500 at a time.
        let payloadFile = try HashedFileWriter(folder.appending(path: ArchiveManifest.payloadsFile))
        try payloadFile.write(PayloadFile.header)
        let hashes = try self.payloadHashes(of: table, on: connection)
        for start in stride(from: 0, to: hashes.count, by: 500) {
            let batch = Array(hashes[start..<min(start + 500, hashes.count)])
            let created = try Dictionary(
                connection.query(
                    "SELECT hash, created_at FROM eventlog.payloads WHERE hash = ANY($1)",
                    [batch.map { ByteA($0.bytes) }]
                ).map { (try $0.get(0, as: ByteA.self).bytes, try $0.get(1, as: Date.self)) },
                uniquingKeysWith: { first, _ in first }
            )
            let decoded = try PayloadChains.decode(batch, verify: true, on: connection)
            for hash in batch {
                guard case .success(let raw)? = decoded[hash], let createdAt = created[hash.bytes] else {
                    throw EventLogError(
                        .archiveRefused,
                        "payload \(hash) of \(partition.name) is missing or damaged (memberaudit audit verify): "
                            + "nothing is archived while it is"
                    )
                }
                let keyframe = PayloadCodec.encode(raw, base: nil, maximumChain: 0)
                try payloadFile.write(
                    PayloadFile.encode(
                        PayloadFile.Record(
                            hash: hash,
                            createdAt: createdAt,
                            rawSize: Int32(clamping: raw.count),
                            codec: keyframe.codec,
                            body: keyframe.body
                        )
                    )
                )
            }
        }
        files[ArchiveManifest.payloadsFile] = try payloadFile.finish()

        let manifest = ArchiveManifest(
            format: ArchiveManifest.currentFormat,
            partition: partition.name,
            firstPosition: partition.firstPosition,
            lastPosition: partition.lastPosition,
            events: partition.events,
            payloads: Int64(hashes.count),
            firstFetchedAt: partition.firstFetchedAt,
            lastFetchedAt: partition.lastFetchedAt,
            firstRecordedAt: partition.firstRecordedAt,
            lastRecordedAt: partition.lastRecordedAt,
            columns: columns,
            rowChecksum: try self.rowChecksum(of: table, on: connection),
            files: files,
            createdAt: Date()
        )
        let manifestFile = try HashedFileWriter(folder.appending(path: ArchiveManifest.fileName))
        try manifestFile.write(try manifest.encoded())
        _ = try manifestFile.finish()
        return manifest
    }

    /// Reads the written archive back: every file against the manifest, the rows (loaded into a
    /// scratch table and compared with the partition's), every payload decoded and hashed.
    private static func verify(
        _ manifest: ArchiveManifest,
        in folder: URL,
        against partition: String,
        on connection: PostgresConnection
    ) throws {
        try manifest.checkFiles(in: folder)
        try connection.transaction { connection in
            try connection.execute("CREATE TEMP TABLE archive_check (LIKE eventlog.entries) ON COMMIT DROP")
            try self.copyRows(from: folder, manifest: manifest, into: "archive_check", on: connection)
            guard try self.rowChecksum(of: "archive_check", on: connection) == manifest.rowChecksum else {
                throw EventLogError(
                    .damagedArchive,
                    "the rows read back from \(folder.path) differ from \(partition)'s: nothing was removed"
                )
            }
        }
        let expected = Set(try self.payloadHashes(of: "eventlog.\(partition)", on: connection))
        var found = Set<PayloadHash>()
        let reader = try PayloadFile.Reader(folder.appending(path: ArchiveManifest.payloadsFile))
        while let (record, _) = try reader.next() { found.insert(record.hash) }
        guard found == expected else {
            throw EventLogError(
                .damagedArchive,
                "\(folder.path) holds \(found.count) payloads, \(partition)'s events refer to \(expected.count): "
                    + "nothing was removed"
            )
        }
    }

    /// The one transaction that takes the partition out of the database.
    private static func remove(
        _ partition: Partition,
        manifest: ArchiveManifest,
        manifestHash: String,
        folder: URL,
        keeping: [PayloadHash],
        forced: Bool,
        on connection: PostgresConnection
    ) throws -> Outcome {
        let table = "eventlog.\(partition.name)"
        return try connection.transaction { connection in
            // Payloads other events refer to stay. Most of that scan runs before the head's lock;
            // what was appended meanwhile is added under it, so no append can refer to a payload
            // that is about to go (appends take the same lock, and check their payloads under it).
            let head = try connection.query("SELECT position FROM eventlog.head")[0].get(0, as: Int64.self)
            try connection.execute(
                """
                CREATE TEMP TABLE archive_outside ON COMMIT DROP AS
                SELECT DISTINCT payload_hash AS hash FROM eventlog.entries
                WHERE payload_hash IS NOT NULL AND (position < $1 OR (position > $2 AND position <= $3))
                """,
                [partition.firstPosition, partition.lastPosition, head]
            )
            _ = try connection.query("SELECT position FROM eventlog.head FOR UPDATE")
            try connection.execute(
                """
                INSERT INTO archive_outside
                SELECT DISTINCT payload_hash FROM eventlog.entries WHERE payload_hash IS NOT NULL AND position > $1
                UNION SELECT unnest($2::bytea[])
                """,
                [max(head, partition.lastPosition), keeping.map { ByteA($0.bytes) }]
            )
            try connection.execute(
                """
                CREATE TEMP TABLE archive_gone ON COMMIT DROP AS
                SELECT DISTINCT payload_hash AS hash FROM \(unescaped: table) WHERE payload_hash IS NOT NULL
                EXCEPT SELECT hash FROM archive_outside
                """
            )
            // Payloads that stay but rest on one that goes become keyframes first.
            let dependants = try connection.query(
                """
                SELECT d.hash FROM eventlog.payloads d JOIN archive_gone g ON d.base_hash = g.hash
                WHERE d.hash NOT IN (SELECT hash FROM archive_gone)
                """
            ).compactMap { PayloadHash(bytes: try $0.get(0, as: ByteA.self).bytes) }
            if !dependants.isEmpty {
                let decoded = try PayloadChains.decode(dependants, verify: true, on: connection)
                try connection.execute("SELECT set_config('eventlog.reencoding', 'on', true)")
                for hash in dependants {
                    guard case .success(let raw)? = decoded[hash] else {
                        throw EventLogError(
                            .archiveRefused,
                            "payload \(hash) rests on one of \(partition.name)'s and does not decode "
                                + "(memberaudit audit verify): nothing is archived while it does not"
                        )
                    }
                    try PayloadReencoding.store(
                        hash,
                        PayloadCodec.encode(raw, base: nil, maximumChain: 0),
                        on: connection
                    )
                }
                try connection.execute("SELECT set_config('eventlog.reencoding', '', true)")
            }
            try connection.execute("SELECT set_config('eventlog.archiving', $1, true)", [partition.name])
            let removed = try connection.execute(
                "DELETE FROM eventlog.payloads p USING archive_gone g WHERE p.hash = g.hash"
            )
            try connection.execute("SELECT set_config('eventlog.archiving', '', true)")
            // Last, as detaching locks the log's table against readers until the commit.
            try connection.executeScript(
                "ALTER TABLE eventlog.entries DETACH PARTITION \(table); DROP TABLE \(table)"
            )
            try self.record(
                "archived",
                manifest,
                manifestHash: manifestHash,
                moved: Int64(removed),
                folder: folder,
                forced: forced,
                on: connection
            )
            return Outcome(
                partition: partition.name,
                folder: folder.path,
                events: manifest.events,
                payloads: manifest.payloads,
                payloadsMoved: Int64(removed),
                keyframed: dependants.count
            )
        }
    }

    // MARK: - Restoring

    /// Brings the archived partition in `folder` back into the database, after checking every
    /// file and payload; the history records it.
    public static func restore(from folder: URL, on connection: PostgresConnection) throws -> Outcome {
        let (manifest, manifestHash) = try ArchiveManifest.read(from: folder)
        let name = manifest.partition
        guard Self.isPartitionName(name), manifest.firstPosition >= 1, manifest.firstPosition <= manifest.lastPosition
        else {
            throw EventLogError(.damagedArchive, "\(folder.path): the manifest names no partition of the log")
        }
        try manifest.checkFiles(in: folder)
        let recorded = try connection.query(
            "SELECT manifest_sha256, first_position, last_position FROM eventlog.archived WHERE partition_name = $1",
            [name]
        ).first
        guard let recorded else {
            let live = try self.partitions(only: name, on: connection).contains { !$0.archived }
            throw EventLogError(
                .archiveRefused,
                live
                    ? "\(name) is in the log already: there is nothing to restore"
                    : "the log has no record of archiving \(name): this archive is of another database"
            )
        }
        guard try recorded.get(0, as: String.self) == manifestHash,
            try recorded.get(1, as: Int64.self) == manifest.firstPosition,
            try recorded.get(2, as: Int64.self) == manifest.lastPosition
        else {
            throw EventLogError(
                .archiveRefused,
                "\(folder.path) is not the archive the log recorded for \(name) (its manifest differs)"
            )
        }
        let table = "eventlog.\(name)"
        return try connection.transaction { connection in
            try connection.execute(
                "CREATE TABLE \(unescaped: table) (LIKE eventlog.entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            try self.copyRows(from: folder, manifest: manifest, into: table, on: connection)
            guard try self.rowChecksum(of: table, on: connection) == manifest.rowChecksum else {
                throw EventLogError(.damagedArchive, "the rows of \(folder.path) are not those the manifest describes")
            }
            try self.checkNames(in: folder, on: connection)
            let (payloads, restored) = try self.restorePayloads(from: folder, on: connection)
            guard payloads == manifest.payloads else {
                throw EventLogError(
                    .damagedArchive,
                    "\(folder.path) holds \(payloads) payloads; its manifest says \(manifest.payloads)"
                )
            }
            try connection.executeScript(
                """
                ALTER TABLE eventlog.entries ATTACH PARTITION \(table)
                    FOR VALUES FROM (\(manifest.firstPosition)) TO (\(manifest.lastPosition + 1));
                CREATE TRIGGER \(name)_no_truncate BEFORE TRUNCATE ON \(table)
                    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();
                """
            )
            try self.record(
                "restored",
                manifest,
                manifestHash: manifestHash,
                moved: restored,
                folder: folder,
                forced: false,
                on: connection
            )
            return Outcome(
                partition: name,
                folder: folder.path,
                events: manifest.events,
                payloads: payloads,
                payloadsMoved: restored,
                keyframed: 0
            )
        }
    }

    /// Stream and route ids of the archive mean what they mean in this database.
    private static func checkNames(in folder: URL, on connection: PostgresConnection) throws {
        let url = folder.appending(path: ArchiveManifest.names)
        guard let data = FileManager.default.contents(atPath: url.path),
            let names = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw EventLogError(.damagedArchive, "\(url.path) is unreadable") }
        for (id, name) in names["streams"] as? [String: String] ?? [:] {
            let here = try connection.query("SELECT name FROM eventlog.streams WHERE id::text = $1", [id]).first
            guard try here?.get(0, as: String.self) == name else {
                throw EventLogError(.archiveRefused, "stream \(id) is \(name) in the archive but not in this log")
            }
        }
        for (id, route) in names["routes"] as? [String: [String]] ?? [:] {
            let here = try connection.query("SELECT section, route FROM eventlog.routes WHERE id::text = $1", [id])
                .first
            guard let here, [try here.get(0, as: String.self), try here.get(1, as: String.self)] == route else {
                throw EventLogError(.archiveRefused, "route \(id) is \(route) in the archive but not in this log")
            }
        }
    }

    /// Loads `payloads.bin` (each payload checked) into the log, keeping those still there.
    private static func restorePayloads(
        from folder: URL,
        on connection: PostgresConnection
    ) throws -> (payloads: Int64, inserted: Int64) {
        try connection.execute("CREATE TEMP TABLE archive_payloads (LIKE eventlog.payloads) ON COMMIT DROP")
        let reader = try PayloadFile.Reader(folder.appending(path: ArchiveManifest.payloadsFile))
        var count: Int64 = 0
        try connection.copyIn(
            "COPY archive_payloads (hash, codec, raw_size, stored_size, body, created_at, chain) FROM STDIN (FORMAT binary)"
        ) { writer in
            while let (record, _) = try reader.next() {
                try writer.append([
                    ByteA(record.hash.bytes), record.codec.rawValue, record.rawSize, Int32(clamping: record.body.count),
                    ByteA(record.body), record.createdAt, Int16(0),
                ])
                count += 1
            }
        }
        let inserted = try connection.execute(
            """
            INSERT INTO eventlog.payloads (hash, codec, raw_size, stored_size, body, created_at, chain)
            SELECT hash, codec, raw_size, stored_size, body, created_at, chain FROM archive_payloads
            ON CONFLICT (hash) DO NOTHING
            """
        )
        return (count, Int64(inserted))
    }

    // MARK: - Shared steps

    private static func copyRows(
        from folder: URL,
        manifest: ArchiveManifest,
        into table: String,
        on connection: PostgresConnection
    ) throws {
        let known = Set(try self.columns(on: connection))
        guard !manifest.columns.isEmpty, manifest.columns.allSatisfy({ known.contains($0) }) else {
            throw EventLogError(
                .damagedArchive,
                "\(folder.path) has columns \(manifest.columns) the log's table does not"
            )
        }
        guard let handle = FileHandle(forReadingAtPath: folder.appending(path: ArchiveManifest.entries).path) else {
            throw EventLogError(.damagedArchive, "\(folder.path) has no \(ArchiveManifest.entries)")
        }
        defer { try? handle.close() }
        let copied = try connection.copyIn(
            "COPY \(table) (\(manifest.columns.joined(separator: ", "))) FROM STDIN (FORMAT binary)",
            streaming: { send in
                while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                    try chunk.withUnsafeBytes { try send($0) }
                }
            }
        )
        guard copied == manifest.events else {
            throw EventLogError(
                .damagedArchive,
                "\(folder.path) holds \(copied) events; its manifest says \(manifest.events)"
            )
        }
    }

    private static func record(
        _ action: String,
        _ manifest: ArchiveManifest,
        manifestHash: String,
        moved: Int64,
        folder: URL,
        forced: Bool,
        on connection: PostgresConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO eventlog.archive_history (action, partition_name, first_position, last_position, events,
                payloads, payloads_removed, first_fetched_at, last_fetched_at, first_recorded_at, last_recorded_at,
                location, manifest_sha256, forced)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """,
            [
                action, manifest.partition, manifest.firstPosition, manifest.lastPosition, manifest.events,
                manifest.payloads, moved, manifest.firstFetchedAt, manifest.lastFetchedAt, manifest.firstRecordedAt,
                manifest.lastRecordedAt, folder.standardizedFileURL.path, manifestHash, forced,
            ]
        )
    }

    /// The log table's columns, in order.
    private static func columns(on connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT attname::text FROM pg_attribute WHERE attrelid = 'eventlog.entries'::regclass
            AND attnum > 0 AND NOT attisdropped ORDER BY attnum
            """
        ).map { try $0.get(0, as: String.self) }
    }

    private static func payloadHashes(of table: String, on connection: PostgresConnection) throws -> [PayloadHash] {
        try connection.query(
            "SELECT DISTINCT payload_hash FROM \(unescaped: table) WHERE payload_hash IS NOT NULL ORDER BY 1"
        ).compactMap { PayloadHash(bytes: try $0.get(0, as: ByteA.self).bytes) }
    }

    /// The rows' count and the sum of 60 bits of each row's MD5: equal for equal rows in any order,
    /// computed without holding the rows.
    private static func rowChecksum(of table: String, on connection: PostgresConnection) throws -> String {
        try connection.query(
            """
            SELECT count(*)::text || ':' || coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text
            FROM \(unescaped: table) t
            """
        )[0].get(0, as: String.self)
    }

    /// `entries_` and six digits: the only names spliced into SQL, checked wherever they come from.
    static func isPartitionName(_ name: String) -> Bool {
        name.utf8.count == 14 && name.hasPrefix("entries_")
            && name.dropFirst(8).allSatisfy { $0.isASCII && $0.isNumber }
    }
}
