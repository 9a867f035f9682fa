import ArgumentParser
import ESISimulator
import Foundation
import Migrations
import Postgres
import Projections
import Reports
import SkillSets
import StaticData
import Sync
import Vocabulary

/// Evaluating every skill set for every character, and each report, over a large population.
///
/// The population is written straight into the read models (what a month of syncing would leave
/// there, without the month): characters with 100–250 trained skills at random levels, attributes,
/// details in 200 corporations of 20 alliances, users with one to four characters (one in ten of
/// them also known unregistered), the sync status of every section, and member lists. The skill
/// sets are made the way doctrines are: fittings of random ships with random modules, charges and
/// drones, expanded with every prerequisite; a third of the skills get a recommended level too.
struct SkillSetsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skillsets",
        abstract: "Evaluate S skill sets for N characters, and time each report."
    )

    @Option(help: "Characters.") var characters = 10_000
    @Option(help: "Skill sets.") var sets = 100
    @Option(help: "Timed runs of each measurement.") var runs = 5

    func run() async throws {
        let pool = PostgresPool(conninfo: "", maxConnections: 4)
        _ = try await pool.withConnection { try Migrator().migrate($0) }
        print("machine: \(machineDescription())")
        _ = try await Rebuilder(pool: pool).prepare()
        let setup = try await measureAsync {
            try await pool.transaction { try Population(characters: self.characters, sets: self.sets).write(on: $0) }
            try await pool.withConnection { try $0.executeScript("VACUUM ANALYZE") }
        }
        let counts = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT (SELECT count(*) FROM readmodel.skills), (SELECT count(*) FROM skillsets.skills),
                       (SELECT count(DISTINCT skill_id) FROM skillsets.skills)
                """
            )[0]
        }
        print(
            String(format: "population written in %.1f s: ", setup)
                + "\(self.characters) characters with \(try counts.get(0, as: Int64.self)) skills; "
                + "\(self.sets) sets with \(try counts.get(1, as: Int64.self)) skill levels "
                + "(\(try counts.get(2, as: Int64.self)) distinct skills)"
        )

        var full = Samples()
        var rows = 0
        for _ in 0..<self.runs {
            full.add(
                try await measureAsync {
                    rows = try await pool.transaction { try SkillSetChecks.refresh(on: $0) }
                }
            )
        }
        print(
            "evaluate \(self.sets) sets × \(self.characters) characters (\(rows) rows of \(self.sets) checks written): \(full.describe("s", digits: 2))"
        )

        // What a projection batch pays for the characters whose skills it applied.
        let sample = try await pool.withConnection {
            try $0.query("SELECT character_id FROM readmodel.skill_totals ORDER BY character_id LIMIT 100")
                .map { try $0.get(0, as: Int64.self) }
        }
        var batch = Samples()
        for _ in 0..<self.runs {
            batch.add(
                try await measureAsync {
                    _ = try await pool.transaction { try SkillSetChecks.refresh(characters: sample, on: $0) }
                }
            )
        }
        print("re-evaluate 100 characters (a projection batch): \(batch.describe("ms", digits: 1, scale: 1000))")

        let policies = Dictionary(uniqueKeysWithValues: Section.allCases.map { ($0, $0.defaultStaleMinutes) })
        let reports: [(String, @Sendable (PostgresConnection) throws -> ReportTable)] = [
            ("compliance", { try Reports.compliance(on: $0) }),
            ("corporations", { try Reports.corporations(on: $0) }),
            ("membership", { try Reports.membership(on: $0) }),
            ("skillsets", { try Reports.skillSets(on: $0) }),
            ("skillsets --closest", { try Reports.closest(on: $0) }),
            ("tokens", { try Reports.tokens(sections: policies, all: true, on: $0) }),
        ]
        for (name, report) in reports {
            var samples = Samples()
            var count = 0
            for _ in 0..<self.runs {
                samples.add(
                    try await measureAsync { count = try await pool.withConnection { try report($0).rows.count } }
                )
            }
            print("report \(name) (\(count) rows): \(samples.describe("ms", digits: 1, scale: 1000))")
        }
    }
}

extension Samples {
    func describe(_ unit: String, digits: Int, scale: Double) -> String {
        Samples(values: self.values.map { $0 * scale }).describe(unit, digits: digits)
    }
}

/// The benchmark's population, deterministic for a given size.
struct Population {
    let characters: Int
    let sets: Int
    let data = StaticData.shipped

    func write(on connection: PostgresConnection) throws {
        var random = SeededRandom(42)
        let skills = self.data.trainableSkills
        let base: Int64 = 2_112_000_000
        let corporations = (0..<200).map { Int64(98_000_000 + $0) }
        let sections = Section.allCases.map(\.rawValue)
        try connection.executeScript("SET LOCAL synchronous_commit = off")

        // Users own one to four characters each.
        var owner = [Int64]()
        var users = 0
        while owner.count < self.characters {
            users += 1
            for _ in 0..<min(self.characters - owner.count, 1 + Int(random.next() % 4)) { owner.append(Int64(users)) }
        }
        try connection.copyIn("COPY sync.users (name) FROM STDIN (FORMAT binary)") { writer in
            for user in 1...users { try writer.append(["user \(user)"]) }
        }
        try connection.copyIn(
            "COPY sync.characters (id, name, user_id, owner_hash, scopes, refresh_token, token_state) FROM STDIN (FORMAT binary)"
        ) { writer in
            let scopes = Array(Set(Section.allCases.compactMap(\.scope))).sorted()
            for index in 0..<self.characters {
                try writer.append([
                    base + Int64(index), "Pilot \(index)", owner[index], "hash",
                    index % 50 == 0 ? Array(scopes.dropLast()) : scopes,
                    ByteA([0]), index % 97 == 0 ? "invalid" : "valid",
                ])
            }
        }
        try connection.execute(
            "UPDATE sync.users u SET main_character_id = (SELECT min(id) FROM sync.characters c WHERE c.user_id = u.id)"
        )
        try connection.execute(
            """
            INSERT INTO sync.ownerships (character_id, user_id, character_name)
            SELECT id, user_id, name FROM sync.characters
            UNION ALL SELECT $1 + 100000 + id, id, 'Unregistered ' || id FROM sync.users WHERE id % 10 = 0
            """,
            [base]
        )
        try connection.copyIn(
            "COPY readmodel.character_details (character_id, name, corporation_id, alliance_id) FROM STDIN (FORMAT binary)"
        ) { writer in
            for index in 0..<self.characters {
                let corporation = corporations[Int(owner[index]) % corporations.count]
                try writer.append([base + Int64(index), "Pilot \(index)", corporation, 99_000_000 + corporation % 20])
            }
        }
        try connection.copyIn("COPY readmodel.entity_names (id, name, category) FROM STDIN (FORMAT binary)") { writer in
            for corporation in corporations {
                try writer.append([corporation, "Corporation \(corporation)", "corporation"])
            }
            for alliance in 0..<20 {
                try writer.append([Int64(99_000_000 + alliance), "Alliance \(alliance)", "alliance"])
            }
        }
        // Skills, totals and attributes.
        try connection.copyIn(
            "COPY readmodel.skills (character_id, skill_id, active_skill_level, trained_skill_level, skillpoints_in_skill) FROM STDIN (FORMAT binary)"
        ) { writer in
            for index in 0..<self.characters {
                let count = 100 + Int(random.next() % 151)
                var chosen = Set<Int>()
                while chosen.count < count { chosen.insert(Int(random.next() % UInt64(skills.count))) }
                for slot in chosen.sorted() {
                    let skill = skills[slot]
                    let level = 1 + Int(random.next() % 5)
                    let sp = SkillMath.skillPoints(forLevel: level, rank: skill.rank ?? 1)
                    try writer.append([base + Int64(index), Int64(skill.id), Int64(level), Int64(level), Int64(sp)])
                }
            }
        }
        try connection.execute(
            "INSERT INTO readmodel.skill_totals SELECT id, 5000000, 0, now() FROM sync.characters"
        )
        try connection.execute(
            """
            INSERT INTO readmodel.character_attributes (character_id, charisma, intelligence, memory, perception, willpower)
            SELECT id, 17 + id % 5, 20 + id % 7, 20 + id % 3, 17 + id % 11, 19 + id % 4 FROM sync.characters
            """
        )
        // Sync status: every section of every character, one in twenty sections stale.
        try connection.execute(
            """
            INSERT INTO readmodel.sync_status (character_id, route, section, is_dependent, last_attempt_at, last_outcome,
                last_success_at, attempts, failures)
            SELECT c.id, '/' || s, s, false, now(), CASE WHEN (c.id + length(s)) % 41 = 0 THEN 'failed' ELSE 'fetched' END,
                   now() - CASE WHEN (c.id + length(s)) % 20 = 0 THEN interval '3 days' ELSE interval '10 minutes' END, 10, 0
            FROM sync.characters c CROSS JOIN unnest($1::text[]) s
            """,
            [sections]
        )
        // Member lists of every corporation, fetched by its first character, with unregistered members.
        try connection.execute(
            """
            INSERT INTO readmodel.corporation_member_lists
            SELECT DISTINCT ON (corporation_id) character_id, corporation_id, 0, now() FROM readmodel.character_details
            ORDER BY corporation_id, character_id
            """
        )
        try connection.execute(
            """
            INSERT INTO readmodel.corporation_members
            SELECT l.character_id, l.corporation_id, d.character_id FROM readmodel.corporation_member_lists l
            JOIN readmodel.character_details d ON d.corporation_id = l.corporation_id
            UNION ALL
            SELECT l.character_id, l.corporation_id, 3000000000 + l.corporation_id * 10 + g
            FROM readmodel.corporation_member_lists l CROSS JOIN generate_series(1, 5) g
            """
        )
        // Skill sets from random fittings, in ten groups.
        let ships = self.data.types(ofKind: "ship")
        let fitted =
            self.data.types(ofKind: "module") + self.data.types(ofKind: "charge") + self.data.types(ofKind: "drone")
        let catalog = SkillCatalog(data: self.data)
        for index in 0..<self.sets {
            let ship = ships[Int(random.next() % UInt64(ships.count))]
            var requirements = ship.requiredSkills ?? []
            for _ in 0..<12 { requirements += fitted[Int(random.next() % UInt64(fitted.count))].requiredSkills ?? [] }
            let levels = catalog.expand(requirements)
            let skills = levels.keys.sorted().map { id -> SkillLevels in
                let recommended = random.next() % 3 == 0 ? min(5, levels[id]! + 1 + Int(random.next() % 2)) : nil
                return SkillLevels(skillID: id, required: levels[id], recommended: recommended)
            }
            let name = "Doctrine \(index + 1): \(ship.name)"
            try SkillSetStore.save(
                SkillSet(name: name, shipTypeID: ship.id, skills: skills),
                by: "bench",
                on: connection
            )
            try SkillSetStore.add(set: name, toGroup: "Group \(index % 10 + 1)", by: "bench", on: connection)
        }
    }
}
