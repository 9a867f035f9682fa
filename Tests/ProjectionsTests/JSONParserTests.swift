import ESISimulator
import Foundation
import Testing
import Vocabulary

/// ``JSONParser`` reads what Foundation's `JSONSerialization` reads, into the same values, and
/// refuses what is not JSON with an error, never a trap.
@Suite struct JSONParserTests {
    @Test func valuesHaveSwiftTypes() throws {
        let parsed = try JSONParser.parse(
            Array(
                #"{"i": 42, "n": -7, "big": 9223372036854775808, "d": 1.5, "e": 2E3, "t": true, "z": null, "s": "x"}"#
                    .utf8
            )
        )
        let object = try #require(parsed as? [String: Any])
        #expect(object["i"] as? Int64 == 42 && object["n"] as? Int64 == -7)
        #expect(object["big"] as? Double == 9_223_372_036_854_775_808)
        #expect(object["d"] as? Double == 1.5 && object["e"] as? Double == 2000)
        #expect(object["t"] as? Bool == true && object["z"] is NSNull && object["s"] as? String == "x")
        #expect(try JSONParser.parse(Array("-9223372036854775808".utf8)) as? Int64 == .min)
        #expect(try JSONParser.parse(Array("9223372036854775807".utf8)) as? Int64 == .max)
        #expect(try JSONParser.parse(Array(" \"\\u00e9\\ud83d\\ude80\\n\\\"\" ".utf8)) as? String == "é🚀\n\"")
        #expect(try JSONParser.parse(Array("\"Jita – 4-4 ✓\"".utf8)) as? String == "Jita – 4-4 ✓")
    }

    /// Documents no parser may take: each is an error that says where, and nothing traps.
    @Test func malformedDocumentsAreErrors() {
        let bad: [[UInt8]] = [
            [], Array("{".utf8), Array("[1,]".utf8), Array("[1 2]".utf8), Array("{\"a\" 1}".utf8),
            Array("{\"a\":1,}".utf8), Array("{1:2}".utf8), Array("01".utf8), Array("1.".utf8), Array("-".utf8),
            Array("1e".utf8), Array("1e+".utf8), Array(".5".utf8), Array("+1".utf8), Array("1e999".utf8),
            Array("-1e999".utf8), Array("nul".utf8), Array("tru".utf8), Array("NaN".utf8), Array("[1] x".utf8),
            Array("\"abc".utf8), Array("\"\\x\"".utf8), Array("\"\\u12\"".utf8), Array("\"\\u12zz\"".utf8),
            Array("\"\\ud800\"".utf8), Array("\"\\udc00\"".utf8), Array("\"\\ud800\\u0041\"".utf8),
            Array("\"a\u{1}b\"".utf8), [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            Array("\"\\".utf8), Array(String(repeating: "[", count: 10_000).utf8),
            Array((String(repeating: "[", count: 513) + String(repeating: "]", count: 513)).utf8),
            Array((String(repeating: "{\"a\":", count: 513) + "1" + String(repeating: "}", count: 513)).utf8),
        ]
        for bytes in bad {
            #expect(throws: JSONSyntaxError.self, "\(String(decoding: bytes.prefix(40), as: UTF8.self))") {
                try JSONParser.parse(bytes)
            }
        }
        let nested = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect((try? JSONParser.parse(Array(nested.utf8))) != nil, "512 levels are allowed")
    }

    /// Random documents (objects, arrays, escaped and non-ASCII strings, integers at Int64's
    /// edges, fractions, exponents) parse to what `JSONSerialization` makes of them.
    @Test func randomDocumentsMatchFoundation() throws {
        let start = UInt64.random(in: 1...UInt64.max)
        var seed = SeededRandom(start)
        for _ in 0..<500 {
            let text = document(depth: 0, &seed)
            let bytes = Array(text.utf8)
            let ours = try JSONParser.parse(bytes)
            let foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            #expect(same(ours, foundation), "seed \(start): \(text.prefix(200))")
        }
    }
}

extension SeededRandom {
    fileprivate mutating func below(_ n: Int) -> Int { Int.random(in: 0..<n, using: &self) }
}

private func document(depth: Int, _ random: inout SeededRandom) -> String {
    let space = [" ", "", "\n", "\t ", ""][random.below(5)]
    switch random.below(depth > 4 ? 6 : 8) {
    case 0: return ["true", "false", "null"][random.below(3)]
    case 1:
        let edges: [Int64] = [0, 1, -1, .max, .min, .max - 1, 2_112_000_001, 1_000_000_000_000]
        return String(random.below(2) == 0 ? edges[random.below(edges.count)] : Int64(bitPattern: random.next()))
    case 2:
        let numbers = [
            "1.5", "-0.25", "3e2", "1E-3", "12345.678", "9223372036854775808", "-9223372036854775809", "0.1",
        ]
        return numbers[random.below(numbers.count)]
    case 3, 4, 5:
        let pieces = [
            "a", "Jita", "é", "✓", "🚀", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude80", " ", "\\t",
        ]
        return "\"" + (0..<random.below(8)).map { _ in pieces[random.below(pieces.count)] }.joined() + "\""
    case 6:
        let elements = (0..<random.below(6)).map { _ in document(depth: depth + 1, &random) }
        return "[" + space + elements.joined(separator: "," + space) + "]"
    default:
        let fields = (0..<random.below(6)).map { index in
            "\"k\(index)\"" + space + ":" + space + document(depth: depth + 1, &random)
        }
        return "{" + space + fields.joined(separator: ",") + space + "}"
    }
}

/// Our value against Foundation's: numbers by value (Foundation's are NSNumbers, ours Int64 or
/// Double), booleans against its boolean NSNumbers.
private func same(_ ours: Any, _ theirs: Any) -> Bool {
    switch ours {
    case let object as [String: Any]:
        guard let other = theirs as? [String: Any], other.count == object.count else { return false }
        return object.allSatisfy { key, value in other[key].map { same(value, $0) } ?? false }
    case let array as [Any]:
        guard let other = theirs as? [Any], other.count == array.count else { return false }
        return zip(array, other).allSatisfy { same($0, $1) }
    case let text as String: return theirs as? String == text
    case is NSNull: return theirs is NSNull
    case let bool as Bool: return (theirs as? NSNumber)?.boolValue == bool
    case let integer as Int64: return (theirs as? NSNumber)?.int64Value == integer
    case let double as Double: return (theirs as? NSNumber)?.doubleValue == double
    default: return false
    }
}
