import Postgres
import TestSupport
import Testing

@testable import Audit

/// `audit find --type NAME` over the whole SDE, where 1,038 names repeat: the published type wins
/// over unpublished ones of its name; two published ones are ambiguous and ask for the id.
@Suite struct TypeNameTests {
    @Test func aPublishedTypeWinsOverUnpublishedNamesakes() async throws {
        try await TestDatabase.with { (pool, _) async throws in
            func resolve(_ name: String) async throws -> Int64 {
                try await pool.withConnection { try AuditFind.resolve(name, as: .type, on: $0) }
            }
            #expect(try await resolve("Angel Control Tower") == 27_539)
            #expect(try await resolve("rifter") == 587)
            #expect(try await resolve("Gunnery") == 3300)
            await #expect(throws: AuditError.self) { try await resolve("Spiked Quafe") }
            await #expect(throws: AuditError.self) { try await resolve("Golden Rifter") }
        }
    }
}
