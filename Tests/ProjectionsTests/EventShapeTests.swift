import EventLog
import Foundation
import Postgres
import TestSupport
import Testing

@testable import Projections

/// Read models built from hand-made events: what each kind of section keeps, what a 304 changes,
/// how undecodable events are quarantined and retried.
@Suite struct EventShapeTests {
    let character: Int64 = 90_000_001

    @Test func aSnapshotIsReplacedByTheNextFetchAndA304ChangesOnlyTheStatus() async throws {
        try await TestDatabase.with { pool, _ in
            let first =
                #"{"skills":[{"skill_id":3300,"active_skill_level":2,"trained_skill_level":3,"skillpoints_in_skill":8000},{"skill_id":3301,"active_skill_level":1,"trained_skill_level":1,"skillpoints_in_skill":250}],"total_sp":8250,"unallocated_sp":5}"#
            let second =
                #"{"skills":[{"skill_id":3300,"active_skill_level":3,"trained_skill_level":3,"skillpoints_in_skill":8000}],"total_sp":8000,"unallocated_sp":0}"#
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            try await appendFetch(pool, character: self.character, section: "skills", json: first, at: t0)
            try await project(pool)
            #expect(
                try await rows(pool, "SELECT skill_id, active_skill_level FROM readmodel.skills ORDER BY 1") == [
                    "(3300,2)", "(3301,1)",
                ]
            )
            try await appendFetch(pool, character: self.character, section: "skills", json: second, at: t0 + 3600)
            try await project(pool)
            #expect(try await rows(pool, "SELECT skill_id, active_skill_level FROM readmodel.skills") == ["(3300,3)"])
            #expect(try await value(pool, "SELECT total_sp FROM readmodel.skill_totals", as: Int64.self) == 8000)

            try await appendFetch(
                pool,
                character: self.character,
                section: "skills",
                json: second,
                outcome: .notModified,
                at: t0 + 7200
            )
            try await project(pool)
            #expect(try await rows(pool, "SELECT skill_id, active_skill_level FROM readmodel.skills") == ["(3300,3)"])
            let status = try await rows(
                pool,
                "SELECT last_outcome, attempts, last_changed_at = $1, last_attempt_at = $2 FROM readmodel.sync_status WHERE route = 'skills'",
                [t0 + 3600, t0 + 7200]
            )
            #expect(status == ["(not_modified,3,t,t)"])
        }
    }

    @Test func accumulatingSectionsKeepWhatESIForgets() async throws {
        try await TestDatabase.with { pool, _ in
            func entry(_ id: Int, _ amount: Double) -> String {
                #"{"id":\#(id),"date":"2026-11-0\#(id)T10:00:00Z","ref_type":"player_donation","amount":\#(amount),"balance":1000.5,"description":"d\#(id)"}"#
            }
            try await appendFetch(
                pool,
                character: self.character,
                section: "wallet_journal",
                json: "[\(entry(1, 10)),\(entry(2, 20))]"
            )
            try await project(pool)
            // ESI's window moves on: entry 1 is gone from the answer, 2 changed, 3 is new.
            try await appendFetch(
                pool,
                character: self.character,
                section: "wallet_journal",
                json: "[\(entry(2, 25)),\(entry(3, 30))]"
            )
            try await project(pool)
            #expect(
                try await rows(pool, "SELECT id, amount FROM readmodel.wallet_journal ORDER BY id")
                    == ["(1,10)", "(2,25)", "(3,30)"]
            )
            // Mails likewise, beyond the newest-mails window.
            let mail =
                #"{"mail_id":%d,"from":90000002,"subject":"s%d","timestamp":"2026-11-30T12:00:00Z","is_read":false,"labels":[1],"recipients":[{"recipient_id":90000001,"recipient_type":"character"}]}"#
            try await appendFetch(
                pool,
                character: self.character,
                section: "mails",
                json: "[\(String(format: mail, 1, 1))]"
            )
            try await appendFetch(
                pool,
                character: self.character,
                section: "mails",
                json: "[\(String(format: mail, 2, 2))]"
            )
            try await appendFetch(
                pool,
                character: self.character,
                section: "mail_body",
                json: #"{"body":"<b>hi</b>"}"#,
                parameters: ["mail_id": "2"]
            )
            try await project(pool)
            #expect(
                try await rows(pool, "SELECT mail_id, subject, body FROM readmodel.mails_view ORDER BY 1") == [
                    "(1,s1,)", "(2,s2,<b>hi</b>)",
                ]
            )
            // A failed fetch changes nothing but the status.
            try await appendFetch(
                pool,
                character: self.character,
                section: "wallet_journal",
                json: "<html>502</html>",
                outcome: .failed
            )
            try await project(pool)
            #expect(try await value(pool, "SELECT count(*) FROM readmodel.wallet_journal", as: Int64.self) == 3)
            #expect(
                try await rows(
                    pool,
                    "SELECT section, failing FROM readmodel.sync_sections WHERE section = 'wallet_journal'"
                )
                    == ["(wallet_journal,t)"]
            )
        }
    }

    @Test func assetsFormATreeWithTheirPlaceAndNames() async throws {
        try await TestDatabase.with { pool, _ in
            // A Rifter (587) in Jita 4-4, a container-like nesting: module in the ship, charge in the module's cargo.
            let assets = """
                [{"item_id":10,"type_id":587,"quantity":1,"location_id":60003760,"location_type":"station","location_flag":"Hangar","is_singleton":true},
                 {"item_id":11,"type_id":2881,"quantity":1,"location_id":10,"location_type":"item","location_flag":"HiSlot0","is_singleton":true},
                 {"item_id":12,"type_id":34,"quantity":500,"location_id":11,"location_type":"item","location_flag":"Cargo","is_singleton":false},
                 {"item_id":13,"type_id":34,"quantity":7,"location_id":30000142,"location_type":"solar_system","location_flag":"AutoFit","is_singleton":false}]
                """
            try await appendFetch(pool, character: self.character, section: "assets", json: assets)
            try await appendFetch(
                pool,
                character: self.character,
                section: "asset_names",
                json: #"[{"item_id":10,"name":"Speedy"},{"item_id":11,"name":"None"}]"#
            )
            try await project(pool)
            let tree = try await rows(
                pool,
                """
                SELECT item_id, parent_item_id, root_location_id, depth, item_name, root_location_kind, solar_system_name, region_name
                FROM readmodel.assets_view ORDER BY item_id
                """
            )
            #expect(
                tree == [
                    "(10,,60003760,0,Speedy,station,Jita,\"The Forge\")",
                    "(11,10,60003760,1,,station,Jita,\"The Forge\")",
                    "(12,11,60003760,2,,station,Jita,\"The Forge\")",
                    "(13,,30000142,0,,solar_system,Jita,\"The Forge\")",
                ]
            )
            #expect(
                try await value(pool, "SELECT type_name FROM readmodel.assets_view WHERE item_id = 10", as: String.self)
                    == "Rifter"
            )
        }
    }

    @Test func anUnresolvedIDStaysVisibleAsTheID() async throws {
        try await TestDatabase.with { pool, _ in
            try await appendFetch(
                pool,
                character: self.character,
                section: "character_details",
                json:
                    #"{"name":"Pilot","corporation_id":98999999,"alliance_id":99999999,"birthday":"2015-03-24T11:37:00Z","race_id":1,"bloodline_id":1,"security_status":-2.5,"description":"x","gender":"female","totally_new_field":{"a":1}}"#
            )
            try await project(pool)
            #expect(
                try await rows(pool, "SELECT name, corporation_name, alliance_name FROM readmodel.character_overview")
                    == ["(Pilot,98999999,99999999)"]
            )
            // The name arrives later, in the public stream: it shows at once, nothing to re-project.
            try await EventStore(pool: pool).append(
                NewEvent(
                    stream: .public("universe_names"),
                    section: "universe_names",
                    route: "/universe/names",
                    outcome: .fetched,
                    httpStatus: 200,
                    fetchedAt: Date(),
                    payload: .bytes(Array(#"[{"id":98999999,"name":"Late Corp","category":"corporation"}]"#.utf8))
                )
            )
            try await project(pool)
            #expect(
                try await value(pool, "SELECT corporation_name FROM readmodel.character_overview", as: String.self)
                    == "Late Corp"
            )
        }
    }

    @Test func undecodableEventsAreQuarantinedAndTheRestGoesOn() async throws {
        try await TestDatabase.with { pool, _ in
            let good = #"[{"title_id":1,"name":"Member"}]"#
            try await appendFetch(pool, character: self.character, section: "titles", json: good)
            let malformed = try await appendFetch(
                pool,
                character: self.character,
                section: "titles",
                json: #"[{"title_id":2,"na"#
            )
            let unknownShape = try await appendFetch(
                pool,
                character: self.character,
                section: "loyalty",
                json: #"{"points":5}"#
            )
            try await appendFetch(pool, character: self.character, section: "implants", json: "[9899]")
            try await project(pool)
            // The bad titles fetch is skipped: the good one stays; the later implants fetch applied.
            #expect(try await rows(pool, "SELECT title_id, name FROM readmodel.character_titles") == ["(1,Member)"])
            #expect(try await rows(pool, "SELECT type_id FROM readmodel.character_implants") == ["(9899)"])
            let status = try await ProjectionStatus.load(pool)
            #expect(status.quarantined == 2)
            let reasons = Dictionary(uniqueKeysWithValues: status.quarantine.map { ($0.position, $0.reason) })
            #expect(reasons[malformed]?.contains("malformed JSON") == true)
            #expect(reasons[unknownShape]?.contains("expected a JSON array") == true)
            #expect(status.projectors.allSatisfy { $0.eventsBehind == 0 })
            // A rebuild finds the same two, and the same tables.
            let before = try await dumpReadModels(pool)
            _ = try await Rebuilder(pool: pool).rebuild(RebuildOptions(verify: true))
            #expect(try await dumpReadModels(pool) == before)
            #expect(try await ProjectionStatus.load(pool).quarantined == 2)
        }
    }

    @Test func aQuarantinedEventThatDecodesAfterAFixIsAppliedInLogOrder() async throws {
        try await TestDatabase.with { pool, _ in
            // An event whose payload is not (yet) in the log: e.g. restored from a backup later.
            let body = Array(#"[{"corporation_id":1000035,"loyalty_points":1200}]"#.utf8)
            let hash = PayloadHash(of: body)
            try await pool.withConnection { connection in
                try connection.execute(
                    """
                    WITH s AS (INSERT INTO eventlog.streams (name) VALUES ('character:90000001') RETURNING id),
                         r AS (INSERT INTO eventlog.routes (section, route)
                               VALUES ('loyalty', '/characters/{character_id}/loyalty/points') RETURNING id)
                    INSERT INTO eventlog.entries (position, stream_id, route_id, outcome, http_status, fetched_at, payload_hash)
                    SELECT position + 1, s.id, r.id, 0, 200, now(), $1 FROM eventlog.head, s, r
                    """,
                    [ByteA(hash.bytes)]
                )
                try connection.execute("UPDATE eventlog.head SET position = position + 1")
            }
            try await project(pool)
            let status = try await ProjectionStatus.load(pool)
            #expect(status.quarantined == 1)
            #expect(status.quarantine.first?.reason.contains("is not in the log") == true)
            #expect(try await value(pool, "SELECT count(*) FROM readmodel.character_loyalty", as: Int64.self) == 0)

            // Still broken: retried, still quarantined, nothing rebuilt.
            let untouched = try await Rebuilder(pool: pool).retryQuarantined()
            #expect(untouched.decodeNow == 0 && untouched.rebuilt.isEmpty && untouched.stillQuarantined == 1)

            // The fix: the payload is back. Retrying rebuilds the projector and releases the event.
            try await EventStore(pool: pool).append(
                NewEvent(
                    stream: .public("restore"),
                    section: "restore",
                    route: "/restore",
                    outcome: .fetched,
                    httpStatus: 200,
                    fetchedAt: Date(),
                    payload: .bytes(body)
                )
            )
            let report = try await Rebuilder(pool: pool).retryQuarantined()
            #expect(report.decodeNow == 1)
            #expect(report.rebuilt == ["characters", "skill_set_checks"])  // derived from it, rebuilt with it
            #expect(report.stillQuarantined == 0)
            #expect(
                try await rows(pool, "SELECT corporation_id, loyalty_points FROM readmodel.character_loyalty") == [
                    "(1000035,1200)"
                ]
            )
        }
    }
}
