import Foundation

// One home each for the small formats every module writes or reads: base64url, civil dates,
// numbers, times and durations as people read them.

/// Base64url without padding (RFC 4648 §5), as JWTs, PKCE and session tokens use it.
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of `text`; nil if it is not base64url.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

/// Calendar arithmetic without a `Calendar`: fast, and the same on every machine.
public enum CivilDate {
    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil);
    /// nil for a month or day out of range (a day past the month's end rolls over, as ESI's
    /// dates never have one).
    public static func days(year: Int, month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// A number as people read ISK and SP: thousands separated, two decimals only where there are some.
public func formatNumber(_ value: Double) -> String {
    // Past 10^16 (no wallet holds that much) cents no longer fit Int64; ESI may still send it.
    guard value.isFinite, abs(value) < 1e16 else { return String(value) }
    let cents = Int64((abs(value) * 100).rounded())
    var digits = String(cents / 100)
    var grouped = ""
    while digits.count > 3 {
        grouped = "," + digits.suffix(3) + grouped
        digits.removeLast(3)
    }
    let fraction = cents % 100
    return (value < 0 && cents > 0 ? "-" : "") + digits + grouped
        + (fraction == 0 ? "" : "." + (fraction < 10 ? "0" : "") + String(fraction))
}

extension CivilDate {
    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Hinnant's civil_from_days).
    public static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `2026-12-01T12:00:00Z` (whole seconds, UTC), as ISO 8601 and JSON write it; `separator`
    /// between date and time. Written by hand: Foundation's format styles cost tens of
    /// microseconds a date on Linux, and pages and documents write thousands.
    public static func iso8601(_ date: Date, separator: Character = "T") -> String {
        let interval = date.timeIntervalSince1970
        // Years 1–9999 only (what PostgreSQL and ESI give); anything else goes to Foundation.
        guard interval.isFinite, interval >= -62_135_596_800, interval < 253_402_300_800 else {
            return date.formatted(.iso8601.dateSeparator(.dash).timeSeparator(.colon).dateTimeSeparator(.standard))
        }
        let seconds = Int(interval.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let (year, month, day) = self.date(days: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let paddedYear = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return
            "\(paddedYear)-\(two(month))-\(two(day))\(separator)\(two(time / 3600)):\(two(time % 3600 / 60)):\(two(time % 60))Z"
    }
}

/// `2026-12-01 12:00:00Z`, the form every output of times uses.
public func formatTime(_ date: Date) -> String { CivilDate.iso8601(date, separator: " ") }

/// JSON text written by hand where Foundation's serialiser is too slow (documents of thousands of
/// rows): strings escaped as RFC 8259 asks.
public enum JSONText {
    public static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// "3d 4h 12m", rounded up to the minute (training times are minutes-accurate at best);
/// `largestUnits: 2` drops the minutes of a duration of days ("3d 4h").
public func formatDuration(_ seconds: Double, largestUnits: Int = 3) -> String {
    // A training time from hostile attributes (zero SP per minute) may be infinite or absurd.
    guard seconds.isFinite, seconds < 1e15 else { return seconds.isNaN ? "unknown" : "forever" }
    let minutes = Int((max(0, seconds) / 60).rounded(.up))
    let parts = [(minutes / 1440, "d"), (minutes % 1440 / 60, "h"), (minutes % 60, "m")]
    let shown = parts.drop { $0.0 == 0 }.prefix(largestUnits)
    guard !shown.isEmpty else { return "0m" }
    return shown.map { "\($0.0)\($0.1)" }.joined(separator: " ")
}
