import Foundation
import Postgres
import SkillSets
import StaticData
import Synchronization

/// Every character against every skill set, from the character's active skill levels and
/// attributes (`projections/skill_set_checks.sql`). Recomputed when a character's skills or
/// attributes arrive, when skill sets change (``SkillSetChecks/refresh(sets:on:)``), and by a rebuild.
public enum SkillSetChecks {
    /// One row per character: its checks against every set, as parallel arrays in set-id order.
    /// A million (character, set) rows cost a PostgreSQL write of seconds; ten thousand rows of
    /// arrays, a fraction of one (see docs/skill-sets.md). The views unnest them.
    static let table = TableSpec(
        "skill_set_checks",
        [
            ("character_id", .bigint), ("skill_set_ids", .bigintArray), ("statuses", .textArray),
            ("required_seconds", .doubleArray), ("full_seconds", .doubleArray), ("needs_omega", .booleanArray),
            ("failed_required", .textArray), ("failed_recommended", .textArray),
        ],
        key: ["character_id"],
        mode: .replace(scope: ["character_id"])
    )

    static let model = DerivedModel(
        name: "skill_set_checks",
        tables: [table],
        inputs: ["skills": ["skills"], "characters": ["attributes"]]
    ) { characters, schema, inputSchema, connection in
        try compute(
            characters: characters,
            sets: nil,
            into: schema,
            skillsSchema: inputSchema("skills"),
            attributesSchema: inputSchema("characters"),
            on: connection
        )
    }

    /// Re-evaluates every character against the sets with `sets` ids (nil: all sets), in the live
    /// read model, after skill sets changed. Takes the projection lock, so it never interleaves with
    /// a batch refreshing the same rows; run it in the transaction that changed the sets.
    @discardableResult
    public static func refresh(sets: [Int64]?, on connection: PostgresConnection) throws -> Int {
        try connection.execute("SELECT pg_advisory_xact_lock($1)", [ProjectionRunner.lockKey])
        let installed = try InstalledProjector.load(connection)
        guard let row = installed[model.name], row.isCurrent(name: model.name) else {
            return 0  // not installed yet: the first start-up computes it in full
        }
        return try compute(
            characters: nil,
            sets: sets,
            into: ProjectionSchema.live,
            skillsSchema: ProjectionSchema.live,
            attributesSchema: ProjectionSchema.live,
            on: connection
        )
    }

    /// Re-evaluates every character after a set was deleted (its entries go from every row).
    public static func forget(set id: Int64, on connection: PostgresConnection) throws {
        try self.refresh(sets: [], on: connection)  // every row is rewritten with the remaining sets
    }

    /// Evaluates and writes the rows of `characters` (nil: every character with skills). A row
    /// holds every set; with `sets`, only those sets are re-evaluated and the others' entries are
    /// kept from the existing rows.
    static func compute(
        characters: [Int64]?,
        sets setIDs: [Int64]?,
        into schema: String,
        skillsSchema: String,
        attributesSchema: String,
        on connection: PostgresConnection
    ) throws -> Int {
        let sets = try SkillSetStore.sets(on: connection)  // ordered by name; rows keep id order
            .sorted { $0.id! < $1.id! }
        let evaluated = setIDs.map { ids in sets.filter { ids.contains($0.id!) } } ?? sets
        let evaluator = SkillSetEvaluator(sets: evaluated)
        let population = try self.load(
            characters: characters,
            evaluator: evaluator,
            skillsSchema: skillsSchema,
            attributesSchema: attributesSchema,
            on: connection
        )
        let kept = setIDs == nil ? [:] : try self.existingRows(schema: schema, characters: characters, on: connection)
        let setIDList = sets.map { $0.id! }
        let maskBytes = sets.map { ($0.skills.count + 7) / 8 }
        // Evaluation is pure CPU: spread it over the cores, in character order.
        let chunkCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 2, population.count / 256))
        let chunkSize = (population.count + chunkCount - 1) / max(1, chunkCount)
        let results = Mutex([[[Cell]]](repeating: [], count: chunkCount))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            var rows = [[Cell]]()
            let range = (chunk * chunkSize)..<min(population.count, (chunk + 1) * chunkSize)
            rows.reserveCapacity(range.count)
            for index in range {
                let (id, levels) = population[index]
                var checks = [Int64: SkillSetCheck]()
                for check in evaluator.evaluate(levels) { checks[check.skillSetID] = check }
                rows.append(
                    self.row(id, sets: setIDList, maskBytes: maskBytes, checks: checks, kept: kept[id])
                )
            }
            results.withLock { $0[chunk] = rows }
        }
        if let characters {
            try connection.execute("DELETE FROM \(schema).skill_set_checks WHERE character_id = ANY($1)", [characters])
        } else {
            try connection.executeScript("TRUNCATE \(schema).skill_set_checks")
        }
        var written = 0
        try connection.copyIn(
            "COPY \(schema).skill_set_checks (\(table.columnList)) FROM STDIN (FORMAT binary)"
        ) { writer in
            for chunk in results.withLock({ $0 }) {
                for row in chunk { try writer.append(row) }
                written += chunk.count
            }
        }
        return written
    }

    /// A stored row's entries by set id, for keeping the sets not re-evaluated.
    struct Entry {
        var status: String
        var requiredSeconds: Double?
        var fullSeconds: Double?
        var needsOmega: Bool
        var failedRequired: String
        var failedRecommended: String
    }

    private static func existingRows(
        schema: String,
        characters: [Int64]?,
        on connection: PostgresConnection
    ) throws
        -> [Int64: [Int64: Entry]]
    {
        var result = [Int64: [Int64: Entry]]()
        let rows = try connection.query(
            "SELECT \(table.columnList) FROM \(schema).skill_set_checks WHERE $1::int8[] IS NULL OR character_id = ANY($1)",
            [characters]
        )
        for row in rows {
            let ids = try row.get(1, as: [Int64].self)
            let statuses = try row.get(2, as: [String].self)
            let required = try row.get(3, as: [Double?].self)
            let full = try row.get(4, as: [Double?].self)
            let omega = try row.get(5, as: [Bool].self)
            let failedRequired = try row.get(6, as: [String].self)
            let failedRecommended = try row.get(7, as: [String].self)
            var entries = [Int64: Entry]()
            for index in ids.indices {
                entries[ids[index]] = Entry(
                    status: statuses[index],
                    requiredSeconds: required[index],
                    fullSeconds: full[index],
                    needsOmega: omega[index],
                    failedRequired: failedRequired[index],
                    failedRecommended: failedRecommended[index]
                )
            }
            result[try row.get(0)] = entries
        }
        return result
    }

    private static func row(
        _ character: Int64,
        sets: [Int64],
        maskBytes: [Int],
        checks: [Int64: SkillSetCheck],
        kept: [Int64: Entry]?
    ) -> [Cell] {
        var statuses = [String]()
        var required = [Double?]()
        var full = [Double?]()
        var omega = [Bool]()
        var failedRequired = [String]()
        var failedRecommended = [String]()
        var ids = [Int64]()
        for (index, set) in sets.enumerated() {
            if let check = checks[set] {
                statuses.append(check.status.rawValue)
                required.append(check.requiredSeconds)
                full.append(check.fullSeconds)
                omega.append(check.needsOmega)
                failedRequired.append(check.failedRequiredMask.hex(bytes: maskBytes[index]))
                failedRecommended.append(check.failedRecommendedMask.hex(bytes: maskBytes[index]))
            } else if let entry = kept?[set] {
                statuses.append(entry.status)
                required.append(entry.requiredSeconds)
                full.append(entry.fullSeconds)
                omega.append(entry.needsOmega)
                failedRequired.append(entry.failedRequired)
                failedRecommended.append(entry.failedRecommended)
            } else {
                continue  // neither evaluated now nor stored before: the next evaluation of all sets adds it
            }
            ids.append(set)
        }
        return [
            .int(character), .ints(ids), .texts(statuses), .doubles(required), .doubles(full), .bools(omega),
            .texts(failedRequired), .texts(failedRecommended),
        ]
    }

    /// The characters with skills (in id order), their levels of the skills the sets mention, and
    /// their attributes.
    private static func load(
        characters: [Int64]?,
        evaluator: SkillSetEvaluator,
        skillsSchema: String,
        attributesSchema: String,
        on connection: PostgresConnection
    ) throws -> [(Int64, SkillSetEvaluator.Levels)] {
        let filter = characters == nil ? "" : " AND character_id = ANY($2)"
        var attributes = [Int64: [CharacterAttribute: Int]]()
        let order: [CharacterAttribute] = [.charisma, .intelligence, .memory, .perception, .willpower]
        for row in try connection.query(
            "SELECT character_id, charisma, intelligence, memory, perception, willpower FROM \(attributesSchema).character_attributes WHERE true"
                + filter.replacingOccurrences(of: "$2", with: "$1"),
            characters.map { [$0] } ?? []
        ) {
            var values = [CharacterAttribute: Int]()
            for (index, attribute) in order.enumerated() {
                if let value = try row.get(index + 1, as: Int?.self) { values[attribute] = value }
            }
            attributes[try row.get(0)] = values.count == order.count ? values : nil
        }
        var population = [(Int64, SkillSetEvaluator.Levels)]()
        for row in try connection.query(
            "SELECT character_id FROM \(skillsSchema).skill_totals WHERE true"
                + filter.replacingOccurrences(of: "$2", with: "$1") + " ORDER BY character_id",
            characters.map { [$0] } ?? []
        ) {
            let id = try row.get(0, as: Int64.self)
            population.append((id, evaluator.emptyLevels(attributes: attributes[id])))
        }
        guard !evaluator.skillIDs.isEmpty, !population.isEmpty else { return population }
        let slots = Dictionary(uniqueKeysWithValues: population.enumerated().map { ($0.element.0, $0.offset) })
        let rows = try connection.query(
            """
            SELECT character_id, skill_id, active_skill_level, trained_skill_level, skillpoints_in_skill
            FROM \(skillsSchema).skills WHERE skill_id = ANY($1)\(filter)
            """,
            characters.map { [evaluator.skillIDs.map(Int64.init), $0] } ?? [evaluator.skillIDs.map(Int64.init)]
        )
        for row in rows {
            guard let slot = slots[try row.get(0, as: Int64.self)] else { continue }
            evaluator.set(
                &population[slot].1,
                skill: try row.get(1),
                CharacterSkills.Entry(
                    active: try row.get(2, as: Int?.self) ?? 0,
                    trained: try row.get(3, as: Int?.self) ?? 0,
                    skillPoints: try row.get(4, as: Int?.self) ?? 0
                )
            )
        }
        return population
    }
}
