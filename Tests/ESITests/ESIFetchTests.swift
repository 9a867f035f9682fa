import ESISimulator
import Foundation
import Synchronization
import Testing
import Vocabulary

@testable import ESI

/// A budget that runs a hook before a chosen request: tests use it to move the simulator's clock
/// between the pages of one fetch.
final class HookBudget: ESIBudget {
    let admitted = Atomic<Int>(0)
    let hook: @Sendable (Int) -> Void

    init(hook: @escaping @Sendable (Int) -> Void) { self.hook = hook }

    func admit(group: String?, characterID: Int64?) async throws {
        self.hook(self.admitted.add(1, ordering: .relaxed).newValue)
    }

    func observe(status: Int?, headers: ESIHeaders, group: String?, characterID: Int64?) {}
}

@Suite struct ESIFetchTests {
    let http = HTTPClient(userAgent: "memberaudit-tests (maintainers@example.invalid)")

    /// A character with more than one page of assets, and a token that reads them.
    func pagedCharacter(_ simulator: Simulator) throws -> (id: Int, token: String) {
        for id in simulator.world.characterIDs {
            let token = try #require(try simulator.accessToken(characterID: id, scopes: simulator.allScopes))
            let answer = simulator.handle(
                SimulatorRequest(
                    method: "GET",
                    path: "/characters/\(id)/assets",
                    headers: ["Authorization": "Bearer \(token)"]
                )
            )
            if (answer.header("X-Pages").flatMap { Int($0) } ?? 1) > 1 { return (id, token) }
        }
        throw CancellationError()
    }

    @Test func allPagesAreJoinedIntoOneArray() async throws {
        try await withSimulator { base, simulator in
            let (id, token) = try self.pagedCharacter(simulator)
            let client = ESIClient(http: self.http, configuration: ESIConfiguration(baseURL: base))
            let result = try await client.fetch(
                ESIRequest(path: "/characters/\(id)/assets", accessToken: token),
                paging: .xPages
            )
            #expect(result.kind == .fetched)
            let pages = try #require(result.pages)
            #expect(pages > 1 && result.requests == pages)
            let items = try #require(try JSONSerialization.jsonObject(with: Data(result.body)) as? [[String: Any]])
            #expect(items.count > 1000)
            #expect(Set(items.compactMap { $0["item_id"] as? Int }).count == items.count)
            #expect((result.json?.value as? [Any])?.count == items.count)
            // Page 1's ETag answers 304 for the whole resource.
            let again = try await client.fetch(
                ESIRequest(path: "/characters/\(id)/assets", accessToken: token, etag: result.etag),
                paging: .xPages
            )
            #expect(again.kind == .notModified && again.requests == 1 && again.body.isEmpty)
        }
    }

    @Test func pagesBuiltAtDifferentTimesAreReadAgain() async throws {
        try await withSimulator { base, simulator in
            // The assets were built for pagedCharacter(); their hour of cache nearly passes.
            let (id, _) = try self.pagedCharacter(simulator)
            simulator.clock.advance(by: 3590)
            let token = try #require(try simulator.accessToken(characterID: id, scopes: simulator.allScopes))
            // Between page 1 and page 2 of the first attempt, ESI's cache window ends.
            let budget = HookBudget { number in
                if number == 2 { simulator.clock.advance(by: 20) }
            }
            let client = ESIClient(http: self.http, configuration: ESIConfiguration(baseURL: base), budget: budget)
            let result = try await client.fetch(
                ESIRequest(path: "/characters/\(id)/assets", accessToken: token),
                paging: .xPages
            )
            #expect(result.kind == .fetched)
            let pages = try #require(result.pages)
            #expect(result.requests == pages * 2, "one full read that mixed two builds, one consistent read")
            let expected = simulator.handle(
                SimulatorRequest(
                    method: "GET",
                    path: "/characters/\(id)/assets",
                    headers: ["Authorization": "Bearer \(token)"]
                )
            )
            #expect(result.lastModified == expected.header("Last-Modified").flatMap(parseHTTPDate))
        }
    }

    @Test func serverErrorsAreRetriedAndClientErrorsAreNot() async throws {
        var faults = Faults()
        faults.serverErrorRate = 1
        try await withSimulator(faults: faults) { base, simulator in
            // The first two answers fail; then the datasource is back.
            let budget = HookBudget { number in
                if number == 3 { simulator.setFaults(Faults()) }
            }
            var configuration = ESIConfiguration(baseURL: base)
            configuration.backoff = 0.01
            let client = ESIClient(http: self.http, configuration: configuration, budget: budget)
            let result = try await client.fetch(ESIRequest(path: "/status"))
            #expect(result.kind == .fetched && result.requests == 3)
            let missing = try await client.fetch(ESIRequest(path: "/characters/1/assets"))
            #expect(missing.kind == .failed && missing.status == 401 && missing.requests == 1)
            #expect(missing.error?.contains("401") == true)
        }
    }

    @Test func truncatedJSONIsAFailureNotData() async throws {
        var faults = Faults()
        faults.malformedRate = 1
        try await withSimulator(faults: faults) { base, _ in
            var configuration = ESIConfiguration(baseURL: base)
            configuration.backoff = 0.01
            let client = ESIClient(http: self.http, configuration: configuration)
            let result = try await client.fetch(ESIRequest(path: "/status"))
            #expect(result.kind == .failed && result.status == 200 && result.requests == 3)
            #expect(result.error?.contains("not valid JSON") == true)
            #expect(result.body.isEmpty == false, "the bytes that came are kept for the event")
        }
    }

    @Test func keysetPagingContinuesBelowTheLowestID() async throws {
        try await withSimulator { base, simulator in
            simulator.clock.advance(by: 10 * 86_400)
            let id = simulator.world.characterIDs[0]
            let token = try #require(try simulator.accessToken(characterID: id, scopes: simulator.allScopes))
            let client = ESIClient(http: self.http, configuration: ESIConfiguration(baseURL: base))
            let request = ESIRequest(path: "/characters/\(id)/wallet/transactions", accessToken: token)
            let whole = try await client.fetch(request)
            let count = try #require(whole.json?.value as? [Any]).count
            try #require(count > 4, "the character should have traded in ten days")
            // With a page size below the count, the client must ask again with from_id.
            let paged = try await client.fetch(
                request,
                paging: .fromID(idKey: "transaction_id", pageSize: count, maxItems: 100_000)
            )
            #expect(paged.requests == 2)
            #expect((paged.json?.value as? [Any])?.count == count)
        }
    }

    @Test func joiningArraysKeepsTheBytes() {
        #expect(
            joinJSONArrays([Array("[1,2]".utf8), Array("[ ]".utf8), Array(" [3]\n".utf8)]) == Array("[1,2,3]".utf8)
        )
        #expect(joinJSONArrays([Array("[]".utf8)]) == Array("[]".utf8))
        #expect(
            joinJSONArrays([Array(#"[{"a":[1]}]"#.utf8), Array(#"[{"b":"]"}]"#.utf8)])
                == Array(#"[{"a":[1]},{"b":"]"}]"#.utf8)
        )
    }

    @Test func httpDatesParseAsFoundationDoes() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 0..<4_102_444_800, using: &random)))
            let text = formatter.string(from: date)
            #expect(parseHTTPDate(text) == date, "\(text)")
        }
        for bad in [
            "", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
        ] {
            #expect(parseHTTPDate(bad) == nil, "\(bad)")
        }
    }

    @Test func headersAreRead() {
        let response = ClientResponse(
            status: 200,
            headers: [
                ("ETag", "\"abc\""), ("Last-Modified", "Sun, 01 Nov 2026 10:00:00 GMT"), ("X-Pages", "3"),
                ("X-Esi-Error-Limit-Remain", "87"), ("X-Esi-Error-Limit-Reset", "41"),
                ("x-ratelimit-group", "char-asset"),
                ("X-Ratelimit-Remaining", "1790"), ("Retry-After", "12"),
            ],
            body: [],
            httpVersion: "1.1"
        )
        let headers = ESIHeaders(response)
        #expect(headers.etag == "\"abc\"" && headers.pages == 3)
        #expect(headers.lastModified == Date(timeIntervalSince1970: 1_793_527_200))
        #expect(headers.errorLimitRemain == 87 && headers.errorLimitReset == 41)
        #expect(
            headers.rateLimitGroup == "char-asset" && headers.rateLimitRemaining == 1790 && headers.retryAfter == 12
        )
    }
}

/// Header numbers are taken only within plausible ranges.
@Suite struct ESIHeaderBoundsTests {
    @Test func hostileHeaderNumbersAreIgnored() {
        let headers = ESIHeaders(
            ClientResponse(
                status: 200,
                headers: [
                    ("X-Pages", "99999999999"), ("Retry-After", "-5"), ("X-ESI-Error-Limit-Reset", "1e9"),
                    ("X-ESI-Error-Limit-Remain", "99999999999999999999"), ("X-Ratelimit-Remaining", " 150 "),
                ],
                body: [],
                httpVersion: "1.1"
            )
        )
        #expect(headers.pages == nil && headers.retryAfter == nil && headers.errorLimitReset == nil)
        #expect(headers.errorLimitRemain == nil && headers.rateLimitRemaining == 150)
        let fine = ESIHeaders(ClientResponse(status: 200, headers: [("X-Pages", "3")], body: [], httpVersion: "1.1"))
        #expect(fine.pages == 3)
    }
}
