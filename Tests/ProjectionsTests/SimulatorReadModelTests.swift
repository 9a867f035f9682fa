import ESISimulator
import EventLog
import Foundation
import Postgres
import Sync
import SyncTestSupport
import Testing

@testable import Projections

/// Read models of characters synced from the simulator: they show what ESI served, and follow the
/// world as it changes.
@Suite struct SimulatorReadModelTests {
    @Test(.timeLimit(.minutes(10)))
    func readModelsShowTheNewestDataAndFollowTheWorld() async throws {
        try await withSyncHarness(characters: 3, rateLimitScale: 100) { harness in
            try await harness.register()
            let all = PassFilter(sections: harness.settings.sections)
            _ = try await harness.engine().runPass(filter: all, force: true)
            try await project(harness.pool)
            for id in harness.characterIDs {
                try await expectReadModelsMatchNewestPayloads(harness, character: id)
            }
            // Market prices (fetched once a day, in the public stream) value the assets.
            #expect(try await value(harness.pool, "SELECT count(*) FROM readmodel.market_prices", as: Int64.self) > 100)
            let unvalued = try await rows(
                harness.pool,
                "SELECT type_name FROM readmodel.assets_view WHERE value IS NULL AND NOT is_blueprint_copy"
            )
            #expect(unvalued.isEmpty, "every simulated type has a price: \(unvalued.prefix(5))")

            // The first skill in training finishes, and assets and wallets move with the world.
            let id = harness.characterIDs[0]
            let queued = try #require(
                try await rows(
                    harness.pool,
                    "SELECT skill_id, finished_level FROM readmodel.skill_queue WHERE character_id = $1 ORDER BY queue_position LIMIT 1",
                    [id]
                ).first
            )
            let assetsBefore = try await rows(
                harness.pool,
                "SELECT character_id, item_id, type_id, quantity, root_location_id FROM readmodel.assets ORDER BY 1, 2"
            )
            try await harness.advanceTime(by: 4 * 86_400)
            _ = try await harness.engine().runPass(filter: all, force: true)
            try await project(harness.pool)
            for character in harness.characterIDs {
                try await expectReadModelsMatchNewestPayloads(harness, character: character)
            }
            let parts = queued.dropFirst().dropLast().split(separator: ",").map { Int64($0)! }
            let trained = try await value(
                harness.pool,
                "SELECT trained_skill_level FROM readmodel.skills WHERE character_id = $1 AND skill_id = $2",
                [id, parts[0]],
                as: Int64.self
            )
            #expect(trained >= parts[1], "skill \(parts[0]) should be trained to \(parts[1]) after four days")
            let assetsAfter = try await rows(
                harness.pool,
                "SELECT character_id, item_id, type_id, quantity, root_location_id FROM readmodel.assets ORDER BY 1, 2"
            )
            #expect(assetsAfter != assetsBefore, "four simulated days of trading change someone's assets")
            // Accumulating sections now hold history, and none of it went missing on a later fetch.
            #expect(try await value(harness.pool, "SELECT count(*) FROM readmodel.wallet_journal", as: Int64.self) > 0)
            let sections = try await rows(
                harness.pool,
                "SELECT DISTINCT section FROM readmodel.sync_sections ORDER BY 1"
            )
            #expect(sections.count == harness.settings.sections.count)
        }
    }

    /// Each snapshot read model holds exactly what the newest fetched payload of its route says;
    /// each accumulating one holds at least every id of the newest payload.
    func expectReadModelsMatchNewestPayloads(_ harness: SyncHarness, character id: Int64) async throws {
        func newest(_ section: String) async throws -> Any {
            let hash = try await harness.pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT payload_hash FROM eventlog.events WHERE stream = $1 AND section = $2 AND outcome = 'fetched'
                    ORDER BY position DESC LIMIT 1
                    """,
                    [EventLog.Stream.character(id).rawValue, section]
                )[0].get(0, as: ByteA.self)
            }
            let bytes = try await EventStore(pool: harness.pool).payload(PayloadHash(bytes: hash.bytes)!)
            return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        }
        func ids(_ json: Any, _ key: String) -> [Int64] {
            ((json as? [[String: Any]]) ?? []).compactMap { ($0[key] as? NSNumber)?.int64Value }.sorted()
        }
        func column(_ sql: String) async throws -> [Int64] {
            try await harness.pool.withConnection { connection in
                try connection.query(sql, [id]).map { try $0.get(0, as: Int64.self) }
            }
        }
        let skills = try #require(try await newest("skills") as? [String: Any])
        #expect(
            try await column("SELECT skill_id FROM readmodel.skills WHERE character_id = $1 ORDER BY 1")
                == ids(skills["skills"]!, "skill_id")
        )
        #expect(
            try await column("SELECT total_sp FROM readmodel.skill_totals WHERE character_id = $1")
                == [(skills["total_sp"] as! NSNumber).int64Value]
        )
        #expect(
            try await column("SELECT item_id FROM readmodel.assets WHERE character_id = $1 ORDER BY 1")
                == ids(try await newest("assets"), "item_id")
        )
        let balance = try await value(
            harness.pool,
            "SELECT balance FROM readmodel.character_wallet WHERE character_id = $1",
            [id],
            as: Double.self
        )
        #expect(balance == (try await newest("wallet_balance") as! NSNumber).doubleValue)
        let location = try #require(try await newest("location") as? [String: Any])
        #expect(
            try await column("SELECT solar_system_id FROM readmodel.character_location WHERE character_id = $1")
                == [(location["solar_system_id"] as! NSNumber).int64Value]
        )
        #expect(
            try await column("SELECT queue_position FROM readmodel.skill_queue WHERE character_id = $1 ORDER BY 1")
                == ids(try await newest("skill_queue"), "queue_position")
        )
        let journal = Set(try await column("SELECT id FROM readmodel.wallet_journal WHERE character_id = $1"))
        #expect(Set(ids(try await newest("wallet_journal"), "id")).isSubset(of: journal))
        let mails = Set(try await column("SELECT mail_id FROM readmodel.mail_headers WHERE character_id = $1"))
        #expect(Set(ids(try await newest("mails"), "mail_id")).isSubset(of: mails))
    }
}
