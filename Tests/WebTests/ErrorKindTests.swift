import Access
import Audit
import HTTPTypes
import Postgres
import Sync
import SyncTestSupport
import Testing
import Vocabulary

@testable import Web

/// One error model: every module's error says its kind, and the web app decides the status of
/// each kind in one place.
@Suite struct ErrorKindTests {
    @Test func eachKindHasItsOwnStatus() {
        let statuses = ErrorKind.allCases.map { WebApp.status(for: $0).code }
        #expect(statuses == [400, 404, 403, 409, 503, 500])
        #expect(Set(statuses).count == ErrorKind.allCases.count)
    }

    @Test func errorsSayTheirKind() {
        #expect(AccessError(.unknownUser, "no user named 'x'").kind == .invalidInput)
        #expect(SyncError(.ssoFailed, "the SSO is down").kind == .unavailable)
        #expect(SyncError(.characterVanished, "a bug").kind == .failure)
        #expect(AuditError(.notAMoment, "last tuesday").code.name == "not_a_moment")
        #expect(PostgresError(.encoding, "a NUL in text").kind == .invalidInput)
        #expect(PostgresError(.connectionFailed, "no server").kind == .unavailable)
        #expect(PostgresError(.server, "deadlock").kind == .failure)
    }

    @Test func aValueFromOutsideIsA400AndTheServerKeepsGoing() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            // A moment that is not one: AuditError, invalid input.
            let since = try await web.request("/api/characters/\(id)/timeline?since=last%20tuesday", cookie: cookie)
            #expect(since.status == 400 && since.text.contains("not a moment"), "\(since.status) \(since.text)")
            // Not a superuser: refused, 403.
            let admin = try await web.request("/api/admin/users", cookie: cookie)
            #expect(admin.status == 403)
        }
    }
}
