import Foundation
import Testing

@testable import ESISimulator

@Suite struct HTTPBehaviourTests {
    @Test(
        "versioned prefixes and trailing slashes are accepted",
        arguments: [
            "/characters/{id}/skills", "/characters/{id}/skills/", "/latest/characters/{id}/skills/",
            "/v4/characters/{id}/skills",
            "/dev/characters/{id}/skills/", "/legacy/characters/{id}/skills",
        ]
    )
    func legacyPaths(template: String) throws {
        let harness = try Harness()
        let response = harness.get(template.replacingOccurrences(of: "{id}", with: String(harness.character)))
        #expect(response.status == 200)
        #expect((response.json as? [String: Any])?["total_sp"] != nil)
    }

    @Test func etagAnswersNotModifiedWithTheCacheHeaders() throws {
        let harness = try Harness()
        let first = harness.get("/characters/\(harness.character)/assets")
        let tag = try #require(first.header("ETag"))
        #expect(tag.hasPrefix("\"") && tag.hasSuffix("\""))
        let second = harness.get("/characters/\(harness.character)/assets", headers: ["If-None-Match": tag])
        #expect(second.status == 304)
        #expect(second.body.isEmpty)
        for header in ["ETag", "Expires", "Last-Modified", "Cache-Control"] {
            #expect(second.header(header) != nil, "\(header)")
        }
        #expect(second.header("X-Ratelimit-Used") == "1")  // a 304 costs one token, a 200 two
        #expect(first.header("X-Ratelimit-Used") == "2")
    }

    @Test func theSameBodyWithinTheCacheWindowEvenIfTheWorldMovedOn() throws {
        let harness = try Harness()
        let path = "/characters/\(harness.character)/wallet/journal"
        let first = harness.get(path)
        #expect(first.header("Cache-Control") == "public, max-age=3600")
        #expect(first.header("Expires") == httpDate(harness.simulator.clock.now().addingTimeInterval(3_600)))
        harness.advance(3_599)  // almost an hour of trading and bounties, but the cache holds
        let cached = harness.get(path)
        #expect(cached.body == first.body)
        #expect(cached.header("Last-Modified") == first.header("Last-Modified"))
        #expect(cached.header("Cache-Control") == "public, max-age=1")
        harness.advance(2)
        let fresh = harness.get(path)
        #expect(fresh.header("Last-Modified") != first.header("Last-Modified"))
    }

    @Test func pagesShareLastModifiedAndEndWithA404() throws {
        let harness = try Harness(characters: 12)
        // Find a character with more than one page of assets.
        var found: (Int, Int)?
        for id in harness.simulator.world.characterIDs {
            let token = try harness.simulator.accessToken(characterID: id, scopes: harness.simulator.allScopes)!
            let response = harness.simulator.handle(
                SimulatorRequest(
                    method: "GET",
                    path: "/characters/\(id)/assets",
                    headers: ["Authorization": "Bearer \(token)"]
                )
            )
            if let pages = response.header("X-Pages").flatMap(Int.init), pages > 1 {
                found = (id, pages)
                break
            }
        }
        let (id, pages) = try #require(found, "the world should have a character with several pages of assets")
        let token = try harness.simulator.accessToken(characterID: id, scopes: harness.simulator.allScopes)!
        func page(_ number: Int) -> SimulatorResponse {
            harness.simulator.handle(
                SimulatorRequest(
                    method: "GET",
                    path: "/characters/\(id)/assets",
                    query: ["page": String(number)],
                    headers: ["Authorization": "Bearer \(token)"]
                )
            )
        }
        let all = (1...pages).map(page)
        #expect(Set(all.map { $0.header("Last-Modified") ?? "" }).count == 1)
        #expect(all.dropLast().allSatisfy { ($0.json as? [Any])?.count == 1000 })
        let past = page(pages + 1)
        #expect(past.status == 404)
        #expect((past.json as? [String: Any])?["error"] as? String == "Requested page does not exist")
        let items = all.flatMap { ($0.json as? [[String: Any]]) ?? [] }.compactMap { $0["item_id"] as? Int }
        #expect(Set(items).count == items.count, "pages must not repeat items")
    }

    @Test func transactionsPageWithAnInclusiveFromID() throws {
        let harness = try Harness()
        for _ in 0..<200 { harness.advance(3_600) }
        let all = harness.get("/characters/\(harness.character)/wallet/transactions").json as? [[String: Any]] ?? []
        try #require(all.count >= 3)
        let ids = all.compactMap { $0["transaction_id"] as? Int }
        #expect(ids == ids.sorted(by: >), "newest first")
        let from = ids[2]
        harness.advance(3_601)
        let older =
            harness.get("/characters/\(harness.character)/wallet/transactions", query: ["from_id": String(from)]).json
            as? [[String: Any]] ?? []
        #expect(older.first?["transaction_id"] as? Int == from)
    }

    @Test func mailPagesWithAnExclusiveLastMailID() throws {
        let harness = try Harness()
        for _ in 0..<300 { harness.advance(3_600) }
        let newest = harness.get("/characters/\(harness.character)/mail").json as? [[String: Any]] ?? []
        try #require(newest.count >= 2)
        #expect(newest.count <= 50)
        let last = newest.last!["mail_id"] as! Int
        let older =
            harness.get("/characters/\(harness.character)/mail", query: ["last_mail_id": String(last)]).json
            as? [[String: Any]] ?? []
        #expect(older.allSatisfy { ($0["mail_id"] as! Int) < last })
    }

    @Test func missingTokenWrongScopeAndOtherCharacter() throws {
        let harness = try Harness()
        let c = harness.character
        let noToken = harness.get("/characters/\(c)/skills", authorized: false)
        #expect(noToken.status == 401)
        #expect((noToken.json as? [String: Any])?["error"] as? String == "Unauthorized - No token provided")
        let narrow = try harness.simulator.accessToken(characterID: c, scopes: ["esi-assets.read_assets.v1"])!
        let wrongScope = harness.simulator.handle(
            SimulatorRequest(
                method: "GET",
                path: "/characters/\(c)/skills",
                headers: ["Authorization": "Bearer \(narrow)"]
            )
        )
        #expect(wrongScope.status == 403)
        #expect((wrongScope.json as? [String: Any])?["error"] as? String == "token not valid for scope")
        let other = harness.simulator.world.characterIDs[1]
        #expect(harness.get("/characters/\(other)/skills").status == 403)
        let forged = harness.simulator.handle(
            SimulatorRequest(
                method: "GET",
                path: "/characters/\(c)/skills",
                headers: ["Authorization": "Bearer \(harness.token.dropLast(4))AAAA"]
            )
        )
        #expect(forged.status == 401)
        harness.advance(1_201)
        let expired = harness.simulator.handle(
            SimulatorRequest(
                method: "GET",
                path: "/characters/\(c)/skills",
                headers: ["Authorization": "Bearer \(narrow)"]
            )
        )
        #expect(expired.status == 403)
        #expect(harness.get("/characters/\(c)", authorized: false).status == 200)  // public route
    }

    @Test func theErrorLimitTurnsEveryRouteInto420() throws {
        let harness = try Harness(errorLimit: 5)
        var remain = [String]()
        for _ in 0..<5 {
            let response = harness.get("/universe/types/999999999", authorized: false)
            #expect(response.status == 404)
            remain.append(response.header("X-Esi-Error-Limit-Remain") ?? "")
        }
        #expect(remain == ["4", "3", "2", "1", "0"])
        for path in ["/status", "/universe/types/587", "/characters/\(harness.character)/skills"] {
            let response = harness.get(path)
            #expect(response.status == 420, "\(path)")
            #expect(
                ((response.json as? [String: Any])?["error"] as? String)?.hasPrefix(
                    "This software has exceeded the error limit for ESI."
                ) == true
            )
        }
    }

    @Test func aSpentRateLimitBucketAnswers429WithRetryAfter() throws {
        let harness = try Harness()
        // char-notification allows 15 tokens per 15 minutes: seven 200s cost 14.
        let path = "/characters/\(harness.character)/notifications"
        var statuses = [Int]()
        for _ in 0..<9 { statuses.append(harness.get(path).status) }
        #expect(statuses.prefix(8).allSatisfy { $0 == 200 })
        let limited = harness.get(path)
        #expect(limited.status == 429)
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 > 0)
        #expect(limited.header("X-Ratelimit-Group") == "char-notification")
        #expect(limited.header("X-Ratelimit-Limit") == "15/15m")
        // Buckets are per character: another character is not limited.
        let other = harness.simulator.world.characterIDs[1]
        let token = try harness.simulator.accessToken(characterID: other, scopes: harness.simulator.allScopes)!
        let fine = harness.simulator.handle(
            SimulatorRequest(
                method: "GET",
                path: "/characters/\(other)/notifications",
                headers: ["Authorization": "Bearer \(token)"]
            )
        )
        #expect(fine.status == 200)
    }

    @Test func postRoutesResolveNamesAndCarryNoCacheHeaders() throws {
        let harness = try Harness()
        let response = harness.post(
            "/universe/names",
            json: "[\(harness.character), 60003760, 30000142, 587]",
            authorized: false
        )
        #expect(response.status == 200)
        #expect(response.header("Expires") == nil)
        let names = (response.json as? [[String: Any]] ?? []).map { $0["category"] as? String ?? "" }
        #expect(Set(names) == ["character", "station", "solar_system", "inventory_type"])
        #expect(harness.post("/universe/names", json: "[1]", authorized: false).status == 404)
        #expect(harness.post("/universe/names", json: "not json", authorized: false).status == 400)
    }
}

/// The simulator's mirror of CCP's image server: the same picture for the same id, 404 for paths
/// the real server does not have.
@Suite struct ImageServerTests {
    @Test func portraitsLogosAndIconsAreImagesOfTheirId() throws {
        let harness = try Harness()
        for path in [
            "/images/characters/90000001/portrait", "/images/corporations/98000001/logo",
            "/images/alliances/99000001/logo", "/images/types/587/icon", "/images/types/587/render",
        ] {
            let response = harness.get(path)
            #expect(response.status == 200 && response.header("Content-Type") == "image/svg+xml", "\(path)")
            #expect(response.text.hasPrefix("<svg") && response.text.hasSuffix("</svg>"))
            #expect(harness.get(path).body == response.body, "\(path) is not the same twice")
        }
        #expect(harness.get("/images/types/587/icon").body != harness.get("/images/types/588/icon").body)
        for path in [
            "/images/characters/90000001/logo", "/images/characters/-5/portrait", "/images/types/x/icon",
            "/images/ships/587/icon", "/images/characters/1/portrait/extra",
        ] {
            #expect(harness.get(path).status == 404, "\(path)")
        }
    }
}
