import Application
import EventLog
import Foundation
import Postgres
import Reports
import SkillSets
import TestSupport
import Testing
import Vocabulary

@testable import Projections

/// Reports over a population made by hand, so every number is known:
///
/// - alice: main A1 and A2 registered, A3 known from a login only (not compliant);
/// - bob: main B1 and B2..B5 registered (compliant), B2's token invalid;
/// - carol: C1 known only, no main (never compliant).
///
/// A1 and bob's characters are in Alpha Corp [Big Alliance]: 8 characters, 1 unregistered: 88 %.
@Suite(.serialized) struct ReportTests {
    static let alpha: Int64 = 98_000_001
    static let alliance: Int64 = 99_000_001
    static let a1: Int64 = 2_112_000_001
    static let a2: Int64 = 2_112_000_002
    static let a3: Int64 = 2_112_000_003
    static let bob: [Int64] = (11...15).map { 2_112_000_000 + $0 }
    static let c1: Int64 = 2_112_000_021
    static let stranger: Int64 = 2_112_000_099

    static func population(_ connection: PostgresConnection) throws {
        func user(_ name: String) throws -> Int64 {
            try connection.query("INSERT INTO sync.users (name) VALUES ($1) RETURNING id", [name])[0].get(0)
        }
        func register(_ id: Int64, _ name: String, user: Int64, scopes: [String] = ["esi-skills.read_skills.v1"]) throws
        {
            try connection.execute(
                """
                INSERT INTO sync.characters (id, name, user_id, owner_hash, scopes, refresh_token)
                VALUES ($1, $2, $3, 'hash', $4, '\\x00'::bytea)
                """,
                [id, name, user, scopes]
            )
            try connection.execute(
                "INSERT INTO sync.ownerships (character_id, user_id, character_name) VALUES ($1, $2, $3)",
                [id, user, name]
            )
            try connection.execute(
                "INSERT INTO readmodel.character_details (character_id, name, corporation_id, alliance_id) VALUES ($1, $2, $3, $4)",
                [id, name, alpha, alliance]
            )
        }
        func known(_ id: Int64, _ name: String, user: Int64) throws {
            try connection.execute(
                "INSERT INTO sync.ownerships (character_id, user_id, character_name) VALUES ($1, $2, $3)",
                [id, user, name]
            )
        }
        let alice = try user("alice")
        try register(a1, "A1", user: alice)
        try register(a2, "A2", user: alice, scopes: [])
        try known(a3, "A3", user: alice)
        let bobID = try user("bob")
        for (index, id) in bob.enumerated() { try register(id, "B\(index + 1)", user: bobID) }
        try connection.execute(
            "UPDATE sync.characters SET token_state = 'invalid', token_error = 'revoked' WHERE id = $1",
            [bob[1]]
        )
        let carol = try user("carol")
        try known(c1, "C1", user: carol)
        try connection.execute("UPDATE sync.users SET main_character_id = $2 WHERE id = $1", [alice, a1])
        try connection.execute("UPDATE sync.users SET main_character_id = $2 WHERE id = $1", [bobID, bob[0]])
        try connection.execute(
            "INSERT INTO readmodel.entity_names VALUES ($1, 'Alpha Corp', 'corporation'), ($2, 'Big Alliance', 'alliance')",
            [alpha, alliance]
        )
    }

    static func withPopulation(_ body: (PostgresPool) async throws -> Void) async throws {
        try await TestDatabase.with { pool, _ in
            try await project(pool)
            try await pool.transaction { try population($0) }
            try await body(pool)
        }
    }

    static func table(
        _ pool: PostgresPool,
        _ report: @escaping @Sendable (PostgresConnection) throws -> ReportTable
    )
        async throws -> [[String]]
    {
        try await pool.withConnection { try report($0).rows.map { $0.map(\.text) } }
    }

    @Test func userCompliance() async throws {
        try await Self.withPopulation { pool in
            let rows = try await Self.table(pool) { try Reports.compliance(on: $0) }
            #expect(
                rows == [
                    [
                        "alice", "\(Self.a1)", "A1", "\(Self.alpha)", "Alpha Corp [Big Alliance]", "3", "2", "1", "yes",
                        "no",
                    ],
                    [
                        "bob", "\(Self.bob[0])", "B1", "\(Self.alpha)", "Alpha Corp [Big Alliance]", "5", "5", "0",
                        "yes", "yes",
                    ],
                    ["carol", "", "", "", "", "1", "0", "1", "no", "no"],
                ]
            )
            let filtered = try await Self.table(pool) {
                try Reports.compliance(organisation: "big alliance", nonCompliantOnly: true, on: $0)
            }
            #expect(filtered.map { $0[0] } == ["alice"])
        }
    }

    @Test func corporationCompliance() async throws {
        try await Self.withPopulation { pool in
            let rows = try await Self.table(pool) { try Reports.corporations(on: $0) }
            #expect(
                rows == [
                    ["\(Self.alpha)", "Alpha Corp", "Big Alliance", "2", "8", "1", "88", "partly"],
                    ["", "[no main]", "", "0", "1", "1", "0", "not"],
                ]
            )
        }
    }

    @Test func membershipListsUnregisteredMembersOnly() async throws {
        try await Self.withPopulation { pool in
            try await pool.withConnection { connection in
                try connection.execute(
                    "INSERT INTO readmodel.corporation_member_lists VALUES ($1, $2, 4, '2026-11-30T12:00:00Z')",
                    [Self.a1, Self.alpha]
                )
                for member in [Self.a1, Self.a3, Self.bob[0], Self.stranger] {
                    try connection.execute(
                        "INSERT INTO readmodel.corporation_members VALUES ($1, $2, $3)",
                        [Self.a1, Self.alpha, member]
                    )
                }
            }
            let rows = try await Self.table(pool) { try Reports.membership(on: $0) }
            #expect(
                rows == [
                    ["\(Self.alpha)", "Alpha Corp", "\(Self.a3)", "A3", "alice", "2026-11-30T12:00:00Z", "A1"],
                    [
                        "\(Self.alpha)", "Alpha Corp", "\(Self.stranger)", "\(Self.stranger)", "",
                        "2026-11-30T12:00:00Z", "A1",
                    ],
                ]
            )
        }
    }

    @Test func tokenHealth() async throws {
        try await Self.withPopulation { pool in
            try await pool.withConnection { connection in
                // Every registered character synced skills a minute ago, except B3 (3 hours: stale).
                for id in [Self.a1, Self.a2] + Self.bob {
                    try connection.execute(
                        """
                        INSERT INTO readmodel.sync_status (character_id, route, section, is_dependent, last_success_at, last_outcome)
                        VALUES ($1, '/characters/{character_id}/skills', 'skills', false,
                                now() - CASE WHEN $1 = $2 THEN interval '3 hours' ELSE interval '1 minute' END, 'fetched')
                        """,
                        [id, Self.bob[2]]
                    )
                }
            }
            let policy: [Section: Int] = [.skills: 60]
            let rows = try await Self.table(pool) { try Reports.tokens(sections: policy, on: $0) }
            #expect(
                rows == [
                    ["\(Self.a2)", "A2", "alice", "valid", "", "yes", "esi-skills.read_skills.v1", "", ""],
                    ["\(Self.bob[1])", "B2", "bob", "invalid", "revoked", "yes", "", "", ""],
                    ["\(Self.bob[2])", "B3", "bob", "valid", "", "yes", "", "skills", ""],
                ]
            )
            // A section never synced is stale for everyone.
            let withAssets = policy.merging([.assets: 480]) { $1 }
            let all = try await Self.table(pool) { try Reports.tokens(sections: withAssets, on: $0) }
            #expect(all.count == 7)
            #expect(all.first { $0[1] == "B3" }?[7] == "assets, skills")
            #expect(all.first { $0[1] == "B1" }?[7] == "assets")
        }
    }

    @Test func skillSetReportsAndChecks() async throws {
        try await Self.withPopulation { pool in
            try await pool.transaction { connection in
                // Gunnery 3300, Minmatar Frigate 3329, Mechanics 3392 (ranks 1, 2, 1).
                func skills(_ id: Int64, _ levels: [Int64: Int64]) throws {
                    try connection.execute("INSERT INTO readmodel.skill_totals VALUES ($1, 0, 0, now())", [id])
                    for (skill, level) in levels {
                        let sp: Int64 = [0, 250, 1415, 8000, 45255, 256_000][Int(level)] * (skill == 3329 ? 2 : 1)
                        try connection.execute(
                            "INSERT INTO readmodel.skills VALUES ($1, $2, $3, $3, $4)",
                            [id, skill, level, sp]
                        )
                    }
                    try connection.execute(
                        "INSERT INTO readmodel.character_attributes (character_id, charisma, intelligence, memory, perception, willpower) VALUES ($1, 19, 20, 20, 27, 21)",
                        [id]
                    )
                }
                try skills(Self.a1, [3300: 3, 3329: 1])
                try skills(Self.a2, [3300: 1])
                try skills(Self.bob[0], [3300: 2])
                try SkillSetStore.save(
                    SkillSet(
                        name: "Rifter",
                        skills: [SkillLevels(skillID: 3300, required: 2), SkillLevels(skillID: 3329, required: 1)]
                    ),
                    by: "test",
                    on: connection
                )
                try SkillSetStore.save(
                    SkillSet(name: "Jaguar", skills: [SkillLevels(skillID: 3300, recommended: 5)]),
                    by: "test",
                    on: connection
                )
                try SkillSetStore.save(
                    SkillSet(name: "Mining", skills: [SkillLevels(skillID: 3392, required: 1)]),
                    by: "test",
                    on: connection
                )
                try SkillSetStore.save(
                    SkillSetGroup(name: "Frigates", isDoctrine: true, skillSets: ["Rifter", "Jaguar"]),
                    by: "test",
                    on: connection
                )
                #expect(try SkillSetChecks.refresh(on: connection) == 3)  // a row per character
            }
            let flyable = try await Self.table(pool) { try Reports.skillSets(on: $0) }
            #expect(
                flyable == [
                    ["Frigates", "yes", "\(Self.a1)", "A1", "alice", "yes", "Jaguar, Rifter", "2", "2"],
                    ["Frigates", "yes", "\(Self.a2)", "A2", "alice", "no", "Jaguar", "1", "2"],
                    ["Frigates", "yes", "\(Self.bob[0])", "B1", "bob", "yes", "Jaguar", "1", "2"],
                    ["[Ungrouped]", "no", "\(Self.a1)", "A1", "alice", "yes", "", "0", "1"],
                    ["[Ungrouped]", "no", "\(Self.a2)", "A2", "alice", "no", "", "0", "1"],
                    ["[Ungrouped]", "no", "\(Self.bob[0])", "B1", "bob", "yes", "", "0", "1"],
                ]
            )
            // Closest to the Rifter: B1 needs Minmatar Frigate I (500 SP at 37.5 SP/min: 800 s);
            // A2 needs Gunnery II (1,415 - 250 SP: 1,864 s) and Minmatar Frigate I (800 s).
            let closest = try await Self.table(pool) { try Reports.closest(top: 5, set: "Rifter", on: $0) }
            #expect(
                closest == [
                    ["Rifter", "1", "1", "\(Self.bob[0])", "B1", "bob", "1", "800", "14m", "no"],
                    ["Rifter", "1", "2", "\(Self.a2)", "A2", "alice", "2", "2664", "45m", "no"],
                ]
            )
            // The views unnest the rows and decode the failing skills.
            let details = try await rows(
                pool,
                """
                SELECT k.character_id, k.skill_name, k.active_level, k.fails_required, k.fails_recommended
                FROM readmodel.skill_set_check_skills k JOIN skillsets.sets s ON s.id = k.skill_set_id
                WHERE s.name = 'Rifter' ORDER BY 1, 2
                """
            )
            #expect(
                details == [
                    "(\(Self.a1),Gunnery,3,f,f)", "(\(Self.a1),\"Minmatar Frigate\",1,f,f)",
                    "(\(Self.a2),Gunnery,1,t,f)", "(\(Self.a2),\"Minmatar Frigate\",0,t,f)",
                    "(\(Self.bob[0]),Gunnery,2,f,f)", "(\(Self.bob[0]),\"Minmatar Frigate\",0,t,f)",
                ]
            )
            let statuses = try await rows(
                pool,
                "SELECT r.character_id, s.name, r.status, r.can_fly FROM readmodel.skill_set_check_rows r JOIN skillsets.sets s ON s.id = r.skill_set_id WHERE r.character_id = $1 ORDER BY 2",
                [Self.a2]
            )
            #expect(
                statuses == [
                    "(\(Self.a2),Jaguar,partial,t)", "(\(Self.a2),Mining,none,f)", "(\(Self.a2),Rifter,none,f)",
                ]
            )
            // Removing A1 deletes its read models and checks; alice now has two unregistered characters.
            let removed = try #require(try await CharacterActions.remove(Self.a1, pool: pool)).removed
            #expect(removed.wasRegistered && removed.readModelRows >= 6)
            #expect(
                try await value(
                    pool,
                    "SELECT count(*) FROM readmodel.skill_set_checks WHERE character_id = $1",
                    [Self.a1],
                    as: Int64.self
                ) == 0
            )
            let compliance = try await Self.table(pool) { try Reports.compliance(on: $0) }
            #expect(compliance[0][5...7] == ["3", "1", "2"])
        }
    }

    @Test func exportImportRoundTrip() async throws {
        try await Self.withPopulation { pool in
            let document = try await pool.transaction { connection in
                let fitting = try Fitting.parse(
                    "[Rifter, Fleet Rifter]\n200mm AutoCannon I, EMP S\nGyrostabilizer I\n\nHobgoblin I x2\n"
                ).skillSet(catalog: .shipped)
                try SkillSetStore.save(fitting.skillSet, by: "test", on: connection)
                var plan = try SkillPlanParser.parse("Mechanics 4\nDrones III", name: "Basics", catalog: .shipped)
                plan.skillSet.skills[1].recommended = 5
                plan.skillSet.isVisible = false
                try SkillSetStore.save(plan.skillSet, by: "test", on: connection)
                try SkillSetStore.save(
                    SkillSetGroup(name: "Doctrine", isDoctrine: true, skillSets: ["Fleet Rifter", "Basics"]),
                    by: "test",
                    on: connection
                )
                try SkillSetStore.save(SkillSetGroup(name: "Empty", isActive: false), by: "test", on: connection)
                _ = try SkillSetStore.clone("Basics", as: nil, by: "test", on: connection)
                return SkillSetDocument(
                    groups: try SkillSetStore.groups(on: connection),
                    sets: try SkillSetStore.sets(on: connection),
                    catalog: .shipped
                )
            }
            #expect(document.skillSets.map(\.name) == ["Basics", "Basics 2", "Fleet Rifter"])
            #expect(
                document.groups.first { $0.name == "Doctrine" }?.skillSets == ["Basics", "Basics 2", "Fleet Rifter"]
            )
            let data = try document.encoded()
            try await TestDatabase.with { other, _ in
                try await project(other)
                let imported = try await other.transaction { connection in
                    try SkillSetDocument.decode(data).importInto(connection, replaceAll: false, by: "import")
                    return SkillSetDocument(
                        groups: try SkillSetStore.groups(on: connection),
                        sets: try SkillSetStore.sets(on: connection),
                        catalog: .shipped
                    )
                }
                #expect(imported == document)
            }
            // Importing with replaceAll removes what the document does not have.
            var smaller = document
            smaller.skillSets.removeAll { $0.name == "Basics 2" }
            smaller.groups = smaller.groups.map {
                var group = $0
                group.skillSets.removeAll { $0 == "Basics 2" }
                return group
            }
            let reduced = smaller
            let names = try await pool.transaction { connection in
                try reduced.importInto(connection, replaceAll: true, by: "import")
                return try SkillSetStore.sets(on: connection).map(\.name)
            }
            #expect(names == ["Basics", "Fleet Rifter"])
        }
    }

    @Test func purgeDeletesOnlyARemovedCharactersEvents() async throws {
        try await Self.withPopulation { pool in
            try await appendFetch(pool, character: Self.a2, section: "skills", json: #"{"skills":[],"total_sp":1}"#)
            try await appendFetch(pool, character: Self.a2, section: "wallet_balance", json: "12.5")
            // A1's wallet payload is the same bytes as A2's: stored once, shared.
            try await appendFetch(pool, character: Self.a1, section: "wallet_balance", json: "12.5")
            await #expect(throws: (any Error).self) { try await CharacterRemoval.purge(Self.a2, pool: pool) }
            _ = try await CharacterActions.remove(Self.a2, pool: pool)
            // A rebuild skips the removed character's events.
            _ = try await Rebuilder(pool: pool).rebuild(RebuildOptions(projectors: ["characters"]))
            #expect(try await value(pool, "SELECT count(*) FROM readmodel.character_wallet", as: Int64.self) == 1)
            // An event in flight when it was removed: the runner steps over it, to the log's head.
            try await appendFetch(pool, character: Self.a2, section: "wallet_balance", json: "99.5")
            try await ProjectionRunner(pool: pool).catchUp()
            #expect(
                try await value(
                    pool,
                    "SELECT count(*) FROM projection.projectors WHERE position < (SELECT position FROM eventlog.head)",
                    as: Int64.self
                ) == 0
            )
            #expect(
                try await value(
                    pool,
                    "SELECT count(*) FROM readmodel.character_wallet WHERE character_id = $1",
                    [Self.a2],
                    as: Int64.self
                ) == 0
            )
            let purged = try await CharacterRemoval.purge(Self.a2, pool: pool)
            #expect(purged.events == 3)
            #expect(purged.payloads == 2)  // the 12.5 wallet payload is still A1's
            #expect(try await value(pool, "SELECT count(*) FROM eventlog.events", as: Int64.self) == 1)
            #expect(try await value(pool, "SELECT count(*) FROM eventlog.purges", as: Int64.self) == 1)
            // The log is still append-only for everything else.
            await #expect(throws: (any Error).self) {
                try await pool.withConnection { try $0.execute("DELETE FROM eventlog.events") }
            }
        }
    }
}
