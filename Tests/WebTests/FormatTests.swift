import Foundation
import Testing

@testable import Projections
@testable import Web

/// How the pages write numbers, moments, security status and column names.
@Suite struct FormatTests {
    @Test(arguments: [
        (2_610_000_000.0, "2.61 B"), (512_300_000, "512 M"), (12_500, "12.5 k"), (999_999, "1.00 M"),
        (999_400, "999 k"), (999, "999"), (0, "0"), (-45_000_000, "-45.0 M"), (3.2e12, "3.20 T"),
    ])
    func shortForms(value: Double, expected: String) {
        #expect(Format.short(value) == expected)
    }

    @Test func nonFiniteNumbersShowAsADash() {
        #expect(Format.short(.nan) == "–" && Format.short(.infinity) == "–")
    }

    @Test func iskHasTheExactAmountOnHover() {
        let html = Format.iskShort(2_612_345_678.9).text
        #expect(html.contains("title=\"2,612,345,679 ISK\"") && html.contains(">2.61 B ISK<"), "\(html)")
        #expect(Format.spShort(19_052_227).text.contains(">19.1 M SP<"))
    }

    @Test(arguments: [
        (0.45, "sec-high", "0.5"), (0.44, "sec-low", "0.4"), (0.05, "sec-low", "0.1"), (0.04, "sec-null", "0.0"),
        (-0.04, "sec-null", "0.0"), (-0.9, "sec-null", "-0.9"), (1.0, "sec-high", "1.0"),
    ])
    func securityAsTheGameRoundsAndColoursIt(value: Double, band: String, shown: String) {
        let html = Format.security(value).text
        #expect(html.contains(band) && html.contains(">\(shown)<"), "\(html)")
    }

    @Test func momentsSayTheirAgeAndKeepTheExactTime() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Format.relative(now.addingTimeInterval(-3 * 86_400 - 4 * 3_600), now: now) == "3d 4h ago")
        #expect(Format.relative(now.addingTimeInterval(2 * 86_400 + 22 * 3_600), now: now) == "in 2d 22h")
        #expect(Format.relative(now.addingTimeInterval(-20), now: now) == "just now")
        let html = Format.moment(now, exact: true).text
        #expect(html.contains("datetime=\"2027-01-15T08:00:00Z\"") && html.contains(">2027-01-15 08:00<"), "\(html)")
        #expect(Format.moment(nil).text.contains("never"))
        #expect(Format.years(since: Date(timeIntervalSince1970: 1_100_000_000), now: now) == 22)
    }

    @Test func columnsAreLabelledInAPlayersWords() {
        #expect(Columns.label("total_sp", section: "skills") == "Total skill points")
        #expect(Columns.label("ship_type_name", section: "overview") == "Ship")
        #expect(Columns.label("start_date", section: "corporation_history") == "Joined")
        #expect(Columns.label("start_date", section: "skill_queue") == "Starts")
        // Columns without a label of their own still read as words.
        #expect(Columns.label("is_frobnicated", section: "x") == "Frobnicated")
        #expect(Columns.label("widget_id", section: "x") == "Widget ID")
        #expect(Columns.label("bonus_sp", section: "x") == "Bonus skill points")
        #expect(Columns.cell(.text("player_donation"), column: "ref_type").text == "Player donation")
        #expect(Columns.cell(.double(1_234_567.8), column: "amount").text == "1,234,568 ISK")
        #expect(Columns.cell(.int(98_000_001), column: "corporation_id").text == "98000001")
        #expect(Columns.cell(.int(1_500), column: "quantity").text == "1,500")
        #expect(Columns.cell(.double(-7.5), column: "standing").text.contains("standing-bad"))
    }

    @Test func skillPlansListEveryMissingLevel() {
        func skill(_ name: String, required: Int?, recommended: Int?, active: Int) -> SkillSetDetail.Skill {
            SkillSetDetail.Skill(
                skillID: 1,
                name: name,
                required: required,
                recommended: recommended,
                active: active,
                trained: active,
                failsRequired: active < (required ?? 0),
                failsRecommended: active < (recommended ?? 0),
                secondsToRequired: nil,
                secondsToFull: nil
            )
        }
        let detail = SkillSetDetail(
            skillSetID: 1,
            name: "Rifter",
            description: "",
            shipTypeID: nil,
            shipName: nil,
            groups: [],
            status: "none",
            needsOmega: false,
            skills: [
                skill("Gunnery", required: nil, recommended: 5, active: 3),
                skill("Minmatar Frigate", required: 3, recommended: 4, active: 1),
                skill("Navigation", required: 1, recommended: nil, active: 4),
            ]
        )
        #expect(
            detail.skillPlan == [
                "Minmatar Frigate 2", "Minmatar Frigate 3", "Minmatar Frigate 4", "Gunnery 4", "Gunnery 5",
            ]
        )
    }
}

extension FormatTests {
    @Test func anImageServerIsAPlainHTTPURL() {
        for good in ["https://images.evetech.net", "http://127.0.0.1:8080/images", "https://cdn.example.org/eve_img~1"]
        {
            #expect(Images.check(good), "\(good)")
        }
        for bad in [
            "images.evetech.net", "javascript:alert(1)", "https://x.org/a b", "https://x.org/\"", "https://x.org;",
            "https://exämple.org", "ftp://x.org",
        ] {
            #expect(!Images.check(bad), "\(bad)")
        }
    }
}
