import Foundation

/// Bodies no honest ESI sends but a broken proxy, a bug or an attacker in the middle could: the
/// `hostile_rate` fault answers 200 with one of these made from the real body, so that clients
/// prove they record the failure or quarantine the event, and never crash or grow without bound.
public enum HostilePayload: String, CaseIterable, Sendable, Codable {
    /// Every number past Int64 (`99999999999999999999999`).
    case hugeNumbers = "huge_numbers"
    /// Every number negative (quantities, ids, amounts).
    case negativeNumbers = "negative_numbers"
    /// Every number a float where an integer belongs (`1.5e3`).
    case floats
    /// Every number a string (`"12"`).
    case numbersAsStrings = "numbers_as_strings"
    /// Every number null, required fields included.
    case nulls
    /// The body nested 10,000 arrays deep.
    case deepNesting = "deep_nesting"
    /// A 50 MB body of valid JSON.
    case huge
    /// Bytes that are not UTF-8 inside the first string.
    case invalidUTF8 = "invalid_utf8"
    /// Every object's members twice, the second time with a hostile value.
    case duplicateKeys = "duplicate_keys"

    /// The hostile form of `body`.
    public func apply(to body: [UInt8]) -> [UInt8] {
        switch self {
        case .hugeNumbers: Self.replacingNumbers(in: body) { _ in "99999999999999999999999" }
        case .negativeNumbers: Self.replacingNumbers(in: body) { $0.hasPrefix("-") ? $0 : "-" + $0 }
        case .floats: Self.replacingNumbers(in: body) { _ in "1.5e3" }
        case .numbersAsStrings: Self.replacingNumbers(in: body) { "\"\($0)\"" }
        case .nulls: Self.replacingNumbers(in: body) { _ in "null" }
        case .deepNesting:
            Array(repeating: UInt8(ascii: "["), count: 10_000) + Array(repeating: UInt8(ascii: "]"), count: 10_000)
        case .huge: Array("[".utf8) + Array(repeating: UInt8(ascii: " "), count: 50_000_000) + Array("]".utf8)
        case .invalidUTF8:
            if let quote = body.firstIndex(of: UInt8(ascii: "\"")) {
                Array(body[...quote]) + [0xFF, 0xFE, 0xC0, 0xAF] + Array(body[(quote + 1)...])
            } else {
                Array("[\"".utf8) + [0xFF, 0xFE] + Array("\"]".utf8)
            }
        case .duplicateKeys: Self.duplicatingKeys(in: body)
        }
    }

    /// `body` with every number outside strings replaced by `replacement(number)`.
    static func replacingNumbers(in body: [UInt8], _ replacement: (String) -> String) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(body.count * 2)
        var index = 0
        var inString = false
        while index < body.count {
            let byte = body[index]
            if inString {
                output.append(byte)
                if byte == UInt8(ascii: "\\"), index + 1 < body.count {
                    output.append(body[index + 1])
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = true
                output.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                var end = index + 1
                while end < body.count, "0123456789.eE+-".utf8.contains(body[end]) { end += 1 }
                output += Array(replacement(String(decoding: body[index..<end], as: UTF8.self)).utf8)
                index = end
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// Every object of `body` with each member written twice, the second value hostile.
    static func duplicatingKeys(in body: [UInt8]) -> [UInt8] {
        guard let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else {
            return body
        }
        var output = ""
        func write(_ value: Any) {
            switch value {
            case let object as [String: Any]:
                output += "{"
                var first = true
                for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                    let name = rendered(key)
                    output += (first ? "" : ",") + name + ":"
                    write(member)
                    output += "," + name + ":-1e308"
                    first = false
                }
                output += "}"
            case let array as [Any]:
                output += "["
                for (index, element) in array.enumerated() {
                    if index > 0 { output += "," }
                    write(element)
                }
                output += "]"
            default:
                output += rendered(value)
            }
        }
        func rendered(_ value: Any) -> String {
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
            return data.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }
        write(value)
        return Array(output.utf8)
    }
}
