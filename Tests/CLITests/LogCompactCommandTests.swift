import Foundation
import Postgres
import TestSupport
import Testing

/// `log compact`: sealed partitions' indexes rebuilt packed, once each, with nothing in them
/// changed; what an interrupted rebuild left behind is dropped by the next run.
@Suite struct LogCompactCommandTests {
    @Test func sealedPartitionsAreCompactedOnceAndStayWhole() async throws {
        try await withCLISession(characters: 2) { session in
            let database = try await smallPartitionLog(session)
            let none = try await session.run(["log", "compact", "--dry-run"])
            #expect(none.status == 0 && none.output.contains("no sealed partition to compact"), "\(none.output)")
            // Syncs across simulated hours until two partitions are sealed.
            var head: Int64 = 0
            for _ in 0..<6 where head < 200 {
                let sync = try await session.run(["sync", "--force"])
                #expect(sync.status == 0, "\(sync.output)")
                try await advanceSimulator(session.base, hours: 6)
                head = try database.query("SELECT position FROM eventlog.head")[0].get(0, as: Int64.self)
            }
            let sealed = (0..<Int(head / 100)).map { "entries_" + String(format: "%06d", $0) }
            #expect(sealed.count >= 2, "head \(head)")

            // What an interrupted REINDEX CONCURRENTLY leaves: an invalid copy of an index.
            try database.executeScript(
                """
                CREATE INDEX entries_000000_leftover_ccnew ON eventlog.entries_000000 (stream_id, route_id, fetched_at);
                UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'eventlog.entries_000000_leftover_ccnew'::regclass
                """
            )
            let rows = try database.query("SELECT count(*), sum(hashtext(e::text)) FROM eventlog.entries e")[0]
            let (count, sum): (Int64, Int64) = (try rows.get(0), try rows.get(1))
            let before = try await RecoveryDrillTests().readModelChecksums(session.conninfo)

            let dry = try await session.run(["log", "compact", "--dry-run"])
            #expect(dry.status == 0 && dry.output.split(separator: "\n").map(String.init) == sealed, "\(dry.output)")
            let compact = try await session.run(["log", "compact"])
            #expect(compact.status == 0, "\(compact.output)")
            for name in sealed {
                #expect(compact.output.contains("\(name): indexes "), "\(compact.output)")
            }
            let recorded = try database.query(
                """
                SELECT partition_name, index_bytes_before, index_bytes_after FROM eventlog.compacted_partitions
                ORDER BY 1
                """
            )
            #expect(try recorded.map { try $0.get(0, as: String.self) } == sealed)
            for row in recorded {
                #expect(try row.get(2, as: Int64.self) <= (try row.get(1, as: Int64.self)))
            }
            #expect(
                try database.query(
                    "SELECT count(*) FROM pg_index WHERE indrelid = 'eventlog.entries_000000'::regclass AND NOT indisvalid"
                )[0].get(0, as: Int64.self) == 0,
                "the invalid leftover is gone"
            )
            #expect(
                try database.query(
                    """
                    SELECT count(*) FROM pg_indexes WHERE schemaname = 'eventlog' AND tablename = 'entries_000000'
                    """
                )[0].get(0, as: Int64.self) == 4,
                "the partition keeps its primary key, stream index and two BRIN indexes"
            )

            // Nothing in the log or the read models changed; a second run has nothing to do; the
            // log verifies and syncing goes on.
            let after = try database.query("SELECT count(*), sum(hashtext(e::text)) FROM eventlog.entries e")[0]
            #expect(try after.get(0, as: Int64.self) == count && (try after.get(1, as: Int64.self)) == sum)
            #expect(try await RecoveryDrillTests().readModelChecksums(session.conninfo) == before)
            let again = try await session.run(["log", "compact"])
            #expect(again.status == 0 && again.output.contains("no sealed partition to compact"), "\(again.output)")
            #expect(try await session.run(["audit", "verify"]).status == 0)
            let sync = try await session.run(["sync", "--force"])
            #expect(sync.status == 0, "\(sync.output)")
        }
    }
}
