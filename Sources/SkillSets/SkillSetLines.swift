import StaticData

/// A set's skills as the web editor shows and takes them: one skill a line, its name, the required
/// level and, after it, the recommended one; `-` for no level (`Gunnery 3 5`, `Drones - IV`,
/// `Navigation 4`). Levels are 1–5 or I–V.
public enum SkillSetLines {
    public static func render(_ skills: [SkillLevels], catalog: SkillCatalog) -> String {
        skills.map { skill in
            let required = skill.required.map(String.init) ?? "-"
            let recommended = skill.recommended.map { " \($0)" } ?? ""
            return "\(catalog.name(of: skill.skillID)) \(required)\(recommended)"
        }.joined(separator: "\n")
    }

    /// The skills of `text`, each once (a repeated skill keeps its highest levels), and the lines
    /// not understood.
    public static func parse(_ text: String, catalog: SkillCatalog) -> (skills: [SkillLevels], issues: [ImportIssue]) {
        var skills = [SkillLevels]()
        var issues = [ImportIssue]()
        for (number, line) in textLines(text) where !line.isEmpty {
            func issue(_ problem: String) { issues.append(ImportIssue(line: number, text: line, problem: problem)) }
            var words = line.split(whereSeparator: \.isWhitespace)
            // Up to two levels at the end: the last two when both read as levels, else the last.
            var levels = [Substring]()
            while levels.count < 2, words.count > 1, let last = words.last, last == "-" || SkillLevel.parse(last) != nil
            {
                levels.insert(last, at: 0)
                words.removeLast()
            }
            guard !levels.isEmpty else {
                issue("no level (expected \"Skill Name required [recommended]\", - for none)")
                continue
            }
            let required = levels[0] == "-" ? nil : SkillLevel.parse(levels[0])
            let recommended = levels.count > 1 && levels[1] != "-" ? SkillLevel.parse(levels[1]) : nil
            guard required != nil || recommended != nil else {
                issue("neither a required nor a recommended level")
                continue
            }
            let name = words.joined(separator: " ")
            guard let skill = catalog.skill(named: name) else {
                issue("unknown skill \"\(name)\"")
                continue
            }
            if let index = skills.firstIndex(where: { $0.skillID == skill.id }) {
                skills[index].required = self.higher(skills[index].required, required)
                skills[index].recommended = self.higher(skills[index].recommended, recommended)
            } else {
                skills.append(SkillLevels(skillID: skill.id, required: required, recommended: recommended))
            }
        }
        return (skills, issues)
    }

    private static func higher(_ a: Int?, _ b: Int?) -> Int? {
        switch (a, b) {
        case (let a?, let b?): max(a, b)
        default: a ?? b
        }
    }
}
