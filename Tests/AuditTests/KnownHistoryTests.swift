import ESISimulator
import EventLog
import Foundation
import Postgres
import Projections
import StaticData
import Sync
import SyncTestSupport
import Testing

@testable import Audit

/// A known history made with the simulator: a character whose random life is stopped is synced
/// once a simulated day for eight days; on day 3 it travels and its ship is moved to another
/// station, on day 5 an item is sold, on day 6 its location route is broken, on day 7 it joins
/// another corporation. Every audit command must tell exactly that, at, before and after each
/// moment, before the first fetch, and within the failure.
@Suite struct KnownHistoryTests {
    @Test func eachCommandTellsTheKnownHistory() async throws {
        try await withSyncHarness(characters: 12, rateLimitScale: 100) { harness in
            let id = harness.characterIDs[0]
            try await harness.register([id])
            let simulator = harness.simulator
            func admin(_ path: String, _ body: String) throws {
                let answer = simulator.handle(SimulatorRequest(method: "POST", path: path, body: Array(body.utf8)))
                try #require(answer.status == 200, "\(path): \(answer.text)")
            }
            try admin("/_sim/characters/\(id)/script", #"{"op": "freeze"}"#)
            _ = try await Rebuilder(pool: harness.pool).prepare()

            var marks = [Date]()  // marks[d]: just after the day-d sync
            let beforeAll = Date()
            func day(_ number: Int, faults: Faults = Faults()) async throws {
                if number > 0 { try await harness.advanceTime(by: 86_400) }
                simulator.setFaults(faults)
                try await Task.sleep(for: .milliseconds(20))
                _ = try await harness.engine().runPass(
                    filter: PassFilter(sections: harness.settings.sections),
                    force: true
                )
                simulator.setFaults(Faults())
                try await Task.sleep(for: .milliseconds(20))
                marks.append(Date())
            }
            let index = AuditIndex(pool: harness.pool)
            func at(_ time: Date, _ sections: [String]) async throws -> CharacterState {
                try await index.catchUp()
                return try await harness.pool.withConnection {
                    try AuditAsOf.state(of: id, name: "", at: time, sections: sections, on: $0)
                }
            }
            func rows(_ state: CharacterState, _ section: String, _ part: String) -> [[String: DisplayValue]] {
                let found = state.sections.first { $0.name == section }?.parts.first { $0.name == part }
                return (found?.rows ?? []).map { Dictionary(uniqueKeysWithValues: zip(found!.columns, $0)) }
            }

            try await day(0)
            // The ship to move: a singleton in a station hangar; the item to sell: a stack whose
            // type nothing else in the hangar has.
            let start = try await at(marks[0], ["assets"])
            let assets = rows(start, "assets", "assets")
            let ship = try #require(
                assets.first {
                    $0["is_singleton"] == .bool(true) && $0["location_flag"] == .text("Hangar")
                        && $0["depth"] == .int(0)
                }
            )
            let shipItem = try #require(ship["item_id"].flatMap { if case .int(let v) = $0 { v } else { nil } })
            let typeCounts = Dictionary(grouping: assets) { $0["type_id"]! }.mapValues(\.count)
            let sold = try #require(
                assets.first {
                    $0["is_singleton"] == .bool(false) && $0["depth"] == .int(0) && typeCounts[$0["type_id"]!] == 1
                        && $0["item_id"] != ship["item_id"]
                }
            )
            guard case .int(let soldItem)? = sold["item_id"], case .int(let soldType)? = sold["type_id"],
                case .int(let oldStation)? = ship["root_location_id"]
            else {
                Issue.record("asset rows lack ids")
                return
            }
            let data = StaticData.shipped
            let newStation = try #require(data.stationIDs.first { Int64($0) != oldStation })
            let destination = try #require(data.systems.values.sorted { $0.id < $1.id }.first { !$0.stations.isEmpty })

            try await day(1)
            try await day(2)
            try admin(
                "/_sim/characters/\(id)/script",
                #"{"op": "move_asset", "item_id": \#(shipItem), "location_id": \#(newStation)}"#
            )
            try admin(
                "/_sim/characters/\(id)/script",
                #"{"op": "travel", "solar_system_id": \#(destination.id), "station_id": \#(destination.stations[0])}"#
            )
            try await day(3)
            try await day(4)
            try admin(
                "/_sim/characters/\(id)/script",
                #"{"op": "sell_asset", "item_id": \#(soldItem), "price": 1234567.5, "buyer_id": \#(harness.characterIDs[1])}"#
            )
            try await day(5)
            var down = Faults()
            down.brokenRoutes = ["/characters/{character_id}/location"]
            try await day(6, faults: down)
            func corporation(of character: Int64) -> Int? {
                let answer = simulator.handle(SimulatorRequest(method: "GET", path: "/characters/\(character)/"))
                return (try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])?["corporation_id"]
                    as? Int
            }
            let otherCorporation = harness.characterIDs.lazy.compactMap(corporation(of:)).first {
                $0 != corporation(of: id)
            }
            try admin("/_sim/characters/\(id)/corporation", #"{"corporation_id": \#(otherCorporation!)}"#)
            try await day(7)
            try await day(8)
            // Names for the summaries and the finder.
            _ = try await Rebuilder(pool: harness.pool).rebuild(RebuildOptions())
            try await index.catchUp()

            // Before the first fetch: no data yet, for every section.
            let early = try await at(beforeAll, ["assets", "location", "wallet_journal"])
            for section in early.sections {
                #expect(section.parts.count == 1, "\(section.name): only its coverage before the first fetch")
                #expect(
                    rows(early, section.name, "coverage").first?["note"]
                        == .text("no data yet: the first fetch came after this moment")
                )
            }

            // The ship moved on day 3.
            func shipPlace(_ time: Date) async throws -> DisplayValue? {
                rows(try await at(time, ["assets"]), "assets", "assets").first { $0["item_id"] == .int(shipItem) }?[
                    "root_location_id"
                ]
            }
            #expect(try await shipPlace(marks[2]) == .int(oldStation))
            #expect(try await shipPlace(marks[3]) == .int(Int64(newStation)))
            #expect(try await shipPlace(marks[8]) == .int(Int64(newStation)))

            // The item was sold on day 5.
            func holds(_ time: Date) async throws -> Bool {
                rows(try await at(time, ["assets"]), "assets", "assets").contains { $0["item_id"] == .int(soldItem) }
            }
            #expect(try await holds(marks[4]))
            #expect(try await !holds(marks[5]))

            // The location: before the trip, after it, and within the failure of day 6.
            let system = { (state: CharacterState) in
                rows(state, "location", "character_location").first?["solar_system_id"]
            }
            #expect(system(try await at(marks[2], ["location"])) != .int(Int64(destination.id)))
            #expect(system(try await at(marks[3], ["location"])) == .int(Int64(destination.id)))
            let failing = try await at(marks[6], ["location"])
            #expect(system(failing) == .int(Int64(destination.id)), "the data of day 5 still shows")
            let coverage = try #require(rows(failing, "location", "coverage").first)
            guard case .time(let failingSince)? = coverage["failing_since"],
                case .time(let lastFetched)? = coverage["last_fetched_at"]
            else {
                Issue.record("within the failure: \(coverage)")
                return
            }
            #expect(failingSince > marks[5] && failingSince < marks[6])
            #expect(lastFetched > marks[4] && lastFetched < marks[5], "last fetched on day 5")
            if case .text(let error)? = coverage["last_error"] {
                #expect(error.contains("502"))
            } else {
                Issue.record("no error")
            }
            let recovered = rows(try await at(marks[7], ["location"]), "location", "coverage").first
            #expect(recovered?["failing_since"] == .null)

            // The corporation changed on day 7.
            let corporation = { (state: CharacterState) in
                rows(state, "character_details", "character_details").first?["corporation_id"]
            }
            #expect(corporation(try await at(marks[6], ["character_details"])) != .int(Int64(otherCorporation!)))
            #expect(corporation(try await at(marks[7], ["character_details"])) == .int(Int64(otherCorporation!)))

            // Diffs, in domain terms.
            let diff = { (from: Date, to: Date) in
                try await harness.pool.withConnection {
                    try AuditDiff.diff(of: id, from: from, to: to, sections: nil, on: $0)
                }
            }
            let tripDiff = try await diff(marks[2], marks[3])
            let tripLines = tripDiff.flatMap(\.lines)
            let shipName =
                data.types[Int(ship["type_id"].flatMap { if case .int(let v) = $0 { v } else { nil } }!)]?.name ?? "?"
            #expect(tripLines.contains { $0.contains("\(shipName) moved from") }, "\(tripLines)")
            #expect(tripDiff.first { $0.section == "location" }?.lines.count == 1)
            #expect(!tripDiff.contains { $0.section == "wallet_balance" }, "nothing else changed on day 3")
            let saleDiff = try await diff(marks[4], marks[5])
            let soldName = data.types[Int(soldType)]?.name ?? String(soldType)
            #expect(
                saleDiff.first { $0.section == "assets" }?.lines.contains {
                    $0.hasPrefix("- ") && $0.contains(soldName)
                } == true
            )
            #expect(saleDiff.first { $0.section == "wallet_balance" }?.lines.first?.contains("(+1,234,567.50)") == true)
            #expect(
                saleDiff.first { $0.section == "wallet_journal" }?.lines.contains {
                    $0.contains("market_transaction +1,234,567.50 ISK")
                } == true
            )
            #expect(saleDiff.first { $0.section == "wallet_transactions" }?.lines.first?.hasPrefix("sold") == true)
            #expect(
                saleDiff.map(\.section).prefix(2) == ["wallet_balance", "wallet_journal"],
                "the wallet, then what explains it"
            )
            let corporationDiff = try await diff(marks[6], marks[7])
            #expect(
                corporationDiff.first { $0.section == "character_details" }?.lines.first?.hasPrefix("corporation ")
                    == true
            )
            #expect(
                corporationDiff.first { $0.section == "corporation_history" }?.lines.first?.hasPrefix("joined ") == true
            )
            #expect(
                try await diff(marks[7], marks[8]).filter { !["skills", "skill_queue"].contains($0.section) }.isEmpty,
                "a quiet day changes nothing but training"
            )

            // The timeline: the first fetches, the changes of days 3, 5 and 7, the failures of day 6.
            let firstDay = marks[0]
            let timeline = try await harness.pool.withConnection {
                try AuditTimeline.timeline(of: id, sections: nil, since: firstDay, until: nil, on: $0)
            }
            // Skills queued before the freeze go on training: those change on other days too.
            let training: Set<String> = ["skills", "skill_queue"]
            let changed = Set(
                timeline.filter { $0.kind == .change && !training.contains($0.section) }.map { entry in
                    marks.firstIndex { $0 > entry.time } ?? -1
                }
            )
            #expect(changed == [3, 5, 7], "\(timeline.map { "\($0.time) \($0.text)" })")
            let failures = timeline.filter { $0.kind == .failure }
            #expect(
                !failures.isEmpty
                    && failures.allSatisfy { $0.section == "location" && $0.time > marks[5] && $0.time < marks[6] }
            )

            // Series: one point per fetch, the sale in the wallet.
            let wallet = try await harness.pool.withConnection {
                try AuditSeries.series(of: id, metric: .wallet, since: nil, until: nil, on: $0)
            }
            #expect(wallet.count == 9)
            #expect(wallet[5].value! - wallet[4].value! == 1_234_567.5)
            let places = try await harness.pool.withConnection {
                try AuditSeries.series(of: id, metric: .location, since: nil, until: nil, on: $0)
            }
            #expect(places.count == 8, "one fetch failed")
            #expect(places.last?.label == destination.name)

            // Across characters: who held the sold type, who was at the destination, who the buyer dealt with.
            let holders = { (time: Date) in
                try await harness.pool.withConnection { try AuditFind.holders(of: soldType, at: time, on: $0) }
            }
            #expect(try await holders(marks[4]).map(\.characterID) == [id])
            #expect(try await holders(marks[5]).isEmpty)
            #expect(try await holders(beforeAll).isEmpty)
            let present = { (time: Date) in
                try await harness.pool.withConnection {
                    try AuditFind.present(at: Int64(destination.id), time: time, on: $0).map(\.characterID)
                }
            }
            #expect(try await present(marks[2]).isEmpty)
            #expect(try await present(marks[3]) == [id])
            let dealings = try await harness.pool.withConnection {
                try AuditFind.dealings(with: harness.characterIDs[1], since: nil, until: nil, on: $0)
            }
            #expect(
                Set(dealings.filter { $0.characterID == id }.compactMap(\.kind)).isSuperset(of: [
                    "journal", "transaction",
                ])
            )

            // The index rebuilt from the log equals the incremental one.
            func dump() async throws -> [String] {
                try await harness.pool.withConnection { connection in
                    try ["changes", "heads", "departed", "gaps", "asset_types", "locations", "counterparties"].flatMap {
                        table in
                        try connection.query("SELECT t::text FROM audit.\(unescaped: table) t ORDER BY 1").map {
                            "\(table) \(try $0.get(0, as: String.self))"
                        }
                    }
                }
            }
            let incremental = try await dump()
            _ = try await index.rebuild()
            let rebuilt = try await dump()
            #expect(rebuilt.count == incremental.count)
            #expect(Set(incremental).subtracting(rebuilt).sorted().prefix(3) == [], "only in the incremental index")
            #expect(Set(rebuilt).subtracting(incremental).sorted().prefix(3) == [], "only in the rebuilt index")
        }
    }
}
