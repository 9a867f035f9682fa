import StaticData
import Testing

@testable import SkillSets

/// Real fittings as EVE copies them, of ship classes the original subset of the static data could
/// not import: every item is known to the whole SDE, so none is reported unknown.
@Suite struct RealFittingTests {
    static let fittings: [(name: String, text: String)] = [
        (
            "T3 cruiser with subsystems",
            """
            [Loki, Covert Loki]
            Damage Control II
            Ballistic Control System II
            Ballistic Control System II

            50MN Y-T8 Compact Microwarpdrive
            Large Shield Extender II
            Large Shield Extender II

            Heavy Assault Missile Launcher II, Scourge Rage Heavy Assault Missile
            Heavy Assault Missile Launcher II, Scourge Rage Heavy Assault Missile
            Covert Ops Cloaking Device II

            Loki Core - Immobility Drivers
            Loki Defensive - Covert Reconfiguration
            Loki Offensive - Launcher Efficiency Configuration
            Loki Propulsion - Wake Limiter

            Scourge Rage Heavy Assault Missile x2000
            Nanite Repair Paste x100
            """
        ),
        (
            "capital with fighters",
            """
            [Thanatos, Home defence]
            Capital Armor Repairer II
            Damage Control II
            Fighter Support Unit II

            Capital Emergency Hull Energizer II
            Large Micro Jump Drive

            Heavy Energy Neutralizer II
            [Empty High slot]

            Capital Trimark Armor Pump II

            Firbolg I x9
            Templar I x6
            Einherji I x6

            Navy Cap Booster 800 x50
            """
        ),
        (
            "drones, boosters and implants",
            """
            [Ishtar, Sentry Ishtar]
            Drone Damage Amplifier II
            Drone Damage Amplifier II
            Damage Control II

            Large Shield Extender II
            Medium Capacitor Booster II, Navy Cap Booster 800

            Heavy Energy Neutralizer II /OFFLINE

            Hammerhead II x5
            Ogre II x5
            Berserker II x5
            Hornet EC-300 x5

            Synth Blue Pill Booster x2
            High-grade Snake Alpha x1
            """
        ),
    ]

    @Test(arguments: Self.fittings.map(\.name))
    func aRealFittingImportsWithNoUnknownItem(_ name: String) throws {
        let text = try #require(Self.fittings.first { $0.name == name }).text
        let fitting = try Fitting.parse(text)
        let imported = try fitting.skillSet(catalog: .shipped)
        #expect(imported.issues.isEmpty, "\(imported.issues.map(\.description))")
        #expect(imported.skillSet.shipTypeID != nil)
        // The hull's own skills are in: every strategic cruiser, carrier and cruiser needs some.
        #expect(imported.skillSet.skills.count > 10)
    }

    @Test func aNameMeansThePublishedTypeWhereAnUnpublishedOneSharesIt() {
        let catalog = SkillCatalog.shipped
        #expect(catalog.typeID(named: "Angel Control Tower") == 27_539)  // 3591 is unpublished
        #expect(catalog.typeID(named: "Ryoke Laika") == 21_066)
        #expect(catalog.typeID(named: "Rifter") == 587)
    }

    @Test func subsystemsAndFightersBringTheirOwnSkills() throws {
        let catalog = SkillCatalog.shipped
        let loki = try Fitting.parse(Self.fittings[0].text).skillSet(catalog: catalog).skillSet
        let skills = Set(loki.skills.map { catalog.name(of: $0.skillID) })
        // Each subsystem needs its own Minmatar subsystem skill.
        for subsystem in [
            "Minmatar Core Systems", "Minmatar Defensive Systems", "Minmatar Offensive Systems",
            "Minmatar Propulsion Systems",
        ] {
            #expect(skills.contains(subsystem), "\(subsystem)")
        }
        let thanatos = try Fitting.parse(Self.fittings[1].text).skillSet(catalog: catalog).skillSet
        let carrierSkills = Set(thanatos.skills.map { catalog.name(of: $0.skillID) })
        #expect(carrierSkills.contains("Gallente Carrier"))
        #expect(carrierSkills.contains("Fighters"))
    }
}
