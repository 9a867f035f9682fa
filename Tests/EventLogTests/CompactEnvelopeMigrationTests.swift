import Foundation
import Migrations
import Postgres
import TestSupport
import Testing

@testable import EventLog

/// Schema 0014 moves a log written in the original layout into compact rows: every event reads
/// back as it was written, and appends go on from where they were.
@Suite struct CompactEnvelopeMigrationTests {
    @Test func aLogOfTheOriginalLayoutReadsBackTheSameAfterTheMigration() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            _ = try await pool.withConnection {
                try Migrator(migrations: Migration.embedded.filter { $0.version < 14 }).migrate($0)
            }
            let body = Array("[1]".utf8)
            let hash = ByteA(PayloadHash(of: body).bytes)
            // Rows as the original layout held them (stream, section, route and outcome as text).
            let rows: [(String, String, String, String, String, Int16?, String?)] = [
                (
                    "character:1", "assets", "/characters/{character_id}/assets", #"{"character_id": "1"}"#, "fetched",
                    200, nil
                ),
                (
                    "character:1", "mails", "/characters/{character_id}/mail/{mail_id}",
                    #"{"mail_id": "42", "character_id": "1"}"#, "fetched", 200, nil
                ),
                ("character:2", "skills", "/characters/{character_id}/skills", "{}", "fetched", 200, nil),
                (
                    "character:1", "assets", "/characters/{character_id}/assets", #"{"character_id": "1"}"#, "failed",
                    502, "HTTP 502"
                ),
                (
                    "character:1", "assets", "/characters/{character_id}/assets", #"{"character_id": "1"}"#,
                    "not_modified", 304, nil
                ),
                ("public:names", "universe_names", "/universe/names", "{}", "fetched", 200, nil),
            ]
            try await pool.transaction { connection in
                try connection.execute(
                    "INSERT INTO eventlog.payloads (hash, codec, raw_size, stored_size, body) VALUES ($1, 0, 3, 3, $2)",
                    [hash, ByteA(body)]
                )
                for (index, row) in rows.enumerated() {
                    try connection.execute(
                        """
                        INSERT INTO eventlog.events (position, stream, section, route, parameters, outcome, http_status,
                            error, etag, fetched_at, payload_hash, payload_size, append_key)
                        VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, '"e"', '2026-12-01T00:00:00Z',
                                CASE WHEN $6 = 'failed' THEN NULL ELSE $9::bytea END,
                                CASE WHEN $6 = 'fetched' THEN 3 END, '00000000-0000-0000-0000-000000000001')
                        """,
                        [Int64(index + 1), row.0, row.1, row.2, row.3, row.4, row.5, row.6, hash]
                    )
                }
                try connection.execute(
                    "INSERT INTO eventlog.appends (key, first_position, event_count) VALUES ('00000000-0000-0000-0000-000000000001', 1, 6)"
                )
                try connection.execute("UPDATE eventlog.head SET position = 6")
            }

            _ = try await pool.withConnection { try Migrator().migrate($0) }
            let store = EventStore(pool: pool)
            let after = try await store.read(after: 0)
            #expect(after.map(\.stream.rawValue) == rows.map(\.0))
            #expect(after.map(\.section) == rows.map(\.1))
            #expect(after.map(\.route) == rows.map(\.2))
            #expect(after.map(\.outcome.rawValue) == rows.map(\.4))
            #expect(after.map(\.httpStatus) == rows.map { $0.5.map(Int.init) })
            #expect(after.map(\.error) == rows.map(\.6))
            #expect(after[1].parameters == ["mail_id": "42", "character_id": "1"])
            #expect(after[0].parameters == ["character_id": "1"] && after[2].parameters.isEmpty)
            #expect(after[4].payloadHash == PayloadHash(of: body) && after[3].payloadHash == nil)
            // Stored compactly: the stream's own parameters are not repeated.
            let stored = try await pool.withConnection { connection in
                try connection.query("SELECT parameters::text FROM eventlog.entries ORDER BY position")
                    .map { try $0.get(0, as: String?.self) }
            }
            #expect(stored == [nil, #"{"mail_id": "42", "character_id": "1"}"#, "{}", nil, nil, nil])
            // Appends go on after the migrated positions, and the migrated events lie in their append.
            #expect(try await store.append(fetched(3, "assets", "[3]")) == 7)
            let report = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT count(*) FROM eventlog.entries e WHERE NOT EXISTS (
                        SELECT FROM eventlog.appends a
                        WHERE a.first_position <= e.position AND e.position < a.first_position + a.event_count)
                    """
                )[0].get(0, as: Int64.self)
            }
            #expect(report == 0)
        }
    }
}
