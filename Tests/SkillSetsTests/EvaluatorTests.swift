import Foundation
import SkillSets
import StaticData
import Testing
import Vocabulary

@Suite struct EvaluatorTests {
    // Gunnery 3300 (rank 1, perception/willpower), Minmatar Frigate 3329 (rank 2, perception/willpower),
    // Mechanics 3392 (rank 1, intelligence/memory).
    static let attributes: [CharacterAttribute: Int] = [
        .perception: 27, .willpower: 21, .intelligence: 20, .memory: 20, .charisma: 19,
    ]

    static func character(
        _ skills: [Int: (active: Int, trained: Int, sp: Int)],
        attributes: Bool = true
    )
        -> CharacterSkills
    {
        CharacterSkills(
            skills: skills.mapValues { .init(active: $0.active, trained: $0.trained, skillPoints: $0.sp) },
            attributes: attributes ? Self.attributes : nil
        )
    }

    static func check(_ set: SkillSet, _ character: CharacterSkills) -> SkillSetCheck {
        var set = set
        set.id = 7
        return SkillSetEvaluator(sets: [set], catalog: .shipped).evaluate(character)[0]
    }

    @Test func requiredOnly() {
        let set = SkillSet(name: "r", skills: [SkillLevels(skillID: 3300, required: 3)])
        #expect(Self.check(set, Self.character([3300: (3, 3, 8000)])).status == .full)
        let failing = Self.check(set, Self.character([3300: (2, 2, 1415)]))
        #expect(failing.status == .none)
        #expect(!failing.canFly)
        #expect(failing.failedRequired == [3300])
        #expect(failing.failedRecommended.isEmpty)
        #expect(failing.missing == [SkillRequirement(skillID: 3300, level: 3)])
    }

    @Test func recommendedOnly() {
        let set = SkillSet(name: "r", skills: [SkillLevels(skillID: 3300, recommended: 4)])
        let check = Self.check(set, Self.character([3300: (3, 3, 8000)]))
        #expect(check.status == .partial)
        #expect(check.canFly)
        #expect(check.failedRecommended == [3300])
        #expect(check.requiredSeconds == 0)
        #expect(Self.check(set, Self.character([3300: (4, 4, 45255)])).status == .full)
    }

    @Test func both() {
        let set = SkillSet(name: "b", skills: [SkillLevels(skillID: 3300, required: 2, recommended: 4)])
        #expect(Self.check(set, Self.character([3300: (1, 1, 250)])).status == .none)
        let partial = Self.check(set, Self.character([3300: (3, 3, 8000)]))
        #expect(partial.status == .partial)
        #expect(partial.missing == [SkillRequirement(skillID: 3300, level: 4)])
        #expect(Self.check(set, Self.character([3300: (5, 5, 256_000)])).status == .full)
    }

    @Test func missingSkillIsLevelZero() {
        let set = SkillSet(name: "m", skills: [SkillLevels(skillID: 3392, required: 1)])
        let check = Self.check(set, Self.character([:]))
        #expect(check.status == .none)
        #expect(check.failedRequired == [3392])
        // Mechanics I from nothing: 250 SP at intelligence 20 + memory 20 / 2 = 30 SP/min: 500 s.
        #expect(abs((check.requiredSeconds ?? 0) - 500) < 1e-9)
    }

    @Test func activeLevelCountsNotTrained() {
        // An Alpha clone: trained V, active IV.
        let set = SkillSet(name: "a", skills: [SkillLevels(skillID: 3300, required: 5)])
        let check = Self.check(set, Self.character([3300: (4, 5, 256_000)]))
        #expect(check.status == .none)
        #expect(check.needsOmega)
        #expect(check.requiredSeconds == 0)  // nothing to train, only Omega to buy
        #expect(!Self.check(set, Self.character([3300: (4, 4, 45255)])).needsOmega)
    }

    @Test func trainingTimeByHand() throws {
        // Gunnery IV -> V at perception 27, willpower 21: 37.5 SP/min, (256,000 - 45,255) / 37.5 min
        // = 5,619.866... min = 337,192 s. Minmatar Frigate (rank 2) 0 -> III: 16,000 SP = 426.67 min.
        let set = SkillSet(
            name: "t",
            skills: [
                SkillLevels(skillID: 3300, required: 5), SkillLevels(skillID: 3329, required: 3, recommended: 4),
            ]
        )
        let check = Self.check(set, Self.character([3300: (4, 4, 45255)]))
        let gunnery = (256_000.0 - 45_255) / 37.5 * 60
        let frigate3 = 16_000.0 / 37.5 * 60
        let frigate4 = 90_510.0 / 37.5 * 60
        #expect(abs(try #require(check.requiredSeconds) - (gunnery + frigate3)) < 1e-6)
        #expect(abs(try #require(check.fullSeconds) - (gunnery + frigate4)) < 1e-6)
        #expect(abs(gunnery - 337_192) < 1e-6)
        // Without attributes, no time.
        #expect(Self.check(set, Self.character([:], attributes: false)).requiredSeconds == nil)
    }

    @Test func oneCheckPerSetInOrder() {
        let sets = (1...3).map {
            SkillSet(id: Int64($0), name: "s\($0)", skills: [SkillLevels(skillID: 3300, required: $0)])
        }
        let checks = SkillSetEvaluator(sets: sets, catalog: .shipped).evaluate(Self.character([3300: (2, 2, 1415)]))
        #expect(checks.map(\.skillSetID) == [1, 2, 3])
        #expect(checks.map(\.canFly) == [true, true, false])
    }

    @Test func setsOfMoreThan64Skills() {
        let skills = StaticData.shipped.trainableSkills.prefix(70).map { SkillLevels(skillID: $0.id, required: 1) }
        let set = SkillSet(name: "big", skills: skills)
        // Everything but the 66th skill (position 65, in the second mask word) is missing.
        let known = skills.sorted { $0.skillID < $1.skillID }[65].skillID
        let check = Self.check(set, Self.character([known: (1, 1, 250)]))
        #expect(check.failedRequired.count == 69)
        #expect(!check.failedRequired.contains(known))
        #expect(check.failedRequiredMask.positions == Array(0..<65) + Array(66..<70))
        // Bit i of the hex (least significant bit first in each byte): byte 8 holds positions 64–71.
        let hex = check.failedRequiredMask.hex(bytes: 9)
        #expect(hex.count == 18)
        #expect(hex.hasPrefix("ffffffffffffffff"))
        #expect(hex.suffix(2) == "3d")  // positions 64, 66, 67, 68, 69: 0b0011_1101
    }

    @Test func validation() {
        #expect { try SkillSet(name: "x", skills: [SkillLevels(skillID: 1)]).validate() } throws: {
            ($0 as? SkillSetError)?.code == .noLevel
        }
        #expect {
            try SkillSet(name: "x", skills: [SkillLevels(skillID: 1, required: 6)]).validate()
        } throws: { ($0 as? SkillSetError)?.code == .badLevel }
        #expect { try SkillSet(name: " ").validate() } throws: { ($0 as? SkillSetError)?.code == .noName }
    }

    @Test func exportDocumentRoundTrip() throws {
        let sets = [
            SkillSet(
                name: "Rifter",
                description: "tackle",
                shipTypeID: 587,
                isVisible: false,
                skills: [
                    SkillLevels(skillID: 3300, required: 2, recommended: 4), SkillLevels(skillID: 3329, recommended: 3),
                ]
            )
        ]
        let groups = [
            SkillSetGroup(name: "Frigates", description: "d", isDoctrine: true, isActive: false, skillSets: ["Rifter"])
        ]
        let document = SkillSetDocument(groups: groups, sets: sets, catalog: .shipped)
        let decoded = try SkillSetDocument.decode(try document.encoded())
        #expect(decoded == document)
        #expect(try decoded.resolvedSets(catalog: .shipped) == sets)
        #expect(decoded.skillSets[0].skills[0].skillName == "Gunnery")
        #expect(throws: SkillSetError.self) {
            try SkillSetDocument.decode(
                Data("{\"format\":\"other\",\"version\":1,\"groups\":[],\"skill_sets\":[]}".utf8)
            )
        }
    }
}
