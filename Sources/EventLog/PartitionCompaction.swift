import Foundation
import Postgres

/// Rebuilds the indexes of sealed partitions of the log, once each.
///
/// Rows arrive in position order, but the (stream, route, fetched_at) index takes each new entry
/// in the middle of the index, at the end of its stream's and route's range; the page split that
/// makes room leaves two half-full pages, and the left one never fills again. A partition that
/// has sealed never takes another row, so its indexes are rebuilt packed: a fifth to a third
/// smaller on the month logs measured (docs/benchmarks.md, issue 19). REINDEX CONCURRENTLY keeps
/// appends, reads and projections going; an interrupted rebuild leaves invalid copies, which the
/// next run drops before it starts again.
public enum PartitionCompaction {
    public struct Compacted: Sendable, Codable, Equatable {
        public var partition: String
        public var indexBytesBefore: Int64
        public var indexBytesAfter: Int64
        public var seconds: Double
    }

    /// One compaction at a time across every process (the workers' services and `log compact`).
    static let lockKey: Int64 = 0x6D61_6C6F_6763_6F6D  // "malogcom"

    /// Sealed partitions in the database whose indexes have not been rebuilt, oldest first.
    /// Nothing is counted: this runs every few minutes in every worker.
    public static func pending(on connection: PostgresConnection) throws -> [String] {
        let compacted = Set(
            try connection.query("SELECT partition_name FROM eventlog.compacted_partitions").map {
                try $0.get(0, as: String.self)
            }
        )
        return try LogArchive.ranges(on: connection).filter { $0.sealed && !compacted.contains($0.name) }.map(\.name)
    }

    /// Compacts every pending partition (`limit` at most), unless another process is compacting:
    /// then nothing, at once. `progress` hears of each partition before its rebuild starts.
    public static func run(
        limit: Int = .max,
        on connection: PostgresConnection,
        progress: (String) -> Void = { _ in }
    ) throws -> [Compacted] {
        guard try connection.query("SELECT pg_try_advisory_lock($1)", [Self.lockKey])[0].get(0, as: Bool.self) else {
            return []
        }
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey]) }
        var done = [Compacted]()
        for partition in try self.pending(on: connection).prefix(max(0, limit)) {
            progress(partition)
            guard let compacted = try self.compact(partition, on: connection) else { continue }
            done.append(compacted)
        }
        return done
    }

    /// Rebuilds one partition's indexes and records it; nil if the partition left meanwhile
    /// (archived).
    static func compact(_ partition: String, on connection: PostgresConnection) throws -> Compacted? {
        let started = Date()
        let table = "eventlog.\(partition)"
        guard let before = try self.indexBytes(table, on: connection) else { return nil }
        // Copies an interrupted REINDEX CONCURRENTLY left behind, invalid and unused, go first.
        for row in try connection.query(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = to_regclass($1) AND NOT indisvalid",
            [table]
        ) {
            try connection.executeScript("DROP INDEX CONCURRENTLY IF EXISTS \(try row.get(0, as: String.self))")
        }
        try connection.executeScript("REINDEX TABLE CONCURRENTLY \(table)")
        guard let after = try self.indexBytes(table, on: connection) else { return nil }
        try connection.query(
            """
            INSERT INTO eventlog.compacted_partitions (partition_name, index_bytes_before, index_bytes_after)
            VALUES ($1, $2, $3) ON CONFLICT (partition_name) DO NOTHING
            """,
            [partition, before, after]
        )
        return Compacted(
            partition: partition,
            indexBytesBefore: before,
            indexBytesAfter: after,
            seconds: Date().timeIntervalSince(started)
        )
    }

    private static func indexBytes(_ table: String, on connection: PostgresConnection) throws -> Int64? {
        try connection.query("SELECT pg_indexes_size(to_regclass($1))::int8", [table])[0].get(0, as: Int64?.self)
    }
}
