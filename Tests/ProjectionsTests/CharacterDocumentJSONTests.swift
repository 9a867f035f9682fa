import Foundation
import Projections
import Testing
import Vocabulary

/// The hand-written JSON of the character document and the hand-written ISO 8601 times: the same
/// values Foundation's serialiser and format style give, for every kind of value.
@Suite struct CharacterDocumentJSONTests {
    @Test func timesAreFoundationsISO8601() {
        var random = SystemRandomNumberGenerator()
        // 1583 to 9999, leap days and the epoch's edges included. (Before the Gregorian reform
        // Foundation counts Julian days; PostgreSQL and ISO 8601, and so this, proleptic Gregorian.)
        var moments: [Double] = [0, -1, 86_399, 86_400, 951_782_400, 4_107_456_000, 253_402_300_799]
        moments += (0..<2_000).map { _ in Double.random(in: -12_212_553_600..<253_402_300_800, using: &random) }
        for seconds in moments {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(CivilDate.iso8601(date) == date.formatted(.iso8601), "\(seconds)")
        }
        #expect(CivilDate.iso8601(Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01T00:00:00Z")
        #expect(formatTime(Date(timeIntervalSince1970: 1_800_000_000)) == "2027-01-15 08:00:00Z")
    }

    @Test(arguments: [true, false])
    func theDocumentIsTheValuesItHolds(pretty: Bool) throws {
        let moment = Date(timeIntervalSince1970: 1_800_000_000)
        let state = CharacterState(
            id: 2_112_000_001,
            name: "Quote \" Backslash \\ Tab \t Bell \u{07} Ünïcødé 🚀",
            sections: [
                SectionState(
                    name: "assets",
                    parts: [
                        DisplayPart(
                            name: "assets",
                            columns: ["b", "a", "b", "when", "nested", "broken"],
                            rows: [
                                [
                                    .int(-5), .double(1.5), .int(99), .time(moment), .json(#"[{"x":1}]"#),
                                    .json("{nope"),
                                ],
                                [.double(.nan), .bool(true), .null, .null, .null, .text("\n")],
                            ]
                        )
                    ]
                ),
                SectionState(
                    name: "skills",
                    parts: [
                        DisplayPart(name: "totals", columns: ["total_sp"], rows: [[.int(5_000_000)]], single: true),
                        DisplayPart(name: "skills", columns: [], rows: []),
                        DisplayPart(name: "none", columns: ["x"], rows: [], single: true),
                    ]
                ),
            ]
        )
        let data = try CharacterDocument.json(state, pretty: pretty)
        let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
        let expected: NSDictionary = [
            "id": 2_112_000_001, "name": state.name,
            "assets": [
                ["a": 1.5, "b": -5, "when": "2027-01-15T08:00:00Z", "nested": [["x": 1]], "broken": "{nope"],
                ["a": true, "b": NSNull(), "when": NSNull(), "nested": NSNull(), "broken": "\n"],
            ],
            "skills": ["totals": ["total_sp": 5_000_000], "skills": [] as [Any], "none": NSNull()],
        ]
        #expect(parsed == expected, "\(String(decoding: data, as: UTF8.self))")
        let assets = try CharacterDocument.json(state, only: "assets", pretty: pretty)
        #expect((try JSONSerialization.jsonObject(with: assets) as? NSArray) == (expected["assets"] as? NSArray))
        #expect(try CharacterDocument.json(state, only: "id", pretty: pretty) == Data("2112000001".utf8))
    }
}
