import SkillSets
import StaticData
import Testing
import Vocabulary

@Suite struct FittingParserTests {
    static let fitting = """

        [Rifter, Tackle Rifter]
        Damage Control I
        Gyrostabilizer I
        [Empty Low slot]

        1MN Afterburner I
        Warp Disruptor I /OFFLINE
        [Empty Med slot]

        200mm AutoCannon I, EMP S
        200mm AutoCannon I, EMP S
        [Empty High slot]

        Small Projectile Burst Aerocompressor I

        Hobgoblin I x3


        EMP S x1000
        Mysterious Trinket x2
        """

    @Test func parsesSlotsOfflineChargesQuantitiesAndEmptySlots() throws {
        let fitting = try Fitting.parse(Self.fitting)
        #expect(fitting.shipName == "Rifter")
        #expect(fitting.fittingName == "Tackle Rifter")
        let names = fitting.items.map(\.name)
        #expect(!names.contains { $0.lowercased().contains("empty") })
        #expect(names.filter { $0 == "200mm AutoCannon I" }.count == 2)
        #expect(names.filter { $0 == "EMP S" }.count == 3)  // two loaded, one stack in cargo
        let disruptor = try #require(fitting.items.first { $0.name == "Warp Disruptor I" })
        #expect(disruptor.isOffline)
        #expect(fitting.items.first { $0.name == "Hobgoblin I" }?.quantity == 3)
        #expect(fitting.items.first { $0.name == "EMP S" && $0.quantity == 1000 } != nil)
        #expect(fitting.items.first { $0.name == "Mysterious Trinket" }?.line == 21)
    }

    @Test func skillsIncludeTheWholePrerequisiteChainAndUnknownItemsAreReported() throws {
        let imported = try Fitting.parse(Self.fitting).skillSet(catalog: .shipped)
        let levels = Dictionary(uniqueKeysWithValues: imported.skillSet.skills.map { ($0.skillID, $0.required) })
        #expect(imported.skillSet.shipTypeID == 587)
        #expect(imported.skillSet.name == "Tackle Rifter")
        #expect(levels[3329] == 1)  // Minmatar Frigate (the ship)
        #expect(levels[3327] == 1)  // Spaceship Command: Minmatar Frigate's prerequisite, not in the fit
        #expect(levels[3318] == 1)  // Weapon Upgrades (Gyrostabilizer)
        #expect(levels[3300] == 2)  // Gunnery: 1 for the autocannon, 2 for Weapon Upgrades
        #expect(levels[3436] == 1)  // Drones (Hobgoblin)
        #expect(imported.skillSet.skills.allSatisfy { $0.recommended == nil })
        #expect(
            imported.issues.map(\.text).sorted() == ["Mysterious Trinket", "Small Projectile Burst Aerocompressor I"]
        )
        #expect(imported.issues.first { $0.text == "Mysterious Trinket" }?.line == 21)
    }

    /// A fitting as a browser posts it from a form field (CRLF line ends), saved by a Windows
    /// editor (byte-order mark): the same items, on the same line numbers, as with LF.
    @Test func aRealFittingWithCRLFLineEndsAndAByteOrderMark() throws {
        let lines = [
            "[Caracal, Fleet Caracal]", "Damage Control II", "[Empty Low slot]", "",
            "10MN Afterburner II", "Medium Shield Extender II", "Multispectrum Shield Hardener II",
            "Stasis Webifier II /OFFLINE", "", "Rapid Light Missile Launcher II, Scourge Light Missile",
            "Rapid Light Missile Launcher II, Scourge Light Missile", "", "Medium Core Defense Field Purger I",
            "[Empty Rig slot]", "", "Warrior II x2", "", "Nanite Repair Paste x50", "Scourge Light Missile x2000",
        ]
        let crlf = try Fitting.parse("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n")
        #expect(crlf == (try Fitting.parse(lines.joined(separator: "\n"))))
        #expect(crlf.shipName == "Caracal")
        #expect(crlf.items.count == 13)
        #expect(crlf.items.first { $0.name == "Stasis Webifier II" }?.isOffline == true)
        #expect(crlf.items.first { $0.name == "Warrior II" }?.quantity == 2)
        let imported = try crlf.skillSet(catalog: .shipped)
        let levels = Dictionary(uniqueKeysWithValues: imported.skillSet.skills.map { ($0.skillID, $0.required) })
        #expect(imported.skillSet.shipTypeID == 621)
        #expect(levels[3334] == 1)  // Caldari Cruiser
        #expect(levels[3319] == 3)  // Missile Launcher Operation: 3 for the launcher, 1 for the missile
        #expect(levels[20210] == 1)  // Light Missile Specialization (the T2 launcher)
        #expect(levels[3321] == 5)  // Light Missiles: 1 for the missile, 5 for the specialization
        #expect(levels[3394] == 4)  // Hull Upgrades (Damage Control II)
        #expect(levels[3436] == 5)  // Drones (Warrior II)
        // The rig was outside the curated subset the project started with; the whole SDE knows it.
        #expect(imported.issues.isEmpty)
    }

    @Test func refusesAFittingWithoutHeaderOrWithAnUnknownShip() {
        #expect { try Fitting.parse("Damage Control I\n") } throws: { ($0 as? SkillSetError)?.code == .notAFitting }
        #expect { try Fitting.parse("\n\n") } throws: { ($0 as? SkillSetError)?.code == .notAFitting }
        #expect {
            try Fitting.parse("[Flying Teapot, x]\nDamage Control I").skillSet(catalog: .shipped)
        } throws: { ($0 as? SkillSetError)?.code == .unknownShip }
    }
}

@Suite struct SkillPlanParserTests {
    @Test func readsArabicAndRomanLevelsAndReportsBadLines() throws {
        let plan = """
            Gunnery 3
            Small Projectile Turret IV

            gunnery v
            Spaceship Command 0
            Underwater Basket Weaving 2
            Mechanics
            Drones II
            """
        let imported = try SkillPlanParser.parse(plan, name: "Plan", catalog: .shipped)
        let levels = Dictionary(uniqueKeysWithValues: imported.skillSet.skills.map { ($0.skillID, $0.required!) })
        #expect(levels == [3300: 5, 3301 + 1: 4, 3436: 2])  // Small Projectile Turret is 3302
        #expect(imported.issues.map(\.line) == [5, 6, 7])
        #expect(imported.issues[0].problem.contains("bad level"))
        #expect(imported.issues[1].problem.contains("unknown skill"))
        #expect(imported.issues[2].problem.contains("no level"))
    }

    @Test func aPlanWithCRLFLineEndsAndAByteOrderMark() throws {
        let imported = try SkillPlanParser.parse(
            "\u{FEFF}Gunnery 3\r\nDrones II\r\n\r\nMechanics\r\n",
            name: "Plan",
            catalog: .shipped
        )
        #expect(imported.skillSet.skills.map(\.skillID) == [3300, 3436])
        #expect(imported.skillSet.skills.map(\.required) == [3, 2])
        #expect(imported.issues.map(\.line) == [4])
    }

    @Test func aPlanWithNoKnownSkillIsAnError() {
        #expect(throws: SkillSetError.self) {
            try SkillPlanParser.parse("Nothing 3\n\nAt all", name: "x", catalog: .shipped)
        }
    }

    @Test func levels() {
        #expect(SkillLevel.parse("IV") == 4)
        #expect(SkillLevel.parse("iii") == 3)
        #expect(SkillLevel.parse("5") == 5)
        #expect(SkillLevel.parse("0") == nil)
        #expect(SkillLevel.parse("VI") == nil)
        #expect(SkillLevel.roman(2) == "II")
    }
}

@Suite struct PrerequisiteTests {
    @Test func expandsRecursivelyAtTheHighestLevel() {
        let catalog = SkillCatalog.shipped
        // Weapon Upgrades 4 needs Gunnery 2; asking for Gunnery 1 as well keeps 2.
        let levels = catalog.expand([
            SkillRequirement(skillID: 3318, level: 4), SkillRequirement(skillID: 3300, level: 1),
        ])
        #expect(levels == [3318: 4, 3300: 2])
        // A deeper chain: every skill's own prerequisites are there, at least at their levels.
        for (skill, _) in catalog.expand([SkillRequirement(skillID: 3428, level: 5)]) {
            for requirement in catalog.skill(skill)?.requiredSkills ?? [] {
                #expect(
                    (catalog.expand([SkillRequirement(skillID: 3428, level: 5)])[requirement.skillID] ?? 0)
                        >= requirement.level
                )
            }
        }
    }
}

/// The web editor's lines: "Skill Name required recommended", `-` for none.
@Suite struct SkillSetLinesTests {
    @Test func linesRoundTripAndKeepTheHigherLevelOfARepeatedSkill() throws {
        let catalog = SkillCatalog.shipped
        let text = """
            Navigation 3 5
            Spaceship Command II
            Drones - IV
            Gunnery 4 -
            navigation 4
            Nonsense Skill 3
            Gunnery
            Drones - -
            """
        let (skills, issues) = SkillSetLines.parse(text, catalog: catalog)
        let navigation = try #require(catalog.skill(named: "Navigation")).id
        let command = try #require(catalog.skill(named: "Spaceship Command")).id
        let drones = try #require(catalog.skill(named: "Drones")).id
        let gunnery = try #require(catalog.skill(named: "Gunnery")).id
        #expect(
            skills == [
                SkillLevels(skillID: navigation, required: 4, recommended: 5),
                SkillLevels(skillID: command, required: 2),
                SkillLevels(skillID: drones, recommended: 4),
                SkillLevels(skillID: gunnery, required: 4),
            ]
        )
        #expect(issues.map(\.line) == [6, 7, 8], "\(issues)")
        #expect(issues[0].problem.contains("unknown skill"))
        let rendered = SkillSetLines.render(skills, catalog: catalog)
        #expect(rendered == "Navigation 4 5\nSpaceship Command 2\nDrones - 4\nGunnery 4")
        #expect(SkillSetLines.parse(rendered, catalog: catalog).skills == skills)
    }
}
