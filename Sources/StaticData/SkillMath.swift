/// EVE's skill training formulas (CCP's "useful formulae").
public enum SkillMath {
    /// Skill points needed to reach `level` (1–5) of a skill of `rank`:
    /// `250 · rank · 2^(2.5·(level−1))`, rounded up as the game shows it. Level 0 needs 0.
    public static func skillPoints(forLevel level: Int, rank: Double) -> Int {
        guard level > 0 else { return 0 }
        // Levels are 1–5 and ranks 1–16 in the game; a rank from ESI is clamped, not trusted.
        let exact = 250 * min(max(rank.isNaN ? 1 : rank, 0), 1_000) * pow2(2.5 * Double(min(level, 5) - 1))
        // Exact values such as 8,000 must not become 8,001 through floating-point noise.
        return Int((exact - 1e-6).rounded(.up))
    }

    /// The level a skill of `rank` has with `skillPoints` (0–5).
    public static func level(forSkillPoints skillPoints: Int, rank: Double) -> Int {
        (1...5).last { skillPoints >= Self.skillPoints(forLevel: $0, rank: rank) } ?? 0
    }

    /// Skill points trained per minute: `primary + secondary / 2` attribute points.
    public static func skillPointsPerMinute(primary: Int, secondary: Int) -> Double {
        Double(primary) + Double(secondary) / 2
    }

    private static func pow2(_ exponent: Double) -> Double {
        // 2^x = 2^floor(x) · 2^frac(x); frac is 0 or 0.5 for whole and half levels.
        let whole = exponent.rounded(.down)
        let fraction = exponent - whole
        return Double(1 << Int(whole)) * (fraction == 0 ? 1 : 1.414_213_562_373_095_1)
    }
}
