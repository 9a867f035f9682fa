import Foundation
import Testing

@testable import ESISimulator

/// Every route of the table answers in the shape of CCP's spec (field names, types, required
/// fields, enums), or, where the world has no such object, with ESI's error shape.
@Suite struct SchemaConformanceTests {
    @Test func everyServedRouteMatchesTheSpec() throws {
        let harness = try Harness(characters: 6)
        // Let the world live a while, so that mails, contracts and journals exist.
        for _ in 0..<72 {
            harness.advance(3_600)
            _ = harness.get("/characters/\(harness.character)/ship")
        }
        let c = harness.character
        let contracts = harness.get("/characters/\(c)/contracts").json as? [[String: Any]] ?? []
        let mails = harness.get("/characters/\(c)/mail").json as? [[String: Any]] ?? []
        let assets = harness.get("/characters/\(c)/assets").json as? [[String: Any]] ?? []
        let details = harness.get("/characters/\(c)", authorized: false).json as? [String: Any] ?? [:]
        let structure = harness.simulator.structures.structures.keys.sorted().first!
        let values: [String: String] = [
            "character_id": String(c),
            "contract_id": String(contracts.first?["contract_id"] as? Int ?? 1),
            "mail_id": String(mails.first?["mail_id"] as? Int ?? 1),
            "corporation_id": String(details["corporation_id"] as? Int ?? 1),
            "alliance_id": String(details["alliance_id"] as? Int ?? 1),
            "type_id": "587", "group_id": "25", "category_id": "6", "system_id": "30000142",
            "constellation_id": "20000020", "region_id": "10000002", "station_id": "60003760",
            "structure_id": String(structure), "planet_id": "40000000", "event_id": "1", "attribute_id": "9",
            "killmail_id": "1", "killmail_hash": "abc",
        ]
        let itemIDs = assets.prefix(5).compactMap { $0["item_id"] as? Int }
        let bodies: [String: String] = [
            "/characters/affiliation": "[\(c)]",
            "/characters/{character_id}/assets/names": "\(itemIDs)",
            "/characters/{character_id}/assets/locations": "\(itemIDs)",
            "/universe/names": "[\(c), 60003760, 30000142, 587]",
            "/universe/ids": "[\"Jita\"]",
        ]
        #expect(!contracts.isEmpty && !mails.isEmpty && !itemIDs.isEmpty, "the world should have lived")

        var checked = 0
        for route in RouteTable.shipped.routes {
            var path = route.path
            for (name, value) in values { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
            let response =
                route.method == "POST" ? harness.post(path, json: bodies[route.path] ?? "[]") : harness.get(path)
            let validator = SchemaValidator.esi
            guard let value = response.json else {
                Issue.record("\(route.method) \(route.path): body is not JSON: \(response.text.prefix(200))")
                continue
            }
            if response.status == 200 {
                let schema = try #require(
                    validator.responseSchema(method: route.method, path: route.path),
                    "no schema for \(route.path)"
                )
                let problems = validator.validate(value, against: schema)
                #expect(problems.isEmpty, "\(route.method) \(route.path): \(problems.prefix(5))")
                checked += 1
            } else {
                // Only objects the world does not have may fail, and then in ESI's error shape.
                #expect(
                    [404, 422].contains(response.status),
                    "\(route.method) \(route.path) answered \(response.status): \(response.text)"
                )
                #expect(validator.validate(value, against: validator.errorSchema).isEmpty)
            }
        }
        #expect(checked >= RouteTable.shipped.routes.count - 6, "only \(checked) routes answered 200")
    }
}
