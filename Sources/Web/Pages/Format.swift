import Foundation
import Projections
import Vocabulary

/// Values as players read them: ISK and SP with thousands separated and a short form (`2.61 B`),
/// durations as `2d 22h`, moments as "3 days ago" with the exact time on hover, security status
/// in the game's colours. Every function gives HTML whose text is escaped.
enum Format {
    /// `2,610,000,000 ISK` (tables, where columns line up).
    static func isk(_ value: Double?) -> String { value.map { formatNumber($0.rounded()) + " ISK" } ?? "–" }

    static func int(_ value: Int64?) -> String { value.map { formatNumber(Double($0)) } ?? "–" }

    /// `2.61 B`, `512 M`, `12.5 k`: three significant figures and the unit a player says.
    static func short(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let units: [(Double, String)] = [(1e12, " T"), (1e9, " B"), (1e6, " M"), (1e3, " k")]
        // A value that would round up to 1000 of a unit is shown in the next one ("1.00 M", not "1000 k").
        guard let (size, unit) = units.first(where: { abs(value) >= $0.0 * 0.9995 }) else {
            return formatNumber(value.rounded())
        }
        let scaled = value / size
        let decimals = abs(scaled) >= 100 ? 0 : abs(scaled) >= 10 ? 1 : 2
        return String(format: "%.\(decimals)f", scaled) + unit
    }

    /// ISK in the short form with the exact amount on hover: `<span title="2,610,000,000 ISK">2.61 B ISK</span>`.
    static func iskShort(_ value: Double?) -> HTML {
        guard let value else { return "<span class=\"muted\">–</span>" }
        return "<span class=\"num\" title=\"\(self.isk(value))\">\(self.short(value)) ISK</span>"
    }

    /// Skill points in the short form with the exact number on hover.
    static func spShort(_ value: Int64?) -> HTML {
        guard let value else { return "<span class=\"muted\">–</span>" }
        return "<span class=\"num\" title=\"\(self.int(value)) SP\">\(self.short(Double(value))) SP</span>"
    }

    /// "3d 4h ago" or "in 2d 22h".
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = date.timeIntervalSince(now)
        if abs(seconds) < 60 { return "just now" }
        return seconds > 0
            ? "in " + formatDuration(seconds, largestUnits: 2) : formatDuration(-seconds, largestUnits: 2) + " ago"
    }

    /// A moment as its age ("3d 4h ago"), the exact time on hover; `exact: true` the other way
    /// round (tables, where moments line up).
    static func moment(_ date: Date?, exact: Bool = false) -> HTML {
        guard let date else { return "<span class=\"muted\">never</span>" }
        let time = formatTime(date)
        let (shown, hover) = exact ? (String(time.dropLast(4)), self.relative(date)) : (self.relative(date), time)
        return "<time datetime=\"\(CivilDate.iso8601(date))\" title=\"\(hover)\">\(shown)</time>"
    }

    /// A day as `2019-05-03`.
    static func day(_ date: Date) -> String { String(formatTime(date).prefix(10)) }

    /// Whole years from `date` to `now` ("age" of a character).
    static func years(since date: Date, now: Date = Date()) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return max(0, calendar.dateComponents([.year], from: date, to: now).year ?? 0)
    }

    /// Security status as the game shows it: rounded to one decimal, coloured high, low or null.
    static func security(_ value: Double?) -> HTML {
        guard let value, value.isFinite else { return "<span class=\"muted\">–</span>" }
        // As the game rounds it (0.45 shows as 0.5, high security); never "-0.0".
        let shown = (value * 10).rounded() / 10 + 0
        let band = shown >= 0.5 ? "high" : shown > 0 ? "low" : "null"
        return "<span class=\"sec sec-\(raw: band)\">\(String(format: "%.1f", shown))</span>"
    }

    /// A badge: `ok`, `stale`, `failing`, `token`, `omega`, `info`.
    static func badge(_ text: String, _ kind: String) -> HTML {
        "<span class=\"badge badge-\(raw: kind)\">\(text)</span>"
    }
}
