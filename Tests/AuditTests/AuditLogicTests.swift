import Foundation
import Projections
import Testing
import Vocabulary

@testable import Audit

/// The audit trail's pure parts: moments, named text, numbers, and change descriptions on
/// hand-made tables.
@Suite struct AuditLogicTests {
    let now = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z

    @Test func momentsInEveryForm() throws {
        #expect(try AuditTime.parse("now", now: self.now) == self.now)
        // Only the years 1 to 9999, and finite amounts: the values that once killed the process.
        for text in ["-1e9d", "-1e400w", "-infd", "-nand", "0000-01-01", "10000-01-01", "-99999999999999999999h"] {
            #expect("\(text)") { try AuditTime.parse(text, now: self.now) } throws: {
                [.momentOutOfRange, .notAMoment].contains(($0 as? AuditError)?.code)
            }
        }
        #expect { try AuditTime.parse(String(repeating: "1", count: 65), now: self.now) } throws: {
            ($0 as? AuditError)?.code == .momentTooLong
        }
        #expect(try AuditTime.parse("0001-01-01", now: self.now) == AuditTime.range.lowerBound)
        #expect(try AuditTime.parse("9999-12-31T23:59:59", now: self.now) == AuditTime.range.upperBound)
        #expect(try AuditTime.parse("2026-12-01", now: self.now) == self.now)
        #expect(try AuditTime.parse("2026-12-01T12:30", now: self.now) == self.now.addingTimeInterval(45_000))
        #expect(try AuditTime.parse("2026-12-01 12:30:15Z", now: self.now) == self.now.addingTimeInterval(45_015))
        #expect(try AuditTime.parse("2026-12-01T12:30:00+02:00", now: self.now) == self.now.addingTimeInterval(37_800))
        #expect(try AuditTime.parse("-3d", now: self.now) == self.now.addingTimeInterval(-259_200))
        #expect(try AuditTime.parse("-12h", now: self.now) == self.now.addingTimeInterval(-43_200))
        #expect(try AuditTime.parse("-30m", now: self.now) == self.now.addingTimeInterval(-1_800))
        #expect(try AuditTime.parse("-2w", now: self.now) == self.now.addingTimeInterval(-1_209_600))
        for bad in [
            "", "yesterday", "2026-13-01", "2026-02-30", "-3y", "12:30", "2026-12-01T25:00", "2026-12-01T12:30+2",
        ] {
            #expect("\(bad)") { try AuditTime.parse(bad, now: self.now) } throws: {
                ($0 as? AuditError)?.code == .notAMoment
            }
        }
    }

    @Test func namedTextNamesWhatItKnowsAndKeepsTheRest() {
        var names = Names()
        names.types = [587: "Rifter"]
        names.locations = [60_003_760: "Jita IV - Moon 4"]
        let text = "+ {t:587} at {l:60003760}; from {e:98000001} {x:1} {t:} {"
        #expect(NamedText.ids(in: [text]) == [.type: [587], .location: [60_003_760], .entity: [98_000_001]])
        #expect(NamedText.render(text, names: names) == "+ Rifter at Jita IV - Moon 4; from 98000001 {x:1} {t:} {")
    }

    @Test func numbersAsPeopleReadThem() {
        #expect(formatNumber(0) == "0")
        #expect(formatNumber(1_234_567.5) == "1,234,567.50")
        #expect(formatNumber(-1_000) == "-1,000")
        #expect(formatNumber(999.999) == "1,000")
        #expect(formatNumber(12.05) == "12.05")
        #expect(formatSigned(-250.5) == "-250.50")
        #expect(formatSigned(42) == "+42")
    }

    @Test func scopesNameTheParametersBesideTheCharacter() {
        #expect(AuditIndex.scope(["character_id": "1"]) == "")
        #expect(AuditIndex.scope(["character_id": "1", "contract_id": "7", "a": "b"]) == "a=b,contract_id=7")
        #expect(
            Reconstruction.parameters(character: 1, scope: "a=b,contract_id=7") == [
                "character_id": "1", "a": "b", "contract_id": "7",
            ]
        )
    }

    // MARK: - Change descriptions

    let assetColumns = [
        "character_id", "item_id", "type_id", "quantity", "location_id", "location_type", "location_flag",
        "is_singleton",
        "is_blueprint_copy", "parent_item_id", "root_location_id", "depth",
    ]

    func asset(
        _ item: Int64,
        type: Int64,
        quantity: Int64,
        place: Int64,
        parent: Int64? = nil,
        flag: String = "Hangar"
    ) -> [Cell] {
        [
            .int(1), .int(item), .int(type), .int(quantity), .int(parent ?? place), .text("station"), .text(flag),
            .bool(quantity == 1), .null, parent.map(Cell.int) ?? .null, .int(place), .int(parent == nil ? 0 : 1),
        ]
    }

    func assets(_ rows: [[Cell]]) -> PastTable {
        PastTable(name: "assets", columns: self.assetColumns, key: ["item_id"], rows: rows)
    }

    @Test func departedRowsSurviveTheirBinaryFormExactly() {
        let row: [Cell] = [
            .null, .int(-9_223_372_036_854_775_808), .int(2_112_000_001), .double(-0.5), .double(.infinity),
            .text(""), .text("Ünïcødé <b>&amp;</b> 🚀"), .bool(true), .bool(false),
            .time(Date(timeIntervalSince1970: 1_796_083_200.25)), .date(-730), .ints([1, -2, Int64.max]),
            .texts(["a", "", "ß"]), .doubles([1.5, nil, -3]), .bools([true, false]), .ints([]),
        ]
        let bytes = CellCoding.encode(row)
        #expect(CellCoding.decode(bytes) == row)
        #expect(CellCoding.decode(CellCoding.encode([])) == [])
    }

    @Test func aDamagedDepartedRowIsRefusedNotMisread() {
        let bytes = CellCoding.encode([.text("Raven"), .ints([1, 2, 3])])
        // Every truncation, a wrong format byte, an unknown tag, trailing bytes and a huge count.
        for length in 0..<bytes.count { #expect(CellCoding.decode(Array(bytes[..<length])) == nil) }
        #expect(CellCoding.decode([9] + bytes.dropFirst()) == nil)
        #expect(CellCoding.decode([CellCoding.format, 1, 0, 0, 0, 200]) == nil)
        #expect(CellCoding.decode(bytes + [0]) == nil)
        #expect(CellCoding.decode([CellCoding.format, 255, 255, 255, 255]) == nil)
    }

    @Test func assetsAddedRemovedMovedAndRestacked() {
        let old = self.assets([
            self.asset(1, type: 587, quantity: 1, place: 100),
            self.asset(2, type: 34, quantity: 1_000, place: 100),
            self.asset(3, type: 35, quantity: 5, place: 100),
            self.asset(4, type: 2_048, quantity: 1, place: 100, parent: 1, flag: "HiSlot0"),
        ])
        let new = self.assets([
            self.asset(1, type: 587, quantity: 1, place: 200),
            self.asset(2, type: 34, quantity: 400, place: 100),
            self.asset(4, type: 2_048, quantity: 1, place: 200, parent: 1, flag: "HiSlot0"),
            self.asset(5, type: 36, quantity: 7, place: 200),
        ])
        let lines = ChangeDescriber.lines(section: "assets", old: [old], new: [new], accumulating: false)
        #expect(
            lines == [
                "+ 7× {t:36} at {l:200}",
                "- 5× {t:35} at {l:100}",
                "{t:587} moved from {l:100} (Hangar) to {l:200} (Hangar)",
                "{t:34} at {l:100}: quantity 1000 → 400",
                "{t:2048} moved from item 1 (HiSlot0) at {l:100} to item 1 (HiSlot0) at {l:200}",
            ]
        )
        #expect(
            ChangeDescriber.summary(section: "assets", lines: lines)
                == "assets: + 7× {t:36} at {l:200}; - 5× {t:35} at {l:100}; {t:587} moved from {l:100} (Hangar) to {l:200} (Hangar) (and 2 more)"
        )
    }

    @Test func accumulatingSectionsNeverLoseEntries() {
        let columns = ["character_id", "id", "date", "ref_type", "amount", "description"]
        func entry(_ id: Int64, _ amount: Double) -> [Cell] {
            [.int(1), .int(id), .time(self.now), .text("bounty_prizes"), .double(amount), .null]
        }
        let old = PastTable(name: "wallet_journal", columns: columns, key: ["id"], rows: [entry(1, 10), entry(2, 20)])
        let new = PastTable(
            name: "wallet_journal",
            columns: columns,
            key: ["id"],
            rows: [entry(2, 20), entry(3, -5.5)]
        )
        let lines = ChangeDescriber.lines(section: "wallet_journal", old: [old], new: [new], accumulating: true)
        #expect(lines == ["journal 2026-12-01 00:00:00Z bounty_prizes -5.50 ISK"])
    }

    @Test func singleRowSectionsSayWhatChanged() {
        let columns = [
            "character_id", "name", "corporation_id", "alliance_id", "security_status", "description", "fetched_at",
        ]
        func details(_ corporation: Int64, _ security: Double, _ bio: String, at time: Date) -> PastTable {
            PastTable(
                name: "character_details",
                columns: columns,
                key: [],
                rows: [[.int(1), .text("Pilot"), .int(corporation), .null, .double(security), .text(bio), .time(time)]]
            )
        }
        let lines = ChangeDescriber.lines(
            section: "character_details",
            old: [details(98_000_001, 1.5, "old", at: self.now)],
            new: [details(98_000_002, 1.5, "new", at: self.now.addingTimeInterval(60))],
            accumulating: false
        )
        #expect(lines == ["corporation {e:98000001} → {e:98000002}, description changed"])
        let first = ChangeDescriber.lines(
            section: "character_details",
            old: [],
            new: [details(98_000_001, 1.5, "", at: self.now)],
            accumulating: false
        )
        #expect(first == ["corporation {e:98000001}, alliance none"])
        let wallet = { (balance: Double) in
            PastTable(
                name: "character_wallet",
                columns: ["character_id", "balance", "fetched_at"],
                key: [],
                rows: [[.int(1), .double(balance), .null]]
            )
        }
        #expect(
            ChangeDescriber.lines(
                section: "wallet_balance",
                old: [wallet(1_000)],
                new: [wallet(250.5)],
                accumulating: false
            )
                == ["wallet 1,000 → 250.50 ISK (-749.50)"]
        )
        let same = ChangeDescriber.lines(
            section: "wallet_balance",
            old: [wallet(5)],
            new: [wallet(5)],
            accumulating: false
        )
        #expect(same.isEmpty)
    }
}
