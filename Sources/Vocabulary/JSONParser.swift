import Foundation

/// A JSON document (RFC 8259) read straight into Swift values: objects as `[String: Any]`,
/// arrays as `[Any]`, strings as `String`, integers that fit as `Int64`, other numbers as
/// `Double`, `true`/`false` as `Bool`, `null` as `NSNull`.
///
/// Written for the projectors and the audit, which parse every payload of the log: Foundation's
/// `JSONSerialization` builds a tree of its own first and then an `NSNumber` per number, from its
/// text, and was 44 % of a rebuild's CPU (docs/benchmarks.md, issue 19). Strict where it matters
/// for hostile input: invalid UTF-8, lone surrogates, control characters in strings, numbers
/// outside JSON's grammar or `Double`'s range, nesting deeper than ``maximumDepth`` and trailing
/// bytes are errors, never traps.
public enum JSONParser {
    /// Arrays and objects nested deeper are refused (recursion must not exhaust the stack).
    public static let maximumDepth = 512

    /// The value of `bytes`; bare values (a wallet balance is a number) are allowed.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> Any {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> Any in
            var reader = JSONReader(bytes: buffer)
            reader.skipWhitespace()
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.index == buffer.count else { throw reader.error("bytes after the value") }
            return value
        }
    }
}

/// Why bytes are not JSON, and where.
public struct JSONSyntaxError: Error, CustomStringConvertible, Equatable {
    /// The offset of the byte the parser stopped at.
    public let offset: Int
    public let reason: String
    public var description: String { "\(self.reason) at byte \(self.offset)" }
}

private struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// The size of the last object read at each of the first levels: the objects of one level
    /// (the elements of a list) nearly always have the same fields, so the next one's dictionary
    /// is made that large at once instead of growing (resizing was a tenth of an assets read).
    var sizes = [Int](repeating: 0, count: 16)

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: self.index, reason: reason) }

    var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> Any {
        guard let byte = self.current else { throw self.error("the document ends where a value should be") }
        switch byte {
        case UInt8(ascii: "{"): return try self.object(depth: depth + 1)
        case UInt8(ascii: "["): return try self.array(depth: depth + 1)
        case UInt8(ascii: "\""): return try self.string()
        case UInt8(ascii: "t"): return try self.literal("true", true)
        case UInt8(ascii: "f"): return try self.literal("false", false)
        case UInt8(ascii: "n"): return try self.literal("null", NSNull())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.number()
        default: throw self.error("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString, _ value: Any) throws(JSONSyntaxError) -> Any {
        let count = word.utf8CodeUnitCount
        guard self.bytes.count - self.index >= count,
            UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(
                self.bytes[self.index..<self.index + count]
            )
        else { throw self.error("unexpected word") }
        self.index += count
        return value
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> [String: Any] {
        guard depth <= JSONParser.maximumDepth else {
            throw self.error("nested deeper than \(JSONParser.maximumDepth)")
        }
        self.index += 1
        var fields = [String: Any](minimumCapacity: depth < self.sizes.count ? self.sizes[depth] : 0)
        defer { if depth < self.sizes.count { self.sizes[depth] = fields.count } }
        self.skipWhitespace()
        if self.current == UInt8(ascii: "}") {
            self.index += 1
            return fields
        }
        while true {
            self.skipWhitespace()
            guard self.current == UInt8(ascii: "\"") else { throw self.error("expected a key") }
            let key = try self.string()
            self.skipWhitespace()
            guard self.current == UInt8(ascii: ":") else { throw self.error("expected a colon") }
            self.index += 1
            self.skipWhitespace()
            fields[key] = try self.value(depth: depth)
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "}"):
                self.index += 1
                return fields
            default: throw self.error("expected a comma or the object's end")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> [Any] {
        guard depth <= JSONParser.maximumDepth else {
            throw self.error("nested deeper than \(JSONParser.maximumDepth)")
        }
        self.index += 1
        var elements = [Any]()
        self.skipWhitespace()
        if self.current == UInt8(ascii: "]") {
            self.index += 1
            return elements
        }
        while true {
            self.skipWhitespace()
            elements.append(try self.value(depth: depth))
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "]"):
                self.index += 1
                return elements
            default: throw self.error("expected a comma or the array's end")
            }
        }
    }

    /// A string from its opening quote. Without escapes (nearly every string of a payload) its
    /// bytes become the String at once; with escapes they are unescaped into a buffer first.
    mutating func string() throws(JSONSyntaxError) -> String {
        self.index += 1
        let start = self.index
        var asciiOnly = true
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                let text = try self.text(start..<self.index, asciiOnly: asciiOnly)
                self.index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try self.escapedString(from: start) }
            guard byte >= 0x20 else { throw self.error("a control character in a string") }
            asciiOnly = asciiOnly && byte < 0x80
            self.index += 1
        }
        throw self.error("a string without its closing quote")
    }

    func text(_ range: Range<Int>, asciiOnly: Bool) throws(JSONSyntaxError) -> String {
        let slice = UnsafeBufferPointer(rebasing: self.bytes[range])
        if asciiOnly { return String(decoding: slice, as: UTF8.self) }
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw JSONSyntaxError(offset: range.lowerBound, reason: "a string that is not UTF-8")
        }
        return text
    }

    mutating func escapedString(from start: Int) throws(JSONSyntaxError) -> String {
        var buffer = [UInt8](self.bytes[start..<self.index])
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            switch byte {
            case UInt8(ascii: "\""):
                self.index += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    throw JSONSyntaxError(offset: start, reason: "a string that is not UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                self.index += 1
                guard let escape = self.current else { break }
                self.index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"): buffer.append(contentsOf: try self.unicodeEscape())
                default:
                    self.index -= 1
                    throw self.error("an unknown escape")
                }
            case 0..<0x20: throw self.error("a control character in a string")
            default:
                buffer.append(byte)
                self.index += 1
            }
        }
        throw self.error("a string without its closing quote")
    }

    /// The UTF-8 of a `\uXXXX` escape (after its `u`), with the low half of a surrogate pair.
    mutating func unicodeEscape() throws(JSONSyntaxError) -> [UInt8] {
        let high = try self.hexQuad()
        var scalar: Unicode.Scalar?
        switch high {
        case 0xD800..<0xDC00:
            guard self.bytes.count - self.index >= 6, self.bytes[self.index] == UInt8(ascii: "\\"),
                self.bytes[self.index + 1] == UInt8(ascii: "u")
            else { throw self.error("a lone surrogate") }
            self.index += 2
            let low = try self.hexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw self.error("a lone surrogate") }
            scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00..<0xE000: throw self.error("a lone surrogate")
        default: scalar = Unicode.Scalar(high)
        }
        guard let scalar else { throw self.error("an escape that is no character") }
        return Array(String(Character(scalar)).utf8)
    }

    mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
        guard self.bytes.count - self.index >= 4 else { throw self.error("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw self.error("a \\u escape that is not hexadecimal")
            }
            value = value << 4 | UInt32(digit)
            self.index += 1
        }
        return value
    }

    /// A number: `Int64` when it is an integer literal that fits, otherwise a finite `Double`.
    mutating func number() throws(JSONSyntaxError) -> Any {
        let start = self.index
        var negative = false
        if self.current == UInt8(ascii: "-") {
            negative = true
            self.index += 1
        }
        let digitsStart = self.index
        guard let first = self.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            throw self.error("a number without digits")
        }
        // Accumulated negatively, so Int64.min fits; nil once it overflows.
        var accumulated: Int64? = 0
        while let byte = self.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            if let value = accumulated {
                let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                accumulated = overflow || overflow2 ? nil : next
            }
            self.index += 1
        }
        if first == UInt8(ascii: "0") && self.index - digitsStart > 1 {
            throw JSONSyntaxError(offset: digitsStart, reason: "a number with a leading zero")
        }
        var integral = true
        if self.current == UInt8(ascii: ".") {
            integral = false
            self.index += 1
            try self.digits()
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            integral = false
            self.index += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.index += 1 }
            try self.digits()
        }
        if integral, let value = accumulated {
            if !negative {
                guard value != .min else { return try self.double(from: start) }
                return -value
            }
            return value
        }
        return try self.double(from: start)
    }

    mutating func digits() throws(JSONSyntaxError) {
        let start = self.index
        while let byte = self.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { self.index += 1 }
        guard self.index > start else { throw self.error("a number without digits after its point or exponent") }
    }

    func double(from start: Int) throws(JSONSyntaxError) -> Double {
        let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONSyntaxError(offset: start, reason: "a number outside the range of a double")
        }
        return value
    }
}
