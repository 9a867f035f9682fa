import Foundation
import StaticData
import Vocabulary

/// A line of an imported text that could not be used, with its 1-based line number.
public struct ImportIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public var line: Int
    public var text: String
    public var problem: String

    public var description: String { "line \(self.line): \(self.problem): \(self.text)" }
}

/// A skill set made from a text, and what in the text could not be used.
public struct ImportedSkillSet: Sendable {
    public var skillSet: SkillSet
    public var issues: [ImportIssue]
}

/// Skill plans as EVE's skill planner copies them: one `Skill Name N` per line, N arabic (1–5) or
/// roman (I–V). Empty lines are skipped; a skill listed twice counts at its highest level.
public enum SkillPlanParser {
    public static func parse(
        _ text: String,
        name: String,
        catalog: SkillCatalog
    ) throws(SkillSetError) -> ImportedSkillSet {
        var levels = [Int: Int]()
        var order = [Int]()
        var issues = [ImportIssue]()
        for (number, line) in textLines(text) {
            guard !line.isEmpty else { continue }
            func issue(_ problem: String) { issues.append(ImportIssue(line: number, text: line, problem: problem)) }
            guard let space = line.lastIndex(where: \.isWhitespace) else {
                issue("no level (expected \"Skill Name N\")")
                continue
            }
            let skillName = line[..<space].trimmingCharacters(in: .whitespaces)
            guard let level = SkillLevel.parse(line[line.index(after: space)...]) else {
                issue("bad level \"\(line[line.index(after: space)...])\" (1 to 5 or I to V)")
                continue
            }
            guard let skill = catalog.skill(named: skillName) else {
                issue("unknown skill \"\(skillName)\"")
                continue
            }
            if levels[skill.id] == nil { order.append(skill.id) }
            levels[skill.id] = max(levels[skill.id] ?? 0, level)
        }
        guard !order.isEmpty else {
            throw SkillSetError(
                .nothingKnown,
                "the skill plan names no known skill"
                    + (issues.isEmpty ? "" : ": " + issues.prefix(3).map(\.description).joined(separator: "; "))
            )
        }
        let skills = order.map { SkillLevels(skillID: $0, required: levels[$0]) }
        return ImportedSkillSet(skillSet: SkillSet(name: name, skills: skills), issues: issues)
    }
}
