import Foundation
import StaticData

/// Builds the initial world from a seed: alliances, corporations and characters with real static
/// data (skills, ships, modules, implants, stations). The same seed gives the same world.
struct WorldGenerator {
    let seed: UInt64
    let origin: Date
    var history = WorldHistory.Depth.full
    let data = StaticData.shipped

    private static let firstNames = [
        "Aura", "Bren", "Cala", "Dax", "Eira", "Fen", "Gala", "Hakon", "Ines", "Jorak", "Kaia", "Lior", "Mira",
        "Noor", "Oren", "Pia", "Quint", "Rhea", "Sable", "Tarn", "Uma", "Vex", "Wren", "Xan", "Yara", "Zed",
    ]
    private static let lastNames = [
        "Kessler", "Vorn", "Ashgrove", "Tal", "Oksana", "Marr", "Lindqvist", "Okoro", "Haldane", "Ruiz", "Castellan",
        "Dune", "Ekholm", "Farrow", "Grimaud", "Iversen", "Jaxx", "Korhonen", "Lemaire", "Nakamura",
    ]
    private static let corpWords = [
        "Deep Core", "Blackwater", "Iron Tide", "Red Horizon", "Silent Anvil", "Outer Ring", "Azure Vanguard",
        "Hollow Star", "Crimson Lantern", "Northern Reach", "Glass Harbor", "Ember Fleet",
    ]

    func characterID(index: Int) -> Int {
        // Both of ESI's character id ranges: old (90,000,000–97,999,999) and new (2,112,000,000+).
        index % 2 == 0 ? 90_000_000 + 10_007 * (index / 2 + 1) % 7_999_999 : 2_112_000_000 + 131 * index + 7
    }

    func organisations(characterCount: Int) -> (alliances: [Organisation], corporations: [Organisation]) {
        var random = SeededRandom(self.seed, 1)
        let allianceCount = max(1, characterCount / 40)
        let corporationCount = max(2, characterCount / 8)
        let alliances = (0..<allianceCount).map { index in
            Organisation(
                id: 99_000_001 + index * 17,
                name: "\(Self.corpWords[index % Self.corpWords.count]) Alliance \(index + 1)",
                ticker: "A\(index + 1)",
                ceoID: 0,
                founded: self.origin.addingTimeInterval(-Double(random.next() % 2_000) * 86_400)
            )
        }
        let corporations = (0..<corporationCount).map { index in
            Organisation(
                id: 98_000_001 + index * 13,
                name: "\(Self.corpWords[(index * 5) % Self.corpWords.count]) Industries \(index + 1)",
                ticker: "C\(index + 1)",
                // Most corporations are in an alliance; every fourth is independent.
                allianceID: index % 4 == 3 ? nil : alliances[index % alliances.count].id,
                ceoID: 0,
                founded: self.origin.addingTimeInterval(-Double(random.next() % 3_000) * 86_400)
            )
        }
        return (alliances, corporations)
    }

    func character(index: Int, corporation: Organisation, peers: [Int], corporations: [Int] = []) -> CharacterState {
        var random = SeededRandom(self.seed, 2, UInt64(index))
        let id = self.characterID(index: index)
        let stations = self.data.stationIDs
        let home = self.data.stations[random.pick(stations)]!
        let ships = self.data.types(ofKind: "ship")
        let ship = random.pick(ships)
        let birthday = self.origin.addingTimeInterval(-Double(200 + random.next() % 5_000) * 86_400)

        var skills = [Int: TrainedSkill]()
        let pool = self.data.trainableSkills
        for _ in 0..<(30 + Int(random.next() % 120)) {
            let skill = random.pick(pool)
            let level = 1 + Int(random.next() % 5)
            let sp = SkillMath.skillPoints(forLevel: level, rank: skill.rank!)
            skills[skill.id] = TrainedSkill(skillID: skill.id, skillPoints: sp, trainedLevel: level)
        }
        var attributes = [String: Int]()
        for attribute in CharacterAttribute.allCases { attributes[attribute.rawValue] = 17 + Int(random.next() % 11) }
        let implants = self.data.types(ofKind: "attribute_implant").filter { _ in random.chance(0.15) }.map(\.id)

        let npcCorporations = self.data.npcCorporations.keys.sorted()
        let starter = [1_000_044, 1_000_115, 1_000_165, 1_000_166, 1_000_167, 1_000_168, 1_000_169]
        let history = [
            CorporationRecord(recordID: 1, corporationID: random.pick(starter), startDate: birthday),
            CorporationRecord(
                recordID: 2,
                corporationID: corporation.id,
                startDate: birthday.addingTimeInterval(Double(30 + random.next() % 150) * 86_400)
            ),
        ]

        // A bloodline of the static data and its race (the draws stay as they were, so the rest
        // of a seed's world does not change).
        _ = random.pick([1, 2, 4, 8])
        let bloodline = self.data.bloodlines[1 + Int(random.next() % 14)]
        var state = CharacterState(
            id: id,
            name: "\(random.pick(Self.firstNames)) \(random.pick(Self.lastNames)) \(index)",
            ownerHash: ownerHash(seed: self.seed, character: id, generation: 0),
            corporationID: corporation.id,
            birthday: birthday,
            raceID: bloodline?.raceID ?? 1,
            bloodlineID: bloodline?.id ?? 1,
            gender: random.chance(0.5) ? "female" : "male",
            securityStatus: (Double(Int(random.next() % 1_000)) - 300) / 100,
            description: "<font size=\"12\" color=\"#bfffffff\">Pilot \(index) of <b>\(corporation.name)</b>.</font>",
            title: random.chance(0.3) ? "Director of Logistics" : nil,
            isAlpha: random.chance(0.1),
            attributes: attributes,
            bonusRemaps: Int(random.next() % 3),
            skills: skills,
            unallocatedSP: random.chance(0.2) ? Int(random.next() % 500_000) : 0,
            queue: [],
            implants: implants,
            jumpClones: [],
            homeLocationID: home.id,
            lastCloneJump: random.chance(0.5)
                ? self.origin.addingTimeInterval(-Double(random.next() % 90) * 86_400) : nil,
            solarSystemID: home.systemID,
            stationID: home.id,
            shipTypeID: ship.id,
            shipItemID: 1_000_000_000_000 + id % 1_000_000 * 1_000,
            shipName: "\(ship.name) of \(index)",
            isOnline: false,
            lastLogin: self.origin.addingTimeInterval(-3_600 * Double(1 + random.next() % 48)),
            lastLogout: self.origin.addingTimeInterval(-1_800),
            logins: 100 + Int(random.next() % 5_000),
            balance: Double(1_000_000 + random.next() % 5_000_000_000) / 100 * 100,
            journal: [],
            transactions: [],
            assets: [],
            mails: [],
            mailLabels: [
                (1, "Inbox", "#ffffff"), (2, "Sent", "#ffffff"), (4, "[Corp]", "#ffffff"), (8, "[Alliance]", "#ffffff"),
            ],
            mailingLists: [(145_000_000 + index % 3, "Fleet Ops \(index % 3)")],
            contacts: [],
            contactLabels: [(1, "Friends"), (2, "Watch list")],
            contracts: [],
            standings: (0..<4).map { _ in
                (random.pick(npcCorporations), "npc_corp", Double(Int(random.next() % 1_000)) / 100)
            },
            loyalty: (0..<Int(random.next() % 3)).map { _ in
                (random.pick(npcCorporations), Int(random.next() % 200_000))
            },
            corporationHistory: history,
            titles: random.chance(0.4) ? [(1, "Member"), (2, "Fleet Commander")] : [(1, "Member")],
            roles: random.chance(0.2) ? ["Director"] : [],
            fwKills: 0,
            mining: [],
            planets: [],
            advancedTo: self.origin
        )
        state.jumpClones = (0..<Int(random.next() % 3)).map { clone in
            JumpClone(
                id: 10_000_000 + index * 10 + clone,
                locationID: self.data.stations[random.pick(stations)]!.id,
                implants: self.data.types(ofKind: "attribute_implant").filter { _ in random.chance(0.1) }.map(\.id),
                name: clone == 0 ? "Combat clone" : nil
            )
        }
        if index % 4 == 0 {
            // Every fourth character keeps a clone in an Upwell structure (read with the structure scope).
            state.jumpClones.append(
                JumpClone(
                    id: 10_000_000 + index * 10 + 9,
                    locationID: StructureDirectory.id(ofStructure: index / 4 % StructureDirectory.count),
                    implants: [],
                    name: nil
                )
            )
        }
        state.contacts = peers.prefix(6).map { peer in
            Contact(
                contactID: peer,
                contactType: "character",
                standing: random.pick([-10.0, -5.0, 0.0, 5.0, 10.0]),
                labelIDs: random.chance(0.3) ? [1] : [],
                isWatched: random.chance(0.2)
            )
        }
        state.assets = self.initialAssets(for: state, random: &random)
        state.planets =
            random.chance(0.3)
            ? [
                (
                    40_000_000 + index, home.systemID, "temperate", 1 + Int(random.next() % 5),
                    5 + Int(random.next() % 20), self.origin
                )
            ]
            : []
        WorldEvolution.refillQueue(&state, at: self.origin, random: &random)
        WorldHistory.fill(
            &state,
            index: index,
            origin: self.origin,
            seed: self.seed,
            depth: self.history,
            peers: peers,
            corporations: corporations
        )
        return state
    }

    private func initialAssets(for character: CharacterState, random: inout SeededRandom) -> [Asset] {
        var assets = [Asset]()
        var nextItemID = 1_000_000_000_000 + character.id % 1_000_000 * 1_000 + 1
        let modules = self.data.types(ofKind: "module")
        let charges = self.data.types(ofKind: "charge")
        let minerals = self.data.types(ofKind: "mineral")
        let ships = self.data.types(ofKind: "ship")
        // The active ship, fitted.
        assets.append(
            Asset(
                itemID: character.shipItemID,
                typeID: character.shipTypeID,
                locationID: character.homeLocationID,
                locationFlag: "Hangar",
                locationType: "station",
                quantity: 1,
                isSingleton: true,
                name: character.shipName
            )
        )
        for slot in ["HiSlot0", "HiSlot1", "MedSlot0", "LoSlot0"] {
            assets.append(
                Asset(
                    itemID: nextItemID,
                    typeID: random.pick(modules).id,
                    locationID: character.shipItemID,
                    locationFlag: slot,
                    locationType: "item",
                    quantity: 1,
                    isSingleton: true
                )
            )
            nextItemID += 1
        }
        // Some ammunition in the ship's cargo hold.
        for _ in 0..<Int(random.next() % 4) {
            assets.append(
                Asset(
                    itemID: nextItemID,
                    typeID: random.pick(charges).id,
                    locationID: character.shipItemID,
                    locationFlag: "Cargo",
                    locationType: "item",
                    quantity: 100 + Int(random.next() % 5_000),
                    isSingleton: false
                )
            )
            nextItemID += 1
        }
        // Hangars full of things: a few hundred to a few thousand stacks, so assets need pages.
        let stacks = 50 + Int(random.next() % 1_500)
        let stations = self.data.stationIDs
        let hangars = [character.homeLocationID] + (0..<3).map { _ in random.pick(stations) }
        for _ in 0..<stacks {
            let roll = random.next() % 10
            let type =
                roll < 4
                ? random.pick(modules)
                : roll < 7 ? random.pick(charges) : roll < 9 ? random.pick(minerals) : random.pick(ships)
            let isShip = type.kind == "ship"
            assets.append(
                Asset(
                    itemID: nextItemID,
                    typeID: type.id,
                    locationID: random.pick(hangars),
                    locationFlag: "Hangar",
                    locationType: "station",
                    quantity: isShip ? 1 : 1 + Int(random.next() % 20_000),
                    isSingleton: isShip,
                    name: isShip && random.chance(0.3) ? "Spare \(type.name)" : nil
                )
            )
            nextItemID += 1
        }
        return assets
    }
}

/// The CharacterOwnerHash: changes when a character moves to another account.
func ownerHash(seed: UInt64, character: Int, generation: Int) -> String {
    var random = SeededRandom(seed, 3, UInt64(character), UInt64(generation))
    let bytes = (0..<20).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    return Data(bytes).base64EncodedString()
}
