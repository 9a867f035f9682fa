import Foundation
import Postgres
import SkillSets
import StaticData
import Synchronization

/// Every character against every skill set, from the character's active skill levels and
/// attributes (`projections/skill_set_checks.sql`). Recomputed when a character's skills or
/// attributes arrive, when skill sets change (``SkillSetChecks/refresh(sets:on:)``), and by a rebuild.
public enum SkillSetChecks {
    static let table = TableSpec(
        "skill_set_checks",
        [
            ("character_id", .bigint), ("skill_set_id", .bigint), ("status", .text), ("can_fly", .boolean),
            ("failed_required", .bigintArray), ("failed_recommended", .bigintArray),
            ("missing_skill_ids", .bigintArray), ("missing_levels", .bigintArray), ("required_seconds", .double),
            ("full_seconds", .double), ("needs_omega", .boolean),
        ],
        key: ["character_id", "skill_set_id"],
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

    /// Deletes the checks of sets that no longer exist.
    public static func forget(set id: Int64, on connection: PostgresConnection) throws {
        try connection.execute("SELECT pg_advisory_xact_lock($1)", [ProjectionRunner.lockKey])
        guard try InstalledProjector.load(connection)[model.name] != nil else { return }
        try connection.execute("DELETE FROM readmodel.skill_set_checks WHERE skill_set_id = $1", [id])
    }

    /// Evaluates and writes: rows of `characters` (nil: every character with skills) for `sets`
    /// (nil: all) replace the existing ones.
    static func compute(
        characters: [Int64]?,
        sets setIDs: [Int64]?,
        into schema: String,
        skillsSchema: String,
        attributesSchema: String,
        on connection: PostgresConnection
    ) throws -> Int {
        let allSets = try SkillSetStore.sets(on: connection)
        let sets = setIDs.map { ids in allSets.filter { ids.contains($0.id!) } } ?? allSets
        let evaluator = SkillSetEvaluator(sets: sets)
        let population = try self.load(
            characters: characters,
            evaluator: evaluator,
            skillsSchema: skillsSchema,
            attributesSchema: attributesSchema,
            on: connection
        )
        // Evaluation is pure CPU: spread it over the cores, in character order.
        let chunkCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 2, population.count / 256))
        let chunkSize = (population.count + chunkCount - 1) / max(1, chunkCount)
        let results = Mutex([[[Cell]]](repeating: [], count: chunkCount))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            var rows = [[Cell]]()
            let range = (chunk * chunkSize)..<min(population.count, (chunk + 1) * chunkSize)
            rows.reserveCapacity(range.count * sets.count)
            for index in range {
                let (id, levels) = population[index]
                for check in evaluator.evaluate(levels) { rows.append(self.row(id, check)) }
            }
            results.withLock { $0[chunk] = rows }
        }
        switch (characters, setIDs) {
        case (nil, nil):
            try connection.executeScript("TRUNCATE \(schema).skill_set_checks")
        case (let ids?, nil):
            try connection.execute("DELETE FROM \(schema).skill_set_checks WHERE character_id = ANY($1)", [ids])
        case (nil, let ids?):
            try connection.execute("DELETE FROM \(schema).skill_set_checks WHERE skill_set_id = ANY($1)", [ids])
        case (let characters?, let sets?):
            try connection.execute(
                "DELETE FROM \(schema).skill_set_checks WHERE character_id = ANY($1) AND skill_set_id = ANY($2)",
                [characters, sets]
            )
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

    private static func row(_ character: Int64, _ check: SkillSetCheck) -> [Cell] {
        [
            .int(character), .int(check.skillSetID), .text(check.status.rawValue), .bool(check.canFly),
            .ints(check.failedRequired.map(Int64.init)), .ints(check.failedRecommended.map(Int64.init)),
            .ints(check.missing.map { Int64($0.skillID) }), .ints(check.missing.map { Int64($0.level) }),
            check.requiredSeconds.map(Cell.double) ?? .null, check.fullSeconds.map(Cell.double) ?? .null,
            .bool(check.needsOmega),
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
