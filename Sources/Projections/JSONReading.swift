import Foundation
import Vocabulary

/// An event's payload could not be projected: malformed JSON, or a shape the projector does not
/// know (a required field missing). The event is quarantined with this reason.
public struct DecodeError: ClassifiedError {
    public typealias Code = ErrorCode<DecodeError>
    /// Always ``ErrorCode/malformedPayload``: the message says what is wrong with it.
    public var code: Code { .malformedPayload }
    public var kind: ErrorKind { self.code.kind }
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ErrorCode where Owner == DecodeError {
    /// A payload not of the shape its projector reads: quarantined, never projected.
    public static let malformedPayload = Self("malformed_payload", .invalidInput)
}

/// Parses a payload into Swift values (``JSONParser``). Bare values (a wallet balance is a
/// number) are allowed.
func parseJSON(_ bytes: [UInt8]) throws -> Any {
    do {
        return try JSONParser.parse(bytes)
    } catch {
        throw DecodeError("malformed JSON (\(bytes.count) bytes: \(error))")
    }
}

/// A JSON object, read leniently: a missing or mistyped optional field is NULL, because ESI adds
/// and drops optional fields; a missing required field (an id) is a ``DecodeError``.
struct JSONObject {
    let fields: [String: Any]

    func int(_ key: String) -> Cell { int64(self.fields[key]).map(Cell.int) ?? .null }
    func double(_ key: String) -> Cell { number(self.fields[key]).map(Cell.double) ?? .null }
    func text(_ key: String) -> Cell { (self.fields[key] as? String).map { .text(storable($0)) } ?? .null }
    func bool(_ key: String) -> Cell { (self.fields[key] as? Bool).map(Cell.bool) ?? .null }
    func time(_ key: String) -> Cell { (self.fields[key] as? String).flatMap(parseTimestamp).map(Cell.time) ?? .null }
    func date(_ key: String) -> Cell { (self.fields[key] as? String).flatMap(parseDay).map(Cell.date) ?? .null }
    func ints(_ key: String) -> Cell {
        guard let values = self.fields[key] as? [Any] else { return .null }
        return .ints(values.compactMap(int64))
    }
    func object(_ key: String) -> JSONObject? { (self.fields[key] as? [String: Any]).map(JSONObject.init) }
    func objects(_ key: String) -> [JSONObject] {
        ((self.fields[key] as? [Any]) ?? []).compactMap { ($0 as? [String: Any]).map(JSONObject.init) }
    }

    /// A field every answer has (an id): without it the event is quarantined.
    func requiredInt(_ key: String) throws -> Int64 {
        guard let value = int64(self.fields[key]) else { throw DecodeError("an element has no integer \(key)") }
        return value
    }
}

/// An integer of a payload, exactly: `1.5`, `1e30` or a number past Int64 is not an integer
/// (NULL, or a quarantine where required), where a conversion would truncate or wrap it into a
/// wrong id. `2.0` is 2. Booleans are not numbers.
func int64(_ value: Any?) -> Int64? {
    switch value {
    case let integer as Int64: integer
    case let double as Double: Int64(exactly: double)
    default: nil
    }
}

/// A number of a payload as a double (an integer too); booleans are not numbers.
func number(_ value: Any?) -> Double? {
    switch value {
    case let double as Double: double
    case let integer as Int64: Double(integer)
    default: nil
    }
}

/// `text` as PostgreSQL can store it: NUL (which JSON may carry as `\u0000`, and text columns
/// cannot hold) becomes U+FFFD. The event keeps the original.
func storable(_ text: String) -> String {
    text.containsNUL ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
}

extension String {
    /// Whether the text holds a NUL, which PostgreSQL's text cannot. Asked of every text cell a
    /// projector writes (twice: made storable, then checked), so it looks with `memchr` over the
    /// string's own bytes rather than a character at a time.
    var containsNUL: Bool {
        self.utf8.withContiguousStorageIfAvailable { bytes in
            guard let start = bytes.baseAddress else { return false }
            return memchr(start, 0, bytes.count) != nil
        } ?? self.utf8.contains(0)
    }
}

/// The payload as an array of objects; anything else is a shape the projector does not know.
func objects(_ json: Any) throws -> [JSONObject] {
    guard let array = json as? [Any] else { throw DecodeError("expected a JSON array, got \(kind(of: json))") }
    return try array.map {
        guard let fields = $0 as? [String: Any] else { throw DecodeError("expected objects in the array") }
        return JSONObject(fields: fields)
    }
}

/// The payload as one object.
func object(_ json: Any) throws -> JSONObject {
    guard let fields = json as? [String: Any] else {
        throw DecodeError("expected a JSON object, got \(kind(of: json))")
    }
    return JSONObject(fields: fields)
}

private func kind(of json: Any) -> String {
    switch json {
    case is [Any]: "an array"
    case is [String: Any]: "an object"
    case is String: "a string"
    case is Int64, is Double: "a number"
    case is Bool: "a boolean"
    default: "null"
    }
}

/// Parses ESI's `2026-11-30T12:34:56Z` (optionally with fractional seconds or an offset of Z).
/// Hand-written: ISO8601DateFormatter costs microseconds per call, and payloads have thousands.
func parseTimestamp(_ text: String) -> Date? {
    var bytes = text.utf8.makeIterator()
    func digits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard let byte = bytes.next(), byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
    func expect(_ character: UInt8) -> Bool { bytes.next() == character }
    guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2) else { return nil }
    guard let separator = bytes.next(), separator == 84 || separator == 32 else { return nil }  // T or space
    guard let hour = digits(2), expect(58), let minute = digits(2), expect(58), let second = digits(2) else {
        return nil
    }
    var fraction = 0.0
    var next = bytes.next()
    if next == 46 {  // .
        var scale = 0.1
        next = bytes.next()
        while let byte = next, byte >= 48, byte <= 57 {
            fraction += Double(byte - 48) * scale
            scale /= 10
            next = bytes.next()
        }
    }
    guard next == 90 || next == nil, bytes.next() == nil else { return nil }  // Z
    guard let days = CivilDate.days(year: year, month: month, day: day), hour < 24, minute < 60, second < 61 else {
        return nil
    }
    return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction)
}

/// Parses `2026-11-30` (also the date part of a timestamp) into days after 2000-01-01.
func parseDay(_ text: String) -> Int32? {
    let parts = text.prefix(10).split(separator: "-")
    guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
        let days = CivilDate.days(year: year, month: month, day: day)
    else { return nil }
    return Int32(days - 10_957)
}
