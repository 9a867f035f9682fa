import Foundation
import Postgres
import SkillSets
import StaticData
import Synchronization

/// Every character against every skill set, from the character's active skill levels and
/// attributes (`projections/skill_set_checks.sql`). Recomputed when a character's skills or
/// attributes arrive, when skill sets change (``SkillSetChecks/refresh(on:)``), and by a rebuild.
public enum SkillSetChecks {
    /// One row per character: its checks against every set, packed as comma-separated text in
    /// set-id order. A million (character, set) rows, or ten thousand rows of arrays, cost
    /// PostgreSQL seconds to write; ten thousand rows of a few texts, a fraction of one (see
    /// docs/skill-sets.md). The views unpack them.
    static let table = TableSpec(
        "skill_set_checks",
        [
            ("character_id", .bigint), ("skill_set_ids", .text), ("statuses", .text), ("required_seconds", .text),
            ("full_seconds", .text), ("failed_required", .text), ("failed_recommended", .text),
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
            into: schema,
            skillsSchema: inputSchema("skills"),
            attributesSchema: inputSchema("characters"),
            on: connection
        )
    }

    /// Re-evaluates every character against every set in the live read model, after skill sets
    /// changed. Takes the projection lock, so it never interleaves with a batch refreshing the same
    /// rows; run it in the transaction that changed the sets. Returns the rows (characters) written.
    @discardableResult
    public static func refresh(on connection: PostgresConnection) throws -> Int {
        try self.refreshLive(characters: nil, on: connection)
    }

    /// Re-evaluates some characters in the live read model: what a projection batch does for the
    /// characters whose skills or attributes it applied.
    @discardableResult
    public static func refresh(characters: [Int64], on connection: PostgresConnection) throws -> Int {
        try self.refreshLive(characters: characters, on: connection)
    }

    private static func refreshLive(characters: [Int64]?, on connection: PostgresConnection) throws -> Int {
        try connection.execute("SELECT pg_advisory_xact_lock($1)", [ProjectionRunner.lockKey])
        guard try InstalledProjector.load(connection)[model.name]?.isCurrent(name: model.name) == true else {
            return 0  // not installed yet: the first start-up computes it in full
        }
        return try compute(
            characters: characters,
            into: ProjectionSchema.live,
            skillsSchema: ProjectionSchema.live,
            attributesSchema: ProjectionSchema.live,
            on: connection
        )
    }

    /// Evaluates every set for `characters` (nil: every character with skills) and replaces their rows.
    static func compute(
        characters: [Int64]?,
        into schema: String,
        skillsSchema: String,
        attributesSchema: String,
        on connection: PostgresConnection
    ) throws -> Int {
        let sets = try SkillSetStore.sets(on: connection).sorted { $0.id! < $1.id! }
        let evaluator = SkillSetEvaluator(sets: sets, catalog: try SkillCatalog.load(on: connection))
        let population = try self.load(
            characters: characters,
            evaluator: evaluator,
            skillsSchema: skillsSchema,
            attributesSchema: attributesSchema,
            on: connection
        )
        let layout = RowLayout(sets: sets)
        // Evaluation is pure CPU: spread it over the cores, in character order.
        let chunkCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 2, population.count / 256))
        let chunkSize = (population.count + chunkCount - 1) / max(1, chunkCount)
        let results = Mutex([[[Cell]]](repeating: [], count: chunkCount))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let range = (chunk * chunkSize)..<min(population.count, (chunk + 1) * chunkSize)
            let rows = range.map { index in layout.row(population[index].0, population[index].1, evaluator) }
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

    /// How a character's checks become one row.
    struct RowLayout: Sendable {
        let setIDs: Cell
        /// Mask bytes per set: one bit per skill, at least one byte (so no mask is empty).
        let maskBytes: [Int]

        init(sets: [SkillSet]) {
            self.setIDs = .text(sets.map { String($0.id!) }.joined(separator: ","))
            self.maskBytes = sets.map { max(1, ($0.skills.count + 7) / 8) }
        }

        /// Statuses are letters (`f` full, `p` partial, `n` none; upper case when Omega is
        /// needed); seconds whole, rounded up, empty when unknown; masks hex.
        func row(_ character: Int64, _ levels: SkillSetEvaluator.Levels, _ evaluator: SkillSetEvaluator) -> [Cell] {
            var statuses = [UInt8]()
            statuses.reserveCapacity(self.maskBytes.count)
            var required = [UInt8]()
            var full = [UInt8]()
            var failedRequired = [UInt8]()
            var failedRecommended = [UInt8]()
            evaluator.evaluate(levels) { set, outcome in
                let letter: UInt8 =
                    switch outcome.status {
                    case .full: UInt8(ascii: "f")
                    case .partial: UInt8(ascii: "p")
                    case .none: UInt8(ascii: "n")
                    }
                statuses.append(outcome.needsOmega ? letter - 32 : letter)
                if set > 0 {
                    let comma = UInt8(ascii: ",")
                    required.append(comma)
                    full.append(comma)
                    failedRequired.append(comma)
                    failedRecommended.append(comma)
                }
                appendSeconds(outcome.requiredSeconds, to: &required)
                appendSeconds(outcome.fullSeconds, to: &full)
                outcome.failedRequired.appendHex(bytes: self.maskBytes[set], to: &failedRequired)
                outcome.failedRecommended.appendHex(bytes: self.maskBytes[set], to: &failedRecommended)
            }
            return [
                .int(character), self.setIDs, .text(String(decoding: statuses, as: UTF8.self)),
                .text(String(decoding: required, as: UTF8.self)), .text(String(decoding: full, as: UTF8.self)),
                .text(String(decoding: failedRequired, as: UTF8.self)),
                .text(String(decoding: failedRecommended, as: UTF8.self)),
            ]
        }
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
        // Hundreds of thousands of rows: binary COPY, read in place. Ids are integers, so inlining
        // them in the query is safe.
        let skillList = evaluator.skillIDs.map(String.init).joined(separator: ",")
        let characterFilter =
            characters.map { " AND character_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
        try connection.copyOut(
            """
            COPY (SELECT character_id, skill_id, active_skill_level, trained_skill_level, skillpoints_in_skill
                  FROM \(skillsSchema).skills WHERE skill_id IN (\(skillList))\(characterFilter)) TO STDOUT (FORMAT binary)
            """
        ) { row in
            guard let character = row.int64(0), let slot = slots[character], let skill = row.int64(1) else { return }
            evaluator.set(
                &population[slot].1,
                skill: Int(skill),
                CharacterSkills.Entry(
                    active: Int(row.int64(2) ?? 0),
                    trained: Int(row.int64(3) ?? 0),
                    skillPoints: Int(row.int64(4) ?? 0)
                )
            )
        }
        return population
    }
}

/// Whole seconds, rounded up, in decimal; nothing for unknown.
private func appendSeconds(_ seconds: Double?, to text: inout [UInt8]) {
    // Unknown too: a time from attributes ESI sent as zero (infinite) or absurd.
    guard let seconds, seconds.isFinite, seconds < 1e15 else { return }
    var value = Int64((seconds - 1e-6).rounded(.up))  // 800.0000001 is 800, not 801
    guard value > 0 else {
        text.append(UInt8(ascii: "0"))
        return
    }
    var digits = [UInt8]()
    while value > 0 {
        digits.append(UInt8(ascii: "0") + UInt8(value % 10))
        value /= 10
    }
    text.append(contentsOf: digits.reversed())
}
