import Crypto
import Foundation
import Testing

@testable import StaticData

@Suite struct StaticDataTests {
    @Test func theShippedDataDecodesCompletely() {
        let data = StaticData.shipped
        #expect(data.skills.count == 589)
        #expect(data.skillGroups.count == 25)
        #expect(data.types.count == 53_289)
        #expect(data.groups.count == 1611)
        #expect(data.categories.count == 48)
        #expect(data.systems.count == 8_437)
        #expect(data.stations.count == 5_154)
        #expect(data.regions.count == 113)
        #expect(data.constellations.count == 1_175)
        #expect(data.npcCorporations.count == 283)
        #expect(data.factions.count == 27)
        #expect(data.races.count == 11)
        #expect(data.bloodlines.count == 18)
        #expect(data.ancestries.count == 43)
        // The manifest counts what the archive holds.
        let manifest = UniverseArchive.manifest
        #expect(manifest.counts["types"] == data.types.count)
        #expect(manifest.counts["stations"] == data.stations.count)
    }

    @Test func knownRecordsHaveTheirRealValues() throws {
        let data = StaticData.shipped
        let gunnery = try #require(data.skills[3300])
        #expect(gunnery.name == "Gunnery")
        #expect(gunnery.rank == 1)
        #expect(gunnery.primaryAttribute == .perception)
        #expect(gunnery.secondaryAttribute == .willpower)
        #expect(data.types[587]?.name == "Rifter")
        #expect(data.types[587]?.kind == "ship")
        #expect(data.stations[60_003_760]?.name == "Jita IV - Moon 4 - Caldari Navy Assembly Plant")
        #expect(data.systems[30_000_142]?.name == "Jita")
        #expect(data.types[9899]?.attributeBonus?["perception"] != nil)
        #expect(data.npcCorporations[1_000_044]?.name == "School of Applied Knowledge")
        // Outside the old curated subset: a plain container, pirate implants, null and wormhole space.
        #expect(data.types[23]?.name == "Cargo Container")
        #expect(data.types[19540]?.name == "High-grade Snake Alpha")
        #expect(data.types[19540]?.implantSlot == 1)
        #expect(data.systems[30_004_759]?.name == "1DQ1-A")
        #expect(data.systems[31_000_005]?.name == "Thera")
        #expect(data.systems[31_002_479]?.securityClass == nil)
        #expect(data.stations[60_008_494]?.name == "Amarr VIII (Oris) - Emperor Family Academy")
        #expect(data.factions[500_001]?.name == "Caldari State")
        #expect(data.bloodlines[1]?.name == "Deteis")
    }

    @Test func theEmbeddedArchiveIsTheOneTheManifestDescribes() throws {
        let manifest = UniverseArchive.manifest
        let bytes = UniverseArchive.compressed
        #expect(bytes.count == manifest.bytes)
        #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == manifest.sha256)
        #expect(manifest.build == 3_650_286)
        // Compact: the whole universe in under 5 MB of repository and binary.
        #expect(bytes.count < 5_000_000)
    }

    @Test func everyPublishedSkillCanBeTrained() {
        for skill in StaticData.shipped.skills.values where skill.published {
            #expect(skill.rank.map { $0 >= 1 } == true, "\(skill.name)")
            #expect(skill.primaryAttribute != nil && skill.secondaryAttribute != nil, "\(skill.name)")
        }
    }

    @Test func everySkillPrerequisiteIsAKnownSkill() {
        let data = StaticData.shipped
        for skill in data.skills.values {
            // "Polaris" (9955, unpublished) lists itself: expansions must guard against cycles.
            for requirement in skill.requiredSkills where requirement.skillID != skill.id {
                #expect(data.skills[requirement.skillID] != nil, "\(skill.name) needs unknown \(requirement.skillID)")
                #expect((1...5).contains(requirement.level))
            }
        }
    }

    @Test(
        "skill points per level, rounded up as the game shows them",
        arguments: [
            (1.0, [250, 1415, 8000, 45255, 256_000]),
            (2.0, [500, 2829, 16000, 90510, 512_000]),
            (5.0, [1250, 7072, 40000, 226_275, 1_280_000]),
        ]
    )
    func skillPointsPerLevel(rank: Double, expected: [Int]) {
        #expect((1...5).map { SkillMath.skillPoints(forLevel: $0, rank: rank) } == expected)
        #expect(SkillMath.skillPoints(forLevel: 0, rank: rank) == 0)
    }

    @Test func levelFromSkillPoints() {
        #expect(SkillMath.level(forSkillPoints: 0, rank: 1) == 0)
        #expect(SkillMath.level(forSkillPoints: 249, rank: 1) == 0)
        #expect(SkillMath.level(forSkillPoints: 250, rank: 1) == 1)
        #expect(SkillMath.level(forSkillPoints: 45_254, rank: 1) == 3)
        #expect(SkillMath.level(forSkillPoints: 45_255, rank: 1) == 4)
        #expect(SkillMath.level(forSkillPoints: 10_000_000, rank: 16) == 5)
    }

    @Test func romanNumeralsAsEVEWritesThem() {
        #expect([1, 4, 9, 14, 40, 1994].map(romanNumeral) == ["I", "IV", "IX", "XIV", "XL", "MCMXCIV"])
        #expect(romanNumeral(0) == "0" && romanNumeral(-3) == "-3" && romanNumeral(4000) == "4000")
    }

    @Test func trainingSpeedMatchesCCPsWorkedExample() {
        // Gunnery IV→V with Perception 27, Willpower 21: 37.5 SP/min, ≈ 5,620 minutes.
        let rate = SkillMath.skillPointsPerMinute(primary: 27, secondary: 21)
        #expect(rate == 37.5)
        let minutes = Double(256_000 - 45_255) / rate
        #expect(abs(minutes - 5_619.9) < 1)
    }
}
