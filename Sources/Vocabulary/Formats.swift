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

/// `2026-12-01 12:00:00Z`, the form every output of times uses.
public func formatTime(_ date: Date) -> String {
    date.formatted(.iso8601.dateSeparator(.dash).timeSeparator(.colon).dateTimeSeparator(.space))
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
