import EventLog
import Foundation
import Testing

@testable import Projections

@Suite struct ParsingTests {
    @Test func timestampsInESIsFormsAndNotOthers() {
        #expect(parseTimestamp("2026-11-30T12:34:56Z") == Date(timeIntervalSince1970: 1_796_042_096))
        #expect(parseTimestamp("2026-11-30T12:34:56.250Z") == Date(timeIntervalSince1970: 1_796_042_096.25))
        #expect(parseTimestamp("2000-01-01T00:00:00Z") == Date(timeIntervalSince1970: 946_684_800))
        #expect(parseTimestamp("1969-12-31T23:59:59Z") == Date(timeIntervalSince1970: -1))
        for bad in [
            "", "2026-11-30", "2026-13-01T00:00:00Z", "2026-11-30T25:00:00Z", "2026-11-30T12:34:56+02:00", "yesterday",
        ] {
            #expect(parseTimestamp(bad) == nil, "\(bad)")
        }
        // Agrees with Foundation on many dates.
        let formatter = ISO8601DateFormatter()
        for step in 0..<500 {
            let date = Date(timeIntervalSince1970: Double(step) * 7_654_321)
            #expect(parseTimestamp(formatter.string(from: date)) == date)
        }
    }

    @Test func daysAreCountedFrom2000() {
        #expect(parseDay("2000-01-01") == 0)
        #expect(parseDay("2026-11-30") == 9830)
        #expect(parseDay("1999-12-31") == -1)
        #expect(parseDay("30.11.2026") == nil)
        #expect(formatDate(9830) == "2026-11-30")
        #expect(Cell.date(9830).keyText == "2026-11-30")
    }

    @Test func parametersOfTheLog() {
        #expect(parseParameters("{}") == [:])
        #expect(
            parseParameters(#"{"chunk": "0", "character_id": "2112000001"}"#) == [
                "chunk": "0", "character_id": "2112000001",
            ]
        )
        #expect(parseParameters(#"{"name": "a \"quoted\" value"}"#) == ["name": "a \"quoted\" value"])
    }

    @Test func jsonFieldsAreReadLeniently() throws {
        let object = try Projections.object(
            parseJSON(Array(#"{"a": 5, "b": "x", "c": true, "d": 1.5, "e": null, "f": [1, 2]}"#.utf8))
        )
        #expect(object.int("a") == .int(5))
        #expect(object.int("b") == .null)  // a mistyped optional field is NULL, not an error
        #expect(object.text("b") == .text("x"))
        #expect(object.bool("c") == .bool(true))
        #expect(object.double("d") == .double(1.5))
        #expect(object.double("a") == .double(5))
        #expect(object.int("e") == .null && object.int("missing") == .null)
        #expect(object.ints("f") == .ints([1, 2]))
        #expect(throws: DecodeError.self) { try object.requiredInt("missing") }
        #expect(throws: DecodeError.self) { try parseJSON(Array("{\"a\": ".utf8)) }
        #expect(throws: DecodeError.self) { try objects(parseJSON(Array("{}".utf8))) }
    }

    /// Integers are taken exactly: a number past Int64, a fraction or an exponent is no id (where
    /// NSNumber's int64Value would wrap 1e30 to Int64.min and 1.5 to 1), and text that PostgreSQL
    /// cannot store is made storable.
    @Test func integersAreExactAndTextStorable() throws {
        let object = try Projections.object(
            parseJSON(
                Array(
                    #"{"big": 99999999999999999999999, "max": 9223372036854775807, "over": 9223372036854775808, "frac": 1.5, "exp": 1e30, "neg": -5}"#
                        .utf8
                )
            )
        )
        #expect(object.int("big") == .null && object.int("over") == .null)
        #expect(object.int("frac") == .null && object.int("exp") == .null)
        #expect(object.int("max") == .int(.max) && object.int("neg") == .int(-5))
        #expect(throws: DecodeError.self) { try object.requiredInt("big") }
        #expect(storable("a\u{0}b") == "a\u{FFFD}b" && storable("ab") == "ab")
        #expect(!Cell.text("a\u{0}b").fits(.text) && Cell.text("ab").fits(.text))
        #expect(!Cell.time(Date(timeIntervalSince1970: .infinity)).fits(.timestamptz))
        #expect(!Cell.time(Date(timeIntervalSince1970: 1e300)).fits(.timestamptz))
    }
}
