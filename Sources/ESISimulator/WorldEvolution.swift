import Foundation
import StaticData

/// How a character's state changes as simulated time passes: hour by hour, with the events of
/// each hour drawn from a generator seeded by (world seed, character, hour), so the state at any
/// moment depends only on the seed and that moment.
enum WorldEvolution {
    static let hour: TimeInterval = 3_600

    /// Advances `character` to `time` (never backwards).
    static func advance(
        _ character: inout CharacterState,
        to time: Date,
        seed: UInt64,
        peers: [Int],
        corporations: [Int] = []
    ) {
        while character.advancedTo.addingTimeInterval(hour) <= time {
            let tick = character.advancedTo.addingTimeInterval(hour)
            self.completeTraining(&character, upTo: tick)
            var random = SeededRandom(seed, 4, UInt64(character.id), UInt64(tick.timeIntervalSince1970))
            guard !character.isScripted else {
                character.advancedTo = tick
                continue
            }
            self.hourlyEvents(&character, at: tick, random: &random, peers: peers)
            // About once in 150 days a character moves on to another corporation.
            if random.chance(0.000_3),
                let corporation = corporations.filter({ $0 != character.corporationID }).randomElement(using: &random)
            {
                self.changeCorporation(&character, to: corporation, at: tick)
            }
            if character.queue.count < 3 { self.refillQueue(&character, at: tick, random: &random) }
            character.advancedTo = tick
        }
        self.completeTraining(&character, upTo: time)
    }

    // MARK: - Skills

    /// Applies every queued level finished by `time`; ESI shows finished levels as trained.
    static func completeTraining(_ character: inout CharacterState, upTo time: Date) {
        while let first = character.queue.first, first.finish <= time {
            character.queue.removeFirst()
            var skill =
                character.skills[first.skillID] ?? TrainedSkill(skillID: first.skillID, skillPoints: 0, trainedLevel: 0)
            skill.skillPoints = max(skill.skillPoints, first.levelEndSP)
            skill.trainedLevel = max(skill.trainedLevel, first.finishedLevel)
            character.skills[first.skillID] = skill
        }
    }

    /// Appends levels to the queue, trained one after another at the character's SP/minute.
    static func refillQueue(_ character: inout CharacterState, at time: Date, random: inout SeededRandom) {
        let data = StaticData.shipped
        var start = character.queue.last?.finish ?? time
        let pool = data.trainableSkills
        var planned = [Int: Int]()  // skill → highest level already queued
        for entry in character.queue { planned[entry.skillID] = entry.finishedLevel }
        var attempts = 0
        while character.queue.count < 5 && attempts < 50 {
            attempts += 1
            let skill = random.pick(pool)
            let current = planned[skill.id] ?? character.skills[skill.id]?.trainedLevel ?? 0
            guard current < 5, let rank = skill.rank, let primary = skill.primaryAttribute,
                let secondary = skill.secondaryAttribute
            else { continue }
            let level = current + 1
            let startSP =
                character.skills[skill.id].map {
                    max($0.skillPoints, SkillMath.skillPoints(forLevel: current, rank: rank))
                }
                ?? SkillMath.skillPoints(forLevel: current, rank: rank)
            let endSP = SkillMath.skillPoints(forLevel: level, rank: rank)
            let perMinute = SkillMath.skillPointsPerMinute(
                primary: character.attributes[primary.rawValue] ?? 20,
                secondary: character.attributes[secondary.rawValue] ?? 20
            )
            let minutes = Double(endSP - startSP) / perMinute
            let finish = start.addingTimeInterval((minutes * 60).rounded(.up))
            character.queue.append(
                QueueEntry(
                    skillID: skill.id,
                    finishedLevel: level,
                    levelStartSP: SkillMath.skillPoints(forLevel: current, rank: rank),
                    levelEndSP: endSP,
                    trainingStartSP: startSP,
                    start: start,
                    finish: finish
                )
            )
            planned[skill.id] = level
            start = finish
        }
    }

    // MARK: - Everything else

    private static let refTypes = ["bounty_prizes", "agent_mission_reward", "player_donation", "insurance"]

    static func hourlyEvents(_ character: inout CharacterState, at time: Date, random: inout SeededRandom, peers: [Int])
    {
        let data = StaticData.shipped
        if random.chance(0.15) {
            character.isOnline.toggle()
            if character.isOnline {
                character.lastLogin = time
                character.logins += 1
            } else {
                character.lastLogout = time
            }
        }
        if character.isOnline && random.chance(0.1) {
            let system = data.systems[random.pick(data.systemIDs)]!
            character.solarSystemID = system.id
            character.stationID = random.chance(0.6) ? system.stations.first : nil
        }
        if random.chance(0.03),
            let ship = character.assets.first(where: {
                $0.locationFlag == "Hangar" && data.types[$0.typeID]?.kind == "ship"
            })
        {
            character.shipTypeID = ship.typeID
            character.shipItemID = ship.itemID
            character.shipName = ship.name ?? data.types[ship.typeID]!.name
        }
        if character.isOnline && random.chance(0.25) {
            let amount = Double(10_000 + random.next() % 5_000_000)
            self.addJournal(&character, at: time, refType: random.pick(refTypes), amount: amount, party: 1_000_125)
        }
        if random.chance(0.1) { self.trade(&character, at: time, random: &random) }
        if random.chance(0.06) {
            let sender = peers.isEmpty ? character.id : random.pick(peers)
            let id = (character.mails.last?.id ?? 300_000_000 + character.id % 100_000 * 1_000) + 1
            let toList = random.chance(0.3)
            character.mails.append(
                Mail(
                    id: id,
                    from: sender,
                    subject: "Op \(id % 1000): form up in \(data.systems[character.solarSystemID]?.name ?? "Jita")",
                    body:
                        "<font size=\"12\">Fleet at <a href=\"showinfo:5//\(character.solarSystemID)\">here</a>. Bring \(data.types[character.shipTypeID]?.name ?? "a ship").</font>",
                    timestamp: time,
                    labels: toList ? [] : [1],
                    recipients: toList
                        ? [(character.mailingLists[0].id, "mailing_list")] : [(character.id, "character")],
                    isRead: random.chance(0.5)
                )
            )
            if character.mails.count > 600 { character.mails.removeFirst(character.mails.count - 600) }
        }
        self.progressContracts(&character, at: time, random: &random, peers: peers)
        if random.chance(0.01) && !peers.isEmpty {
            let peer = random.pick(peers)
            if !character.contacts.contains(where: { $0.contactID == peer }) {
                character.contacts.append(
                    Contact(contactID: peer, contactType: "character", standing: 5, labelIDs: [], isWatched: false)
                )
            }
        }
        if random.chance(0.01), !character.standings.isEmpty {
            let index = Int(random.next() % UInt64(character.standings.count))
            character.standings[index].standing = min(10, character.standings[index].standing + 0.01)
        }
        if random.chance(0.02), !character.loyalty.isEmpty { character.loyalty[0].points += Int(random.next() % 5_000) }
        if random.chance(0.003) {
            let implants = data.types(ofKind: "attribute_implant")
            character.implants = implants.filter { _ in random.chance(0.2) }.map(\.id)
        }
        if random.chance(0.002) {
            if character.jumpClones.count < 5, let station = character.stationID {
                let id = (character.jumpClones.map(\.id).max() ?? 10_000_000 + character.id % 100_000 * 10) + 1
                character.jumpClones.append(JumpClone(id: id, locationID: station, implants: [], name: nil))
            } else if !character.jumpClones.isEmpty {
                character.jumpClones.removeFirst()
            }
        }
        if random.chance(0.05) {
            let ores = data.types(ofKind: "mineral")
            character.mining.append(
                (time, character.solarSystemID, random.pick(ores).id, 100 + Int(random.next() % 10_000))
            )
            if character.mining.count > 1_000 { character.mining.removeFirst() }
        }
        if random.chance(0.02), let index = character.assets.indices.randomElement(using: &random),
            character.assets[index].locationType == "station"
        {
            character.assets[index].locationID = random.pick(data.stationIDs)
        }
        // Cutoffs like ESI's windows: 30 days of journal.
        character.journal.removeAll { time.timeIntervalSince($0.date) > 30 * 86_400 }
        character.transactions.removeAll { time.timeIntervalSince($0.date) > 30 * 86_400 }
    }

    static func changeCorporation(_ character: inout CharacterState, to corporationID: Int, at time: Date) {
        guard character.corporationID != corporationID else { return }
        character.corporationID = corporationID
        let record = (character.corporationHistory.last?.recordID ?? 0) + 1
        character.corporationHistory.append(
            CorporationRecord(recordID: record, corporationID: corporationID, startDate: time)
        )
    }

    static func addJournal(
        _ character: inout CharacterState,
        at time: Date,
        refType: String,
        amount: Double,
        party: Int
    ) -> Int {
        character.balance = ((character.balance + amount) * 100).rounded() / 100
        let id = (character.journal.last?.id ?? 20_000_000_000 + character.id % 100_000 * 100_000) + 1
        character.journal.append(
            JournalEntry(
                id: id,
                date: time,
                refType: refType,
                amount: amount,
                balance: character.balance,
                description: "\(refType.replacingOccurrences(of: "_", with: " ")) for \(character.name)",
                firstPartyID: amount >= 0 ? party : character.id,
                secondPartyID: amount >= 0 ? character.id : party
            )
        )
        return id
    }

    private static func trade(_ character: inout CharacterState, at time: Date, random: inout SeededRandom) {
        let data = StaticData.shipped
        let goods = data.types(ofKind: "mineral") + data.types(ofKind: "charge")
        let type = random.pick(goods)
        let quantity = 1 + Int(random.next() % 5_000)
        let price = Double(1 + random.next() % 2_000) / 10
        let isBuy = random.chance(0.5) || character.balance < price * Double(quantity)
        let stationID = character.stationID ?? character.homeLocationID
        let amount = (isBuy ? -1 : 1) * price * Double(quantity)
        if isBuy && character.balance + amount < 0 { return }
        let journalID = self.addJournal(
            &character,
            at: time,
            refType: "market_transaction",
            amount: amount,
            party: 1_000_125
        )
        let id = (character.transactions.last?.id ?? 5_000_000_000 + character.id % 100_000 * 100_000) + 1
        character.transactions.append(
            Transaction(
                id: id,
                date: time,
                typeID: type.id,
                quantity: quantity,
                unitPrice: price,
                isBuy: isBuy,
                clientID: 1_000_125,
                locationID: stationID,
                journalRefID: journalID
            )
        )
        if isBuy {
            let itemID = (character.assets.map(\.itemID).max() ?? 1_000_000_000_000) + 1
            character.assets.append(
                Asset(
                    itemID: itemID,
                    typeID: type.id,
                    locationID: stationID,
                    locationFlag: "Hangar",
                    locationType: "station",
                    quantity: quantity,
                    isSingleton: false
                )
            )
        } else if let index = character.assets.firstIndex(where: { $0.typeID == type.id && !$0.isSingleton }) {
            character.assets[index].quantity -= min(quantity, character.assets[index].quantity - 1)
        }
    }

    private static func progressContracts(
        _ character: inout CharacterState,
        at time: Date,
        random: inout SeededRandom,
        peers: [Int]
    ) {
        let data = StaticData.shipped
        for index in character.contracts.indices where character.contracts[index].status == "outstanding" {
            if character.contracts[index].dateExpired <= time {
                // ESI has no "expired" status: an expired contract stays outstanding, past its date.
                continue
            } else if character.contracts[index].type == "auction" && random.chance(0.2) && !peers.isEmpty {
                let top = character.contracts[index].bids.first?.amount ?? character.contracts[index].price
                let bidID = (character.contracts[index].bids.first?.id ?? character.contracts[index].id * 10) + 1
                character.contracts[index].bids.insert((bidID, random.pick(peers), top * 1.1, time), at: 0)
            } else if character.contracts[index].type != "auction" && random.chance(0.05) {
                character.contracts[index].status = "finished"
                character.contracts[index].dateCompleted = time
                character.contracts[index].acceptorID = peers.isEmpty ? 0 : random.pick(peers)
            }
        }
        guard random.chance(0.02) else { return }
        let type = random.chance(0.15) ? "auction" : random.chance(0.2) ? "courier" : "item_exchange"
        let id = (character.contracts.last?.id ?? 180_000_000 + character.id % 100_000 * 100) + 1
        let goods = data.types(ofKind: "module")
        character.contracts.append(
            Contract(
                id: id,
                issuerID: character.id,
                issuerCorporationID: character.corporationID,
                assigneeID: 0,
                acceptorID: 0,
                type: type,
                status: "outstanding",
                title: "\(type.replacingOccurrences(of: "_", with: " ")) #\(id % 1000)",
                dateIssued: time,
                dateExpired: time.addingTimeInterval(Double(1 + random.next() % 14) * 86_400),
                dateCompleted: nil,
                price: Double(100_000 + random.next() % 500_000_000),
                locationID: character.stationID ?? character.homeLocationID,
                items: (0..<(1 + Int(random.next() % 4))).map { item in
                    (id * 10 + item, random.pick(goods).id, 1 + Int(random.next() % 10))
                },
                bids: []
            )
        )
    }
}
