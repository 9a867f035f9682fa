import Vocabulary

/// Skills (active and trained level, SP), skill point totals and the skill queue: snapshots.
/// Names and groups come from the static data in the views.
enum SkillsReadModel {
    typealias M = CharacterReadModels
    static let skills = M.list(
        "skills",
        [
            ("skill_id", .bigint), ("active_skill_level", .bigint), ("trained_skill_level", .bigint),
            ("skillpoints_in_skill", .bigint),
        ],
        key: ["skill_id"]
    )
    static let totals = M.single("skill_totals", [("total_sp", .bigint), ("unallocated_sp", .bigint)])
    static let queue = M.list(
        "skill_queue",
        [
            ("queue_position", .bigint), ("skill_id", .bigint), ("finished_level", .bigint),
            ("start_date", .timestamptz), ("finish_date", .timestamptz), ("level_start_sp", .bigint),
            ("level_end_sp", .bigint), ("training_start_sp", .bigint),
        ],
        key: ["queue_position"]
    )

    static let projector = Projector(
        name: "skills",
        tables: [skills, totals, queue],
        sections: [.skills: .snapshot(), .skillQueue: .snapshot()]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let json = event.json as Any
        switch EventSection(rawValue: event.section) {
        case .skills:
            let o = try object(json)
            let rows = try o.objects("skills").map {
                [
                    character, .int(try $0.requiredInt("skill_id")), $0.int("active_skill_level"),
                    $0.int("trained_skill_level"), $0.int("skillpoints_in_skill"),
                ]
            }
            return [
                .replace(skills, scope: [character], rows: rows),
                .replace(
                    totals,
                    scope: [character],
                    rows: [[character, o.int("total_sp"), o.int("unallocated_sp"), .time(event.fetchedAt)]]
                ),
            ]
        case .skillQueue:
            let rows = try objects(json).map {
                [
                    character, .int(try $0.requiredInt("queue_position")), .int(try $0.requiredInt("skill_id")),
                    $0.int("finished_level"), $0.time("start_date"), $0.time("finish_date"), $0.int("level_start_sp"),
                    $0.int("level_end_sp"), $0.int("training_start_sp"),
                ]
            }
            return [.replace(queue, scope: [character], rows: rows)]
        default:
            return []
        }
    }
}
