import Foundation
import Vocabulary

/// The moments audit commands take: `now`, a date (`2026-12-01`, midnight UTC), a date and time
/// (`2026-12-01T12:30`, `2026-12-01 12:30:00Z`, `2026-12-01T12:30:00+02:00`), or a time before
/// now (`-3d`, `-12h`, `-30m`, `-2w`).
public enum AuditTime {
    public static func parse(_ text: String, now: Date = Date()) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 64 else {
            throw AuditError(.momentTooLong, "a moment is at most 64 characters long")
        }
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
            if let seconds {
                let moment = now.addingTimeInterval(-count * seconds)
                guard count.isFinite, self.range.contains(moment) else {
                    throw AuditError(
                        .momentOutOfRange,
                        "\"\(text)\" reaches before the year 1: give a time within the years 1 to 9999"
                    )
                }
                return moment
            }
        }
        if let date = self.absolute(trimmed) {
            guard self.range.contains(date) else {
                throw AuditError(.momentOutOfRange, "\"\(text)\" is outside the years 1 to 9999")
            }
            return date
        }
        throw AuditError(
            .notAMoment,
            "\"\(text)\" is not a moment: give now, a date (2026-12-01), a date and time (2026-12-01T12:30, UTC "
                + "unless an offset is given), or a time before now (-3d, -12h, -30m)"
        )
    }

    /// The moments taken: 0001-01-01 to 9999-12-31 UTC. Nothing outside them is a moment anyone
    /// means, and every later step (PostgreSQL's timestamps, date formatting) can take these.
    public static let range: ClosedRange<Date> = {
        // Foundation's Gregorian calendar is Julian before 1582: the first moment is its 0001-01-01.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let first = calendar.date(from: DateComponents(year: 1, month: 1, day: 1)) ?? .distantPast
        return first...Date(timeIntervalSince1970: 253_402_300_799)
    }()

    /// `YYYY-MM-DD[( |T)HH:MM[:SS]][Z|±HH:MM]`, every field in its range.
    private static func absolute(_ text: String) -> Date? {
        let characters = Array(text)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count else { return nil }
            return Int(String(characters[range]))
        }
        guard characters.count >= 10, characters[4] == "-", characters[7] == "-",
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var rest = characters.count > 10 ? Array(characters[10...]) : []
        if let first = rest.first, first == "T" || first == " " {
            let time = Array(rest.dropFirst())
            guard time.count >= 5, time[2] == ":", let h = Int(String(time[0..<2])), let m = Int(String(time[3..<5]))
            else { return nil }
            (hour, minute) = (h, m)
            rest = Array(time[5...])
            if rest.first == ":" {
                guard rest.count >= 3, let s = Int(String(rest[1..<3])) else { return nil }
                second = s
                rest = Array(rest[3...])
            }
        }
        var offset = 0
        if rest == ["Z"] {
            rest = []
        } else if rest.count == 6, rest[0] == "+" || rest[0] == "-", rest[3] == ":",
            let h = Int(String(rest[1..<3])), let m = Int(String(rest[4..<6])), h < 24, m < 60
        {
            offset = (rest[0] == "-" ? -1 : 1) * (h * 3600 + m * 60)
            rest = []
        }
        guard rest.isEmpty, year >= 1, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(-Double(offset))
    }
}
