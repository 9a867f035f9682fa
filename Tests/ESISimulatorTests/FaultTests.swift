import Foundation
import Testing

@testable import ESISimulator

@Suite struct FaultTests {
    @Test func serverErrorsComeAsESIJSONAndAsCDNHTML() throws {
        var faults = Faults()
        faults.serverErrorRate = 1
        faults.htmlShare = 0.5
        let harness = try Harness(faults: faults, errorLimit: 1_000)
        var json = 0
        var html = 0
        for _ in 0..<60 {
            let response = harness.get("/characters/\(harness.character)/skills")
            #expect([502, 503, 504].contains(response.status))
            if response.header("Content-Type")?.hasPrefix("text/html") == true {
                #expect(response.text.contains("<html>"))
                html += 1
            } else {
                let error = (response.json as? [String: Any])?["error"] as? String
                #expect([ESIErrors.badGateway, ESIErrors.unavailable, ESIErrors.gatewayTimeout].contains(error ?? ""))
                if response.status == 504 { #expect((response.json as? [String: Any])?["timeout"] as? Int == 10) }
                json += 1
            }
        }
        #expect(json > 10 && html > 10)
    }

    @Test func timeoutsHangThenAnswer504() throws {
        var faults = Faults()
        faults.timeoutRate = 1
        faults.timeoutSeconds = 45
        let harness = try Harness(faults: faults)
        let response = harness.get("/characters/\(harness.character)/skills")
        #expect(response.status == 504)
        #expect(response.delay >= 45)
    }

    @Test func malformedBodiesAreTruncatedJSON() throws {
        var faults = Faults()
        faults.malformedRate = 1
        let harness = try Harness(faults: faults)
        let response = harness.get("/characters/\(harness.character)/assets")
        #expect(response.status == 200)
        #expect(response.json == nil)
        #expect(!response.body.isEmpty)
    }

    @Test func latencyAndJitterDelayAnswers() throws {
        var faults = Faults()
        faults.latencyMilliseconds = 100
        faults.jitterMilliseconds = 20
        let harness = try Harness(faults: faults)
        let delays = (0..<50).map { _ in harness.get("/status").delay }
        #expect(delays.allSatisfy { (0.08...0.12).contains($0) })
        #expect(Set(delays).count > 10)
    }

    @Test func aForbiddenStructureAnswers403() throws {
        let harness = try Harness()
        let structures = harness.simulator.structures.structures.keys.sorted()
        _ = harness.admin("POST", "/_sim/faults", json: "{\"forbidden_structures\": [\(structures[0])]}")
        #expect(harness.get("/universe/structures/\(structures[0])").status == 403)
        #expect(harness.get("/universe/structures/\(structures[1])").status == 200)
    }

    @Test func aRouteMarkedDownIsReportedAndAnswers503() throws {
        let harness = try Harness()
        let route = "/characters/{character_id}/mail"
        _ = harness.admin("POST", "/_sim/faults", json: "{\"down_routes\": [\"\(route)\"]}")
        let status = harness.get("/meta/status").json as? [String: Any]
        let routes = status?["routes"] as? [[String: Any]] ?? []
        #expect(routes.first { $0["path"] as? String == route }?["status"] as? String == "Down")
        #expect(
            routes.first { $0["path"] as? String == "/characters/{character_id}/skills" }?["status"] as? String == "OK"
        )
        #expect(harness.get("/characters/\(harness.character)/mail").status == 503)
        _ = harness.admin("DELETE", "/_sim/faults")
        #expect(harness.get("/characters/\(harness.character)/mail").status == 200)
    }

    @Test func anErrorLimitAboutToRunOut() throws {
        let harness = try Harness()
        _ = harness.admin("POST", "/_sim/faults", json: "{\"error_limit_remain\": 2}")
        // /status is rate-limited, so it carries the X-Ratelimit headers instead.
        #expect(harness.get("/status").header("X-Esi-Error-Limit-Remain") == nil)
        #expect(harness.get("/universe/types/587", authorized: false).header("X-Esi-Error-Limit-Remain") == "2")
        // Two errors: ids that are no type (420 is the group Destroyer; there is no type 420).
        _ = harness.get("/universe/types/420", authorized: false)
        _ = harness.get("/universe/types/999999999", authorized: false)
        #expect(harness.get("/universe/types/587", authorized: false).status == 420)
    }
}
