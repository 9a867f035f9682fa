import HTTPTypes
import Hummingbird
import Postgres
import SyncTestSupport
import Testing

@testable import Web

/// The router and the route table are one surface: every route the controllers register is in
/// ``WebApp/routes`` (so the fuzz tests reach it) and every route of the table is registered.
@Suite struct RouterTests {
    @Test func theRouterServesExactlyTheRouteTable() async throws {
        try await withWebHarness(characters: 1) { web in
            let registered = Set(web.app.router().routes.map { "\($0.method.rawValue) \($0.path.description)" })
            let table = Set(WebApp.routes.map(\.description))
            #expect(registered.subtracting(table).isEmpty, "not in WebApp.routes: \(registered.subtracting(table))")
            #expect(table.subtracting(registered).isEmpty, "not registered: \(table.subtracting(registered))")
            #expect(registered.count == WebApp.routes.count)
        }
    }

    /// The probes answer anyone: `/healthz` that the process is up; `/readyz` whether it can
    /// work, and when it cannot, a 503 that says why.
    @Test func probesSayWhetherTheAppCanWork() async throws {
        try await withWebHarness(characters: 1) { web in
            let health = try await web.request("/healthz", cookie: nil)
            #expect(health.status == 200 && health.text == #"{"status":"ok"}"#, "\(health.text)")
            let ready = try await web.request("/readyz", cookie: nil)
            #expect(ready.status == 200 && ready.text.contains(#""status":"ready""#), "\(ready.text)")
            #expect(ready.text.contains(#""database":"ok""#) && ready.text.contains(#""read_models":"ok""#))

            // A read model of another build is not ready until it is rebuilt.
            try await web.pool.withConnection {
                try $0.execute("UPDATE projection.projectors SET ddl_hash = 'another' WHERE name = 'skills'")
            }
            let stale = try await web.request("/readyz", cookie: nil)
            #expect(stale.status == 503 && stale.text.contains("to be rebuilt: skills"), "\(stale.text)")
            // Nor is a database whose newest migration is not applied.
            try await web.pool.withConnection {
                try $0.execute(
                    "DELETE FROM public.schema_migrations WHERE version = (SELECT max(version) FROM public.schema_migrations)"
                )
            }
            let unmigrated = try await web.request("/readyz", cookie: nil)
            #expect(unmigrated.status == 503 && unmigrated.text.contains("pending: "), "\(unmigrated.text)")
            #expect(unmigrated.header("Cache-Control") == "no-store")
        }
    }

    /// Status by failure, through the middleware: a visitor is sent to log in (a page) or told
    /// 401 (the API); an unknown path is 404 on both; a bad parameter is 400 with its reason;
    /// every answer, errors included, carries the security headers.
    @Test func failuresBecomeOneStatusEachWithTheSecurityHeaders() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let visitorPage = try await web.request("/launcher", cookie: nil)
            #expect(visitorPage.status == 303 && visitorPage.header("Location") == "/login")
            let visitorAPI = try await web.request("/api/characters", cookie: nil)
            #expect(visitorAPI.status == 401 && visitorAPI.text.contains("\"error\""))
            #expect(try await web.request("/no/such/page", cookie: nil).status == 404)
            #expect(try await web.request("/api/no/such/call", cookie: nil).status == 404)
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            let badMoment = try await web.request("/api/characters/\(id)/diff?from=yesterdayish", cookie: cookie)
            #expect(badMoment.status == 400, "\(badMoment.text)")
            let repeated = try await web.request("/finder?q=a&q=b", cookie: cookie)
            #expect(repeated.status == 400 && repeated.text.contains("cannot be read"))
            for answer in [visitorPage, visitorAPI, badMoment, repeated] {
                #expect(answer.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
                #expect(answer.header("X-Frame-Options") == "DENY" && answer.header("Cache-Control") == "no-store")
            }
        }
    }
}
