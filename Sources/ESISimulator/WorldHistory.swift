import Foundation
import StaticData

/// The past a character has when it is first seen, as a real one has: years of corporation
/// history, ESI's 30 days of wallet journal and transactions (ending at its balance), 90 days of
/// mining, months of mail with labels and mailing lists, contracts of every kind and state,
/// contacts with labels (NPC corporations and factions too) and faction standings. Drawn from its
/// own stream of the seed, so the rest of the generated world is what it was.
public enum WorldHistory {
    /// How much past: `.full` as a real character (a few hundred mails, a contract in every
    /// state), `.brief` (a dozen mails, one contract of each kind), the rest alike.
    public enum Depth: String, Sendable, CaseIterable {
        case full, brief
    }

    /// Published types of the market by category, chosen from once per process.
    private static let goods: [Int: [ItemType]] = Dictionary(
        grouping: StaticData.shipped.marketTypes.filter { [4, 7, 8, 9, 18, 20, 25].contains($0.categoryID) }
    ) { $0.categoryID }

    private static let day: TimeInterval = 86_400

    static func fill(
        _ character: inout CharacterState,
        index: Int,
        origin: Date,
        seed: UInt64,
        depth: Depth,
        peers: [Int],
        corporations: [Int]
    ) {
        var random = SeededRandom(seed, 7, UInt64(index))
        let data = StaticData.shipped
        self.corporationHistory(&character, origin: origin, corporations: corporations, random: &random)
        self.wallet(&character, origin: origin, random: &random)
        self.mining(&character, origin: origin, data: data, random: &random)
        self.mails(&character, origin: origin, peers: peers, data: data, brief: depth == .brief, random: &random)
        self.contracts(&character, origin: origin, peers: peers, brief: depth == .brief, random: &random)
        self.belongings(&character, random: &random)
        // Contacts beyond the other pilots: NPC corporations and factions, some labelled.
        let npc = data.npcCorporations.keys.sorted()
        let factions = data.factions.keys.sorted()
        character.contacts += [
            Contact(
                contactID: random.pick(npc),
                contactType: "corporation",
                standing: 5,
                labelIDs: [2],
                isWatched: false
            ),
            Contact(
                contactID: random.pick(factions),
                contactType: "faction",
                standing: random.pick([-10.0, 10.0]),
                labelIDs: [1],
                isWatched: false
            ),
        ]
        character.standings.append((random.pick(factions), "faction", Double(Int(random.next() % 800)) / 100))
    }

    /// Things of every category beside the hangars' modules and charges: a container with its
    /// contents, drones, ore, a blueprint copy, implants and boosters in a hangar.
    private static func belongings(_ character: inout CharacterState, random: inout SeededRandom) {
        var next = (character.assets.map(\.itemID).max() ?? 1_000_000_000_000 + character.id % 1_000_000 * 1_000) + 1
        let hangar = character.homeLocationID
        func add(_ typeID: Int, in location: Int, flag: String, type: String, quantity: Int, singleton: Bool) -> Int {
            defer { next += 1 }
            character.assets.append(
                Asset(
                    itemID: next,
                    typeID: typeID,
                    locationID: location,
                    locationFlag: flag,
                    locationType: type,
                    quantity: quantity,
                    isSingleton: singleton,
                    isBlueprintCopy: singleton && StaticData.shipped.types[typeID]?.categoryID == 9 ? true : nil
                )
            )
            return next
        }
        // A secure container (type 3467) in the hangar, named, with stacks inside.
        let container = add(3467, in: hangar, flag: "Hangar", type: "station", quantity: 1, singleton: true)
        if let index = character.assets.firstIndex(where: { $0.itemID == container }) {
            character.assets[index].name = "Spare parts"
        }
        for category in [18, 25, 20] {
            guard let types = self.goods[category], !types.isEmpty else { continue }
            _ = add(
                random.pick(types).id,
                in: container,
                flag: "Unlocked",
                type: "item",
                quantity: 1 + Int(random.next() % 500),
                singleton: false
            )
        }
        for category in [18, 25, 20, 9] {
            guard let types = self.goods[category], !types.isEmpty else { continue }
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let blueprint = category == 9
                _ = add(
                    random.pick(types).id,
                    in: hangar,
                    flag: "Hangar",
                    type: "station",
                    quantity: blueprint ? 1 : 1 + Int(random.next() % 5_000),
                    singleton: blueprint
                )
            }
        }
    }

    /// Starter corporation at birth, then a few player corporations, then the current one.
    private static func corporationHistory(
        _ character: inout CharacterState,
        origin: Date,
        corporations: [Int],
        random: inout SeededRandom
    ) {
        guard let starter = character.corporationHistory.first else { return }
        let others = corporations.filter { $0 != character.corporationID }
        let span = origin.addingTimeInterval(-60 * self.day).timeIntervalSince(starter.startDate)
        // Under a day (a character born in the last two months): nothing to spread moves over.
        guard span >= self.day else { return }
        let moves = others.isEmpty ? 0 : Int(random.next() % 4)
        var dates = (0..<(moves + 1)).map { _ in
            starter.startDate.addingTimeInterval(Double(random.next() % UInt64(span)) + self.day)
        }
        dates.sort()
        var history = [starter]
        for (offset, date) in dates.enumerated() {
            let corporation = offset == moves ? character.corporationID : random.pick(others)
            history.append(CorporationRecord(recordID: offset + 2, corporationID: corporation, startDate: date))
        }
        character.corporationHistory = history
    }

    /// ESI's 30 days of journal, a few entries a day, market ones with their transactions; the last
    /// balance is the character's.
    private static func wallet(_ character: inout CharacterState, origin: Date, random: inout SeededRandom) {
        let refTypes = ["bounty_prizes", "agent_mission_reward", "player_donation", "insurance", "contract_price"]
        let goods = (self.goods[4] ?? []) + (self.goods[8] ?? []) + (self.goods[25] ?? [])
        var events = [(date: Date, amount: Double, trade: (typeID: Int, quantity: Int, price: Double)?)]()
        for dayIndex in 0..<30 {
            for _ in 0..<(1 + Int(random.next() % 5)) {
                let date = origin.addingTimeInterval(-Double(30 - dayIndex) * self.day + Double(random.next() % 86_000))
                if random.chance(0.4), !goods.isEmpty {
                    let type = random.pick(goods)
                    let quantity = 1 + Int(random.next() % 2_000)
                    let price = Double(1 + random.next() % 50_000) / 10
                    let sign = random.chance(0.5) ? -1.0 : 1.0
                    events.append((date, sign * price * Double(quantity), (type.id, quantity, price)))
                } else {
                    events.append((date, Double(10_000 + random.next() % 20_000_000), nil))
                }
            }
        }
        events.sort { $0.date < $1.date }
        // Start where the running balance never goes below zero and ends at today's balance.
        var running = 0.0
        var lowest = 0.0
        for event in events {
            running += event.amount
            lowest = min(lowest, running)
        }
        let start = max(character.balance - running, -lowest + 1_000_000)
        character.balance = (start * 100).rounded() / 100
        for event in events {
            if let trade = event.trade {
                let journalID = WorldEvolution.addJournal(
                    &character,
                    at: event.date,
                    refType: "market_transaction",
                    amount: event.amount,
                    party: 1_000_125
                )
                let id = (character.transactions.last?.id ?? 5_000_000_000 + character.id % 100_000 * 100_000) + 1
                character.transactions.append(
                    Transaction(
                        id: id,
                        date: event.date,
                        typeID: trade.typeID,
                        quantity: trade.quantity,
                        unitPrice: trade.price,
                        isBuy: event.amount < 0,
                        clientID: 1_000_125,
                        locationID: character.homeLocationID,
                        journalRefID: journalID
                    )
                )
            } else {
                _ = WorldEvolution.addJournal(
                    &character,
                    at: event.date,
                    refType: random.pick(refTypes),
                    amount: event.amount,
                    party: 1_000_125
                )
            }
        }
    }

    /// Ore mined most days of the last 90, for about half the pilots, in and around the home system.
    private static func mining(
        _ character: inout CharacterState,
        origin: Date,
        data: StaticData,
        random: inout SeededRandom
    ) {
        guard random.chance(0.5), let ores = self.goods[25], !ores.isEmpty else { return }
        let home = data.stations[character.homeLocationID]?.systemID ?? character.solarSystemID
        let systems = [home] + (0..<2).map { _ in random.pick(data.systemIDs) }
        for dayIndex in 0..<90 where random.chance(0.6) {
            let date = origin.addingTimeInterval(-Double(90 - dayIndex) * self.day)
            character.mining.append(
                (date, random.pick(systems), random.pick(ores).id, 500 + Int(random.next() % 40_000))
            )
        }
    }

    /// A few hundred mails over half a year: fleet pings to a mailing list, corporation and
    /// alliance news, letters between pilots; most read, some labelled.
    private static func mails(
        _ character: inout CharacterState,
        origin: Date,
        peers: [Int],
        data: StaticData,
        brief: Bool,
        random: inout SeededRandom
    ) {
        let senders = peers.isEmpty ? [character.id] : peers + [character.id]
        let count = brief ? 12 : 120 + Int(random.next() % 130)
        var times = (0..<count).map { _ in origin.addingTimeInterval(-Double(1 + random.next() % (180 * 86_400))) }
        times.sort()
        var id = 300_000_000 + character.id % 100_000 * 1_000
        let topics = [
            ("Fleet op", "Form up for a roam; bring a cheap frigate and the doctrine fits."),
            ("Corp news", "Tax changes from next week; see the corporation bulletin."),
            ("Alliance update", "New staging system announced; move your ships by Sunday."),
            ("Market", "Selling ore at Jita prices minus five percent; contracts are up."),
            ("Hello", "Thanks for the help yesterday, o7."),
        ]
        for time in times {
            id += 1
            let (topic, text) = random.pick(topics)
            let sender = random.pick(senders)
            let list = random.chance(0.25)
            let label = random.pick([1, 1, 1, 4, 8])
            let system = data.systems[random.pick(data.systemIDs)]?.name ?? "Jita"
            character.mails.append(
                Mail(
                    id: id,
                    from: sender,
                    subject: "\(topic): \(system)",
                    body:
                        "<font size=\"12\">\(text)</font><br><a href=\"showinfo:5//\(character.solarSystemID)\">\(system)</a>",
                    timestamp: time,
                    labels: list ? [] : [label],
                    recipients: list
                        ? [(character.mailingLists[0].id, "mailing_list")] : [(character.id, "character")],
                    isRead: random.chance(0.8)
                )
            )
        }
    }

    /// Contracts of every kind (item exchange, auction, courier, loan) and state, issued by the
    /// character or assigned to it by another pilot, over the last months.
    private static func contracts(
        _ character: inout CharacterState,
        origin: Date,
        peers: [Int],
        brief: Bool,
        random: inout SeededRandom
    ) {
        let kinds = ["item_exchange", "auction", "courier", "loan"]
        let states = [
            "outstanding", "in_progress", "finished_issuer", "finished_contractor", "finished", "cancelled", "rejected",
            "failed", "deleted", "reversed",
        ]
        let goods = (self.goods[7] ?? []) + (self.goods[8] ?? []) + (self.goods[18] ?? []) + (self.goods[9] ?? [])
        guard !goods.isEmpty else { return }
        var id = 180_000_000 + character.id % 100_000 * 100
        for (offset, status) in states.enumerated() where !brief || offset < 4 {
            id += 1
            let kind = kinds[offset % kinds.count]
            let issued = origin.addingTimeInterval(-Double(2 + random.next() % 120) * self.day)
            let open = status == "outstanding" || status == "in_progress"
            let fromPeer = !peers.isEmpty && random.chance(0.3)
            var contract = Contract(
                id: id,
                issuerID: fromPeer ? random.pick(peers) : character.id,
                issuerCorporationID: character.corporationID,
                assigneeID: fromPeer ? character.id : 0,
                acceptorID: open || status == "deleted" ? 0 : (peers.first ?? 0),
                type: kind,
                status: status,
                title: "\(kind.replacingOccurrences(of: "_", with: " ")) #\(id % 1000)",
                dateIssued: issued,
                dateExpired: open
                    ? origin.addingTimeInterval(Double(1 + random.next() % 14) * self.day)
                    : issued.addingTimeInterval(14 * self.day),
                dateCompleted: open || status == "deleted"
                    ? nil : issued.addingTimeInterval(Double(1 + random.next() % 10) * self.day),
                price: Double(100_000 + random.next() % 900_000_000),
                locationID: character.homeLocationID,
                items: (0..<(1 + Int(random.next() % 4))).map { item in
                    (id * 10 + item, random.pick(goods).id, 1 + Int(random.next() % 10))
                },
                bids: []
            )
            if kind == "auction", !peers.isEmpty {
                // Newest bid first, as ESI lists them; each a tenth above the one before.
                for bid in 0..<Int(1 + random.next() % 3) {
                    let amount = contract.price * (1 + Double(bid) / 10)
                    let time = issued.addingTimeInterval(Double(bid + 1) * 3_600)
                    contract.bids.insert((id * 10 + bid, random.pick(peers), amount, time), at: 0)
                }
            }
            character.contracts.append(contract)
        }
    }
}
