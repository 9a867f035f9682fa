import Foundation
import StaticData

extension Responders {
    /// Attributes, skills, the skill queue, implants, jump clones, jump fatigue.
    static func skillsAndClones(_ suffix: String, _ c: CharacterState, _ context: RequestContext) -> RouteBody? {
        switch suffix {
        case "/attributes":
            return .value(
                .object(
                    CharacterAttribute.allCases.map { ($0.rawValue, JSONValue.int(c.attributes[$0.rawValue] ?? 17)) }
                        .sorted { $0.0 < $1.0 }
                        + [("bonus_remaps", .int(c.bonusRemaps))]
                )
            )
        case "/skills":
            let skills = c.skills.values.sorted { $0.skillID < $1.skillID }.map { skill in
                JSONValue.object([
                    ("active_skill_level", .int(c.isAlpha ? min(skill.trainedLevel, 4) : skill.trainedLevel)),
                    ("skill_id", .int(skill.skillID)), ("skillpoints_in_skill", .int(skill.skillPoints)),
                    ("trained_skill_level", .int(skill.trainedLevel)),
                ])
            }
            return .value(
                .object([
                    ("skills", .array(skills)), ("total_sp", .int(c.totalSP)),
                    ("unallocated_sp", .int(c.unallocatedSP)),
                ])
            )
        case "/skillqueue":
            return .value(
                .array(
                    c.queue.enumerated().map { position, entry in
                        .object([
                            ("finish_date", .date(entry.finish)), ("finished_level", .int(entry.finishedLevel)),
                            ("level_end_sp", .int(entry.levelEndSP)), ("level_start_sp", .int(entry.levelStartSP)),
                            ("queue_position", .int(position)), ("skill_id", .int(entry.skillID)),
                            ("start_date", .date(entry.start)), ("training_start_sp", .int(entry.trainingStartSP)),
                        ])
                    }
                )
            )
        case "/implants":
            return .value(.array(c.implants.map { .int($0) }))
        case "/clones":
            var members: [(String, JSONValue)] = [
                (
                    "home_location",
                    .object([("location_id", .int(c.homeLocationID)), ("location_type", .string("station"))])
                ),
                (
                    "jump_clones",
                    .array(
                        c.jumpClones.map { clone in
                            var fields: [(String, JSONValue)] = [
                                ("implants", .array(clone.implants.map { .int($0) })),
                                ("jump_clone_id", .int(clone.id)),
                                ("location_id", .int(clone.locationID)),
                                (
                                    "location_type",
                                    .string(clone.locationID >= 1_000_000_000_000 ? "structure" : "station")
                                ),
                            ]
                            if let name = clone.name { fields.append(("name", .string(name))) }
                            return .object(fields)
                        }
                    )
                ),
            ]
            if let jump = c.lastCloneJump { members.append(("last_clone_jump_date", .date(jump))) }
            return .value(.object(members))
        case "/fatigue":
            return .value(.object([]))
        default:
            return nil
        }
    }
}
