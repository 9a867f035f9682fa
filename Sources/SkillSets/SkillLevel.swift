/// Skill levels as players write them: arabic 1–5 or roman I–V.
public enum SkillLevel {
    static let romans = ["I", "II", "III", "IV", "V"]

    /// Parses "3", "III" or "iii"; nil for anything else, including 0 and 6.
    public static func parse(_ text: some StringProtocol) -> Int? {
        if let value = Int(text), (1...5).contains(value) { return value }
        return romans.firstIndex(of: text.uppercased()).map { $0 + 1 }
    }

    /// "I" to "V"; "0" for an untrained skill.
    public static func roman(_ level: Int) -> String {
        (1...5).contains(level) ? romans[level - 1] : String(level)
    }
}
