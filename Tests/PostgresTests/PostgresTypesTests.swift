import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresTypesTests {
    @Test func scalarsRoundTripInBinaryFormat() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let now = Date(timeIntervalSince1970: 1_764_000_000.123456)
            let uuid = UUID()
            let row = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT $1::bigint, $2::int, $3::smallint, $4::float8, $5::text, $6::bytea, $7::timestamptz, $8::uuid, $9::bool",
                    [Int64.max, Int32.min, Int16(-7), 3.25, "Jita IV – Moon 4 ✓", ByteA([0, 255, 1]), now, uuid, true]
                )[0]
            }
            #expect(try row.get(0, as: Int64.self) == .max)
            #expect(try row.get(1, as: Int32.self) == .min)
            #expect(try row.get(2, as: Int16.self) == -7)
            #expect(try row.get(3, as: Double.self) == 3.25)
            #expect(try row.get(4, as: String.self) == "Jita IV – Moon 4 ✓")
            #expect(try row.get(5, as: ByteA.self) == ByteA([0, 255, 1]))
            let date = try row.get(6, as: Date.self)
            #expect(abs(date.timeIntervalSince1970 - now.timeIntervalSince1970) < 0.000_001)
            #expect(try row.get(7, as: UUID.self) == uuid)
            #expect(try row.get(8, as: Bool.self))
        }
    }

    @Test func nullsDecodeOnlyIntoOptionals() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let result = try await pool.withConnection { try $0.query("SELECT $1::text", [String?.none]) }
            #expect(try result[0].get(0, as: String?.self) == nil)
            #expect(throws: PostgresError.self) { try result[0].get(0, as: String.self) }
        }
    }

    @Test func arraysWithNullsRoundTrip() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let rows = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT a, b FROM unnest($1::bigint[], $2::text[]) AS t(a, b) ORDER BY a",
                    [[3, 1, 2] as [Int], ["c", nil, "b"] as [String?]]
                )
            }
            #expect(try rows.map { try $0.get(0, as: Int.self) } == [1, 2, 3])
            #expect(try rows.map { try $0.get(1, as: String?.self) } == [nil, "b", "c"])
        }
    }

    @Test func arraysDecode() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let row = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT $1::bigint[], $2::float8[], $3::text[], $4::bool[], '{}'::bigint[], ARRAY[1, 2]::int4[]",
                    [
                        [Int64.max, -1] as [Int64], [1.5, nil] as [Double?], ["Jita", ""] as [String],
                        [true, false] as [Bool],
                    ]
                )[0]
            }
            #expect(try row.get(0, as: [Int64].self) == [.max, -1])
            #expect(try row.get(1, as: [Double?].self) == [1.5, nil])
            #expect(throws: PostgresError.self) { try row.get(1, as: [Double].self) }  // a NULL element
            #expect(try row.get(2, as: [String].self) == ["Jita", ""])
            #expect(try row.get(3, as: [Bool].self) == [true, false])
            #expect(try row.get(4, as: [Int64].self) == [])
            #expect(try row.get(5, as: [Int64].self) == [1, 2])
        }
    }

    @Test func copyOutReadsRowsInPlace() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let (count, rows) = try await pool.withConnection { connection in
                var rows = [[Int64?]]()
                let count = try connection.copyOut(
                    """
                    COPY (SELECT g::bigint, CASE WHEN g % 2 = 0 THEN NULL ELSE g * 10 END::int4, (-g)::int2
                          FROM generate_series(1, 3000) g) TO STDOUT (FORMAT binary)
                    """
                ) { row in rows.append([row.int64(0), row.int64(1), row.int64(2)]) }
                return (count, rows)
            }
            #expect(count == 3000)
            #expect(rows[0] == [1, 10, -1])
            #expect(rows[1] == [2, nil, -2])
            #expect(rows[2999] == [3000, nil, -3000])
            await #expect(throws: PostgresError.self) {
                try await pool.withConnection {
                    try $0.copyOut("COPY (SELECT nope) TO STDOUT (FORMAT binary)") { _ in }
                }
            }
            // The connection is usable after a failed COPY.
            #expect(try await pool.withConnection { try $0.query("SELECT 1")[0].get(0, as: Int.self) } == 1)
        }
    }

    @Test(
        "numeric decodes exactly",
        arguments: ["0", "1.5", "-1234567.000100", "100000000", "0.0001", "123456789012345678"]
    )
    func numeric(text: String) async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let value = try await pool.withConnection {
                try $0.query("SELECT $1::numeric", [text])[0].get(0, as: String.self)
            }
            #expect(value == text)
        }
    }

    @Test func jsonbDecodesAsText() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let value = try await pool.withConnection {
                try $0.query("SELECT $1::jsonb", ["{\"b\": 1, \"a\": [true]}"])[0].get(0, as: String.self)
            }
            #expect(value == "{\"a\": [true], \"b\": 1}")
        }
    }

    @Test func columnsByName() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let row = try await pool.withConnection { try $0.query("SELECT 7 AS seven, 'x' AS ex")[0] }
            #expect(try row.get("seven", as: Int.self) == 7)
            #expect(throws: PostgresError.self) { try row.get("missing", as: Int.self) }
        }
    }
}

/// Parameters PostgreSQL cannot hold are refused with an error, never converted in a way that
/// traps: dates beyond its range or not finite, text with NUL.
@Suite struct PostgresEncodingTests {
    @Test func unencodableValuesThrowInsteadOfTrapping() throws {
        var buffer = [UInt8]()
        for moment in [Double.infinity, -.infinity, .nan, 1e300, -1e300, 9.3e15] {
            #expect(throws: PostgresError.self, "\(moment)") {
                try Date(timeIntervalSince1970: moment).encodePostgres(into: &buffer)
            }
            #expect(!Date(timeIntervalSince1970: moment).isPostgresTimestamp)
        }
        #expect(throws: PostgresError.self) { try "a\u{0}b".encodePostgres(into: &buffer) }
        #expect(buffer.isEmpty, "nothing half-written")
        try Date(timeIntervalSince1970: -62_135_596_800).encodePostgres(into: &buffer)  // 0001-01-01
        try Date(timeIntervalSince1970: 253_402_300_799).encodePostgres(into: &buffer)  // 9999-12-31
        #expect(buffer.count == 16)
    }

    @Test func theServerGetsAnErrorItCanReport() async throws {
        try await TestDatabase.with(migrate: false) { pool, _ in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection {
                    try $0.query("SELECT $1::timestamptz", [Date(timeIntervalSince1970: 1e300)])
                }
            }
            #expect(error?.code == .encoding)
            // The connection is still good.
            let one = try await pool.withConnection { try $0.query("SELECT 1")[0].get(0, as: Int.self) }
            #expect(one == 1)
        }
    }
}
