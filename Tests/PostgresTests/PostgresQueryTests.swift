import Foundation
import Postgres
import TestSupport
import Testing

/// `PostgresQuery`: interpolated values are binds, fragments are renumbered, tuples decode.
@Suite struct PostgresQueryTests {
    @Test func interpolatedValuesBecomeNumberedBinds() {
        let id: Int64 = 7
        let name: String? = nil
        let query: PostgresQuery =
            "SELECT \(unescaped: "name") FROM t WHERE id = \(id) AND name IS NOT DISTINCT FROM \(name)"
        #expect(query.sql == "SELECT name FROM t WHERE id = $1 AND name IS NOT DISTINCT FROM $2")
        #expect(query.binds.count == 2)
    }

    @Test func fragmentsAreRenumberedAfterTheBindsBeforeThem() {
        let condition: PostgresQuery = "(a = \(Int64(1)) OR b = \(Int64(2)) OR c = $10x)"
        let query: PostgresQuery = "SELECT \(Int64(0)) WHERE \(condition) AND d = \(Int64(3)) AND \(condition)"
        #expect(
            query.sql == "SELECT $1 WHERE (a = $2 OR b = $3 OR c = $11x) AND d = $4 AND (a = $5 OR b = $6 OR c = $14x)"
        )
        #expect(query.binds.count == 6)
        // A fragment with no binds, or spliced first, is left as it is; a lone `$` is text.
        let plain: PostgresQuery = "price > 0 AND note = '$'"
        #expect(("WHERE \(plain)" as PostgresQuery).sql == "WHERE price > 0 AND note = '$'")
        #expect(("WHERE \(condition)" as PostgresQuery).sql == "WHERE (a = $1 OR b = $2 OR c = $10x)")
    }

    @Test func hostileTextIsAValueNotSQL() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                let text = "x'); DROP TABLE eventlog.events; --"
                let condition: PostgresQuery = "length(\(text)) > \(Int64(3))"
                let row = try #require(
                    try connection.query("SELECT \(text), \(condition), \(Optional<Date>.none)").first
                )
                let (echoed, longer, missing) = try row.decode((String, Bool, Date?).self)
                #expect(echoed == text && longer && missing == nil)
                #expect(try connection.query("SELECT count(*) FROM eventlog.events").count == 1)
                #expect(throws: PostgresError.self) { _ = try row.decode((String, Int64).self) }
            }
        }
    }
}
