import Access
import Audit
import ESI
import ESISimulator
import Foundation
import Postgres
import Projections
import Sync
import SyncTestSupport
import TestSupport
import Testing

@testable import Web

/// A sold character's past stays with its seller: each sale starts an ownership epoch; the buyer
/// sees only what was fetched in theirs, the seller loses the character, an auditor sees every
/// epoch with the boundaries, and the read models equal a rebuild after each sale.
@Suite struct OwnershipEpochTests {
    @Test(.timeLimit(.minutes(10)))
    func aCharacterSoldTwiceShowsEachBuyerOnlyTheirEpoch() async throws {
        try await withWebHarness(characters: 2) { web in
            let id = web.sync.characterIDs[0]
            let seller = try await web.owner(of: id)
            func value<T: PostgresDecodable & Sendable>(
                _ sql: String,
                _ parameters: [any PostgresEncodable] = []
            )
                async throws -> T
            {
                try await web.pool.withConnection { try $0.query(sql, parameters)[0].get(0, as: T.self) }
            }
            try await web.pool.withConnection { connection in
                try connection.execute("UPDATE sync.users SET main_character_id = $1 WHERE name = $2", [id, seller])
                try connection.execute("INSERT INTO access.shared_characters (character_id) VALUES ($1)", [id])
                try connection.execute("INSERT INTO sync.users (name, is_superuser) VALUES ('auditor', true)")
            }
            let skillsBefore: Int64 = try await value(
                "SELECT count(*) FROM readmodel.skills WHERE character_id = $1",
                [id]
            )
            #expect(skillsBefore > 0)
            // A day of the seller's syncing: changes in their epoch.
            try await web.sync.advanceTime(by: 86_400)
            _ = try await web.sync.engine().runPass(
                filter: PassFilter(sections: web.sync.settings.sections),
                force: true
            )
            try await ProjectionRunner(pool: web.pool).catchUp()
            _ = try await AuditIndex(pool: web.pool).catchUp()
            let (sellerCookie, _) = try await web.session(for: seller)
            #expect(try await web.request("/characters/\(id)", cookie: sellerCookie).status == 200)

            // First sale: the buyer logs in with the character, then adds it and it syncs.
            func sell(to buyer: WebHarness.Browser) async throws -> Date {
                _ = web.sync.simulator.world.transferCharacter(Int(id))
                try await web.sync.advanceTime(by: 3600)
                #expect(try await buyer.login(as: id).status == 303)
                let started: Date = try await value(
                    "SELECT max(started_at) FROM sync.ownership_epochs WHERE character_id = $1",
                    [id]
                )
                // The read models of the new epoch start empty ...
                try await ProjectionRunner(pool: web.pool).catchUp()
                #expect(
                    try await value("SELECT count(*) FROM readmodel.skills WHERE character_id = $1", [id]) as Int64
                        == 0
                )
                // ... and fill from its first sync.
                #expect(try await buyer.login(as: id, path: "/sso/add").status == 303)
                try await web.sync.advanceTime(by: 3600)
                // Something the buyer's sync surely sees change (an hour of random events may
                // bring none, depending on where the wall clock's hours fall).
                let now = web.sync.simulator.clock.now()
                #expect(
                    web.sync.simulator.world.script(
                        Int(id),
                        .giveAsset(typeID: 587, quantity: 1, locationID: nil),
                        at: now
                    )
                )
                _ = try await web.sync.engine().runPass(
                    filter: PassFilter(sections: web.sync.settings.sections),
                    force: true
                )
                try await ProjectionRunner(pool: web.pool).catchUp()
                #expect(
                    try await value("SELECT count(*) FROM readmodel.skills WHERE character_id = $1", [id]) as Int64 > 0
                )
                _ = try await AuditIndex(pool: web.pool).catchUp()
                return started
            }
            func timeline(_ send: (String) async throws -> [UInt8]) async throws -> [[String: Any]] {
                let body = try await send("/api/characters/\(id)/timeline?since=-3650d")
                return try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
            }
            func times(_ entries: [[String: Any]]) -> [Date] {
                entries.compactMap { ($0["time"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } }
            }

            let buyer = web.browser()
            let firstSale = try await sell(to: buyer)
            // The seller lost it: not theirs to open, not their main, no longer shared.
            #expect(try await web.request("/characters/\(id)", cookie: sellerCookie).status == 404)
            #expect(
                try await value("SELECT main_character_id FROM sync.users WHERE name = $1", [seller]) as Int64? == nil
            )
            #expect(
                try await value("SELECT count(*) FROM access.shared_characters WHERE character_id = $1", [id]) as Int64
                    == 0
            )
            // The buyer's history begins at the sale; the auditor's includes the seller's epoch.
            let buyersTimeline = try await timeline { try await buyer.send($0).body }
            #expect(
                buyersTimeline.contains { $0["kind"] as? String == "change" },
                "the buyer's own syncs: \(buyersTimeline.prefix(20))"
            )
            #expect(times(buyersTimeline).allSatisfy { $0 >= firstSale.addingTimeInterval(-1) })
            let history = String(decoding: try await buyer.send("/characters/\(id)/history").body, as: UTF8.self)
            #expect(history.contains("changed hands"))
            let (auditorCookie, _) = try await web.session(for: "auditor")
            let auditorsTimeline = try await timeline { try await web.request($0, cookie: auditorCookie).body }
            #expect(times(auditorsTimeline).contains { $0 < firstSale.addingTimeInterval(-1) })
            #expect(auditorsTimeline.contains { $0["kind"] as? String == "owner" })

            // Second sale: the first buyer loses it; the second sees only their epoch.
            let secondBuyer = web.browser()
            let secondSale = try await sell(to: secondBuyer)
            let (firstBuyer, _) = try await web.session(
                for: try await value(
                    "SELECT u.name FROM sync.users u JOIN sync.ownership_epochs e ON e.previous_user_id = u.id WHERE e.character_id = $1 AND e.started_at = $2",
                    [id, secondSale]
                )
            )
            #expect(try await web.request("/characters/\(id)", cookie: firstBuyer).status == 404)
            #expect(
                times(try await timeline { try await secondBuyer.send($0).body }).allSatisfy {
                    $0 >= secondSale.addingTimeInterval(-1)
                }
            )
            let owners = try await timeline { try await web.request($0, cookie: auditorCookie).body }.filter {
                $0["kind"] as? String == "owner"
            }
            #expect(owners.count == 2)

            // The read models after two sales equal a rebuild of the log.
            let report = try await Rebuilder(pool: web.pool).rebuild(RebuildOptions(verify: true, jobs: 2))
            #expect(!report.checks.isEmpty && report.checks.allSatisfy { $0.matches == true })
        }
    }
}
