import Foundation
import Vocabulary

/// A JSON value with ordered object members, rendered to the same bytes every time.
enum JSONValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.rendered() == rhs.rendered() }

    static func int(_ value: Int) -> JSONValue { .int(Int64(value)) }
    static func date(_ date: Date) -> JSONValue { .string(CivilDate.iso8601(date)) }

    func rendered() -> [UInt8] {
        var output = [UInt8]()
        self.render(into: &output)
        return output
    }

    func render(into output: inout [UInt8]) {
        switch self {
        case .int(let value): output.append(contentsOf: String(value).utf8)
        case .double(let value):
            output.append(
                contentsOf: (value.isFinite
                    ? (value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : "\(value)")
                    : "0").utf8
            )
        case .string(let value): JSONText.appendString(value, to: &output)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: output.append(contentsOf: "null".utf8)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.render(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                value.render(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

/// `Sun, 12 Jan 2020 13:35:47 GMT`, as HTTP dates are written.
func httpDate(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return String(
        format: "%@, %02d %@ %04d %02d:%02d:%02d GMT",
        days[Int(parts.tm_wday)],
        parts.tm_mday,
        months[Int(parts.tm_mon)],
        parts.tm_year + 1900,
        parts.tm_hour,
        parts.tm_min,
        parts.tm_sec
    )
}

/// A small, fast, deterministic random number generator (SplitMix64). Package-wide: tests that
/// need repeatable randomness use it too.
package struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    package init(_ seeds: UInt64...) {
        var state: UInt64 = 0x243F_6A88_85A3_08D3
        for seed in seeds { state = (state ^ seed) &* 0x9E37_79B9_7F4A_7C15 &+ 0x7F4A_7C15 }
        self.state = state
    }

    package mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &self)] }

    /// Sixteen drawn bytes in UUID form, lower case (request ids, token ids).
    mutating func uuidString() -> String {
        let hex = (0..<16).map { _ in String(format: "%02x", UInt8(truncatingIfNeeded: self.next())) }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
            hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }
}
