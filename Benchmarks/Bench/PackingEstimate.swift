import EventLog
import Foundation
import Postgres

/// What the log's envelopes would take packed into blocks (docs/event-log.md, "Next: packed sealed
/// partitions"), measured by writing them so into scratch tables and asking PostgreSQL their size.
///
/// Every event is read in position order and packed with ``EnvelopeBlock`` into blocks of
/// `blockSize` consecutive positions; each block is decoded again and compared before it is
/// stored, so the figure is of blocks that hold exactly what the rows hold. Beside the blocks, a
/// directory (one row per stream and route: which blocks hold its events) stands in for the
/// `(stream_id, route_id, fetched_at)` index, and the payloads gain what the packed rows leave to
/// them: a number (instead of the 32-byte hash in every event: an 8-byte column and its unique
/// index, built in a scratch table and measured) and the ETag they came with.
enum PackingEstimate {
    static func measure(_ pool: PostgresPool, blockSize: Int = 4_096) async throws -> String {
        try await pool.withConnection { connection in
            try connection.executeScript(
                """
                DROP SCHEMA IF EXISTS bench_packing CASCADE;
                CREATE SCHEMA bench_packing;
                CREATE TABLE bench_packing.payload_numbers AS
                    SELECT hash, row_number() OVER (ORDER BY created_at, hash) AS id FROM eventlog.payloads;
                CREATE UNIQUE INDEX ON bench_packing.payload_numbers (hash);
                CREATE TABLE bench_packing.payload_etags AS
                    SELECT DISTINCT ON (payload_hash) payload_hash AS hash, etag FROM eventlog.entries
                    WHERE outcome = 0 AND etag IS NOT NULL ORDER BY payload_hash, position;
                CREATE UNIQUE INDEX ON bench_packing.payload_etags (hash);
                CREATE TABLE bench_packing.blocks (
                    first_position bigint PRIMARY KEY, count integer NOT NULL, raw_size integer NOT NULL,
                    first_fetched_at timestamptz NOT NULL, last_fetched_at timestamptz NOT NULL, body bytea NOT NULL);
                ALTER TABLE bench_packing.blocks ALTER COLUMN body SET STORAGE EXTERNAL;
                ANALYZE bench_packing.payload_numbers, bench_packing.payload_etags;
                """
            )
            let head = try connection.query("SELECT coalesce(max(position), 0) FROM eventlog.entries")[0]
                .get(0, as: Int64.self)
            let started = Date()
            var (events, blocks, layoutBytes, blockBytes): (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
            var after: Int64 = 0
            while after < head {
                let entries = try self.read(after: after, through: after + Int64(blockSize), on: connection)
                after += Int64(blockSize)
                guard !entries.isEmpty else { continue }
                let (block, rawSize) = EnvelopeBlock.encodeMeasured(entries)
                guard try EnvelopeBlock.decode(block, rawSize: rawSize) == entries else {
                    throw PackingMismatch(position: entries[0].position)
                }
                let fetched = entries.map { Date(timeIntervalSince1970: Double($0.fetchedAt) / 1e6 + 946_684_800) }
                try connection.execute(
                    "INSERT INTO bench_packing.blocks VALUES ($1, $2, $3, $4, $5, $6)",
                    [
                        entries[0].position, Int32(entries.count), Int32(rawSize), fetched.min() ?? Date(),
                        fetched.max() ?? Date(), ByteA(block),
                    ]
                )
                (events, blocks) = (events + Int64(entries.count), blocks + 1)
                (layoutBytes, blockBytes) = (layoutBytes + Int64(rawSize), blockBytes + Int64(block.count))
            }
            let seconds = Date().timeIntervalSince(started)
            try connection.executeScript(
                """
                CREATE TABLE bench_packing.directory AS
                    SELECT stream_id, route_id, array_agg(DISTINCT (position - 1) / \(blockSize) ORDER BY (position - 1) / \(blockSize))::int4[] AS blocks
                    FROM eventlog.entries GROUP BY stream_id, route_id;
                ALTER TABLE bench_packing.directory ADD PRIMARY KEY (stream_id, route_id);
                CREATE UNIQUE INDEX payload_numbers_id ON bench_packing.payload_numbers (id);
                """
            )
            try connection.executeScript("VACUUM ANALYZE bench_packing.blocks")
            let sizes = try connection.query(
                """
                SELECT pg_total_relation_size('bench_packing.blocks')::int8,
                       pg_total_relation_size('bench_packing.directory')::int8,
                       (SELECT count(*) FROM bench_packing.payload_numbers),
                       pg_relation_size('bench_packing.payload_numbers_id')::int8,
                       (SELECT coalesce(sum(octet_length(etag) + 1), 0)::int8 FROM bench_packing.payload_etags),
                       coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
                                 WHERE inhparent = 'eventlog.entries'::regclass), 0)::int8
                """
            )[0]
            let (blockTable, directory): (Int64, Int64) = (try sizes.get(0), try sizes.get(1))
            let (payloads, numberIndex): (Int64, Int64) = (try sizes.get(2), try sizes.get(3))
            let (etagBytes, rows): (Int64, Int64) = (try sizes.get(4), try sizes.get(5))
            // A payload's number: 8 more bytes in its row, and the unique index that finds it.
            let numbering = payloads * 8 + numberIndex
            let packed = blockTable + directory + numbering + etagBytes
            try connection.executeScript("DROP SCHEMA bench_packing CASCADE")
            func mb(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
            func perEvent(_ bytes: Int64) -> String {
                String(format: "%.1f B/event", Double(bytes) / Double(max(events, 1)))
            }
            return """
                packed envelopes (blocks of \(blockSize) positions): \(events) events in \(blocks) blocks, packed and checked in \(String(format: "%.0f", seconds)) s
                  columns \(mb(layoutBytes)) before LZ4, \(mb(blockBytes)) after; the blocks' table \(mb(blockTable)) (\(perEvent(blockTable)))
                  directory of streams and routes \(mb(directory)), payload numbers \(mb(numbering)) (\(payloads) payloads: 8 B each and a \(mb(numberIndex)) index), payloads' own ETags \(mb(etagBytes))
                  packed in all \(mb(packed)) (\(perEvent(packed))) against the rows and their indexes now \(mb(rows)) (\(perEvent(rows))): \(String(format: "%.1f", Double(rows) / Double(max(packed, 1))))× smaller
                """
        }
    }

    /// The rows of positions `after + 1 ... through` as a packed block holds them.
    static func read(after: Int64, through: Int64, on connection: PostgresConnection) throws -> [PackedEntry] {
        func micros(_ column: String) -> String {
            "((extract(epoch FROM \(column)) - 946684800) * 1000000)::int8"
        }
        return try connection.query(
            """
            SELECT e.position, \(micros("e.fetched_at")), \(micros("e.recorded_at")), \(micros("e.last_modified")),
                   \(micros("e.expires")), e.stream_id, e.payload_size, e.pages,
                   (e.compatibility_date - DATE '2000-01-01')::int4, e.route_id, e.outcome, e.http_status, n.id,
                   CASE WHEN e.etag IS NULL THEN 0 WHEN e.etag = pe.etag THEN 1 ELSE 2 END::int2, e.etag, e.error,
                   e.parameters::text
            FROM eventlog.entries e
            LEFT JOIN bench_packing.payload_numbers n ON n.hash = e.payload_hash
            LEFT JOIN bench_packing.payload_etags pe ON pe.hash = e.payload_hash
            WHERE e.position > $1 AND e.position <= $2 ORDER BY e.position
            """,
            [after, through]
        ).map { row in
            var entry = PackedEntry(
                position: try row.get(0),
                fetchedAt: try row.get(1),
                recordedAt: try row.get(2),
                streamID: try row.get(5),
                routeID: try row.get(9),
                outcome: try row.get(10)
            )
            entry.lastModified = try row.get(3)
            entry.expires = try row.get(4)
            entry.payloadSize = try row.get(6)
            entry.pages = try row.get(7)
            entry.compatibilityDate = try row.get(8)
            entry.httpStatus = try row.get(11)
            entry.payloadID = try row.get(12)
            switch try row.get(13, as: Int16.self) {
            case 0: entry.etag = .none
            case 1: entry.etag = .payloads
            default: entry.etag = .text(try row.get(14))
            }
            entry.error = try row.get(15)
            entry.parameters = try row.get(16)
            return entry
        }
    }
}

/// A packed block that did not decode to the rows it was made from: a bug in ``EnvelopeBlock``.
struct PackingMismatch: Error, CustomStringConvertible {
    let position: Int64
    var description: String { "the packed block from position \(self.position) did not decode to its rows" }
}
