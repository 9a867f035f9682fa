import Foundation

/// The moments audit commands take: `now`, a date (`2026-12-01`, midnight UTC), a date and time
/// (`2026-12-01T12:30`, `2026-12-01 12:30:00Z`, `2026-12-01T12:30:00+02:00`), or a time before
/// now (`-3d`, `-12h`, `-30m`, `-2w`).
public enum AuditTime {
    public static func parse(_ text: String, now: Date = Date()) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "now" { return now }
        if trimmed.hasPrefix("-"), let unit = trimmed.last, let count = Double(trimmed.dropFirst().dropLast()),
            count >= 0
        {
            let seconds: Double? =
                switch unit {
                case "m": 60
                case "h": 3_600
                case "d": 86_400
                case "w": 604_800
                default: nil
                }
            if let seconds { return now.addingTimeInterval(-count * seconds) }
        }
        var form = trimmed.replacingOccurrences(of: " ", with: "T")
        if form.count == 10 { form += "T00:00:00" }
        if form.count == 16 { form += ":00" }
        if !(form.hasSuffix("Z") || form.dropFirst(19).contains("+") || form.dropFirst(19).contains("-")) {
            form += "Z"
        }
        let strategy = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
        if let date = try? strategy.parse(form) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(form) { return date }
        throw AuditError(
            "\"\(text)\" is not a moment: give now, a date (2026-12-01), a date and time (2026-12-01T12:30, UTC "
                + "unless an offset is given), or a time before now (-3d, -12h, -30m)"
        )
    }
}
