import EventLog
import Foundation
import Postgres
import StaticData

/// A year of hourly syncing of many characters, made into an event log without the simulator:
/// syncing a year through it takes about seven hours, so this world is simpler (its own rules,
/// ESI's shapes) but the log is the same kind of thing: every section fetched at the sync's
/// default period, a 304 (an event confirming the previous payload) when nothing changed, and
/// changes at rates like the simulator's — a location change a few times a day, a skill a day,
/// assets moved, bought and sold, journal entries, mails, now and then a new corporation.
struct YearLog {
    let pool: PostgresPool
    let characters: Int
    let days: Int
    let start: Date

    /// (section, route, period in hours); the fetch order within an hour.
    static let sections: [(name: String, route: String, hours: Int)] = [
        ("location", "/characters/{character_id}/location", 1),
        ("online_status", "/characters/{character_id}/online", 1),
        ("ship", "/characters/{character_id}/ship", 1),
        ("skill_queue", "/characters/{character_id}/skillqueue", 1),
        ("character_details", "/characters/{character_id}", 4),
        ("contacts", "/characters/{character_id}/contacts", 4),
        ("contracts", "/characters/{character_id}/contracts", 4),
        ("implants", "/characters/{character_id}/implants", 4),
        ("jump_clones", "/characters/{character_id}/clones", 4),
        ("mails", "/characters/{character_id}/mail", 4),
        ("skills", "/characters/{character_id}/skills", 4),
        ("wallet_balance", "/characters/{character_id}/wallet", 4),
        ("wallet_journal", "/characters/{character_id}/wallet/journal", 4),
        ("wallet_transactions", "/characters/{character_id}/wallet/transactions", 4),
        ("assets", "/characters/{character_id}/assets", 8),
        ("corporation_history", "/characters/{character_id}/corporationhistory", 8),
    ]

    func generate() async throws {
        let ids = (0..<self.characters).map { Int64(2_120_000_000 + $0) }
        let halves = [
            ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element),
            ids.enumerated().filter { $0.offset % 2 == 1 }.map(\.element),
        ]
        let started = Date()
        let (pool, days, start) = (self.pool, self.days, self.start)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (half, characters) in halves.enumerated() {
                group.addTask {
                    var pilots = characters.map { Pilot(id: $0, peers: ids) }
                    let store = EventStore(pool: pool)
                    for hour in 0..<(days * 24) {
                        var events = [NewEvent]()
                        events.reserveCapacity(pilots.count * 8)
                        for index in pilots.indices {
                            let base = start.addingTimeInterval(Double(hour) * 3600 + Double(index % 1800))
                            pilots[index].live(hour: hour, at: base)
                            for (offset, section) in Self.sections.enumerated() where hour % section.hours == 0 {
                                events.append(
                                    pilots[index].fetch(section.name, route: section.route, at: base + Double(offset))
                                )
                            }
                        }
                        try await store.append(events)
                        if half == 0 && hour % 240 == 239 {
                            FileHandle.standardError.write(
                                Data(
                                    String(
                                        format: "log: day %d of %d, %.0f s\n",
                                        hour / 24 + 1,
                                        days,
                                        Date().timeIntervalSince(started)
                                    ).utf8
                                )
                            )
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

extension SplitMix64 {
    mutating func chance(_ p: Double) -> Bool { Double(self.next() % 1_000_000) < p * 1_000_000 }
    mutating func below(_ n: Int) -> Int { Int(self.next() % UInt64(max(n, 1))) }
    mutating func pick<T>(_ list: [T]) -> T { list[self.below(list.count)] }
}

/// One character of the year log: its state, and the payload and hash each section last delivered.
struct Pilot {
    struct Item {
        var id: Int64
        var type: Int
        var location: Int64
        var flag: String
        var quantity: Int
        var singleton: Bool
    }

    static let data = StaticData.shipped
    static let ships = data.types(ofKind: "ship").map(\.id)
    static let modules = data.types(ofKind: "module").map(\.id)
    static let goods = (data.types(ofKind: "mineral") + data.types(ofKind: "charge")).map(\.id)
    static let implants = data.types(ofKind: "attribute_implant").map(\.id)
    static let skills = data.trainableSkills.map(\.id)
    static let places: [(system: Int, station: Int?)] = data.systems.values.sorted { $0.id < $1.id }.prefix(60).map {
        ($0.id, $0.stations.first)
    }
    static let stations = data.stationIDs.prefix(40).map(Int64.init)
    static let corporations: [Int64] = (1...40).map { 98_000_000 + Int64($0) }

    let id: Int64
    var random: SplitMix64
    var peers: [Int64]
    var corporation: Int64
    var history: [(record: Int, corporation: Int64, start: Date)] = []
    var place: (system: Int, station: Int?)
    var online = false
    var logins = 0
    var lastLogin = Date(timeIntervalSince1970: 1_700_000_000)
    var lastLogout = Date(timeIntervalSince1970: 1_700_000_000)
    var items: [Item] = []
    var nextItem: Int64
    var ship: Int64 = 0
    var skills: [Int: (level: Int, sp: Int)] = [:]
    var queue: [(skill: Int, level: Int)] = []
    var queueFinish = Date.distantPast
    var balance: Double
    var journal: [(id: Int64, date: Date, text: String, ref: String, amount: Double, balance: Double, party: Int64)] =
        []
    var transactions:
        [(id: Int64, date: Date, text: String, type: Int, quantity: Int, price: Double, buy: Bool, client: Int64)] = []
    var mails: [(id: Int64, from: Int64, subject: String, text: String)] = []
    var contacts: [(id: Int64, standing: Double)] = []
    var implants: [Int] = []
    var nextID: Int64
    /// Sections whose data changed since their last fetch.
    var dirty: Set<String> = Set(YearLog.sections.map(\.name))
    var delivered: [String: PayloadHash] = [:]

    init(id: Int64, peers: [Int64]) {
        self.id = id
        self.random = SplitMix64(seed: UInt64(id))
        self.peers = Array(peers.filter { $0 != id }.shuffled(using: &self.random).prefix(30))
        self.corporation = Self.corporations[Int(id % 40)]
        self.place = Self.places[Int(id % 60)]
        self.balance = Double(100_000_000 + id % 1_000 * 1_000_000)
        self.nextItem = 1_000_000_000_000 + (id % 1_000_000) * 10_000
        self.nextID = (id % 1_000_000) * 1_000_000
        self.history = [(1, self.corporation, Date(timeIntervalSince1970: 1_600_000_000))]
        // About 120 items in four stations: ships with fitted modules, stacks of goods.
        for _ in 0..<12 {
            let station = self.random.pick(Self.stations)
            let ship = self.add(
                type: self.random.pick(Self.ships),
                at: station,
                flag: "Hangar",
                quantity: 1,
                singleton: true
            )
            for slot in 0..<4 {
                self.add(
                    type: self.random.pick(Self.modules),
                    at: ship,
                    flag: "HiSlot\(slot)",
                    quantity: 1,
                    singleton: true
                )
            }
        }
        for _ in 0..<60 {
            self.add(
                type: self.random.pick(Self.goods),
                at: self.random.pick(Self.stations),
                flag: "Hangar",
                quantity: 1 + self.random.below(50_000),
                singleton: false
            )
        }
        self.ship = self.items[0].id
        for skill in Self.skills.prefix(60) { self.skills[skill] = (3, 45_255) }
        self.contacts = self.peers.prefix(10).map { ($0, 5) }
        self.implants = Array(Self.implants.prefix(3))
    }

    @discardableResult
    mutating func add(type: Int, at location: Int64, flag: String, quantity: Int, singleton: Bool) -> Int64 {
        self.nextItem += 1
        self.items.append(
            Item(
                id: self.nextItem,
                type: type,
                location: location,
                flag: flag,
                quantity: quantity,
                singleton: singleton
            )
        )
        return self.nextItem
    }

    mutating func touch(_ sections: String...) { self.dirty.formUnion(sections) }

    /// One hour of life.
    mutating func live(hour: Int, at time: Date) {
        if self.random.chance(0.15) {
            self.online.toggle()
            if self.online {
                self.lastLogin = time
                self.logins += 1
            } else {
                self.lastLogout = time
            }
            self.touch("online_status")
        }
        if self.online && self.random.chance(0.25) {
            self.place = self.random.pick(Self.places)
            self.touch("location")
        }
        if self.random.chance(0.02),
            let ship = self.items.filter({ $0.flag == "Hangar" && $0.singleton }).randomElement(using: &self.random)
        {
            self.ship = ship.id
            self.touch("ship")
        }
        if self.online && self.random.chance(0.3) {
            self.credit(Double(10_000 + self.random.below(5_000_000)), ref: "bounty_prizes", party: 1_000_125, at: time)
        }
        if self.random.chance(0.06) { self.trade(at: time) }
        if self.random.chance(0.03),
            let index = self.items.indices.filter({ self.items[$0].flag == "Hangar" }).randomElement(
                using: &self.random
            )
        {
            self.items[index].location = self.random.pick(Self.stations)
            self.touch("assets")
        }
        if self.random.chance(0.04) {
            self.nextID += 1
            self.mails.append(
                (self.nextID, self.random.pick(self.peers), "Op \(self.nextID % 1000): form up", isoText(time))
            )
            if self.mails.count > 50 { self.mails.removeFirst() }
            self.touch("mails")
        }
        if self.random.chance(0.003) {
            self.contacts.append((self.random.pick(self.peers), Double(self.random.below(21)) - 10))
            self.touch("contacts")
        }
        if self.random.chance(0.0005) {
            self.implants = Self.implants.filter { _ in self.random.chance(0.3) }
            self.touch("implants")
        }
        if self.random.chance(0.0002) {
            self.corporation = self.random.pick(Self.corporations.filter { $0 != self.corporation })
            self.history.append((self.history.count + 1, self.corporation, time))
            self.touch("character_details", "corporation_history")
        }
        // A skill level a day.
        if time >= self.queueFinish {
            if let done = self.queue.first {
                self.skills[done.skill] = (done.level, (self.skills[done.skill]?.sp ?? 0) + 200_000)
                self.queue.removeFirst()
                self.touch("skills")
            }
            while self.queue.count < 5 {
                let skill = self.random.pick(Self.skills)
                self.queue.append((skill, min(5, (self.skills[skill]?.level ?? 0) + 1)))
            }
            self.queueFinish = time.addingTimeInterval(86_400)
            self.touch("skill_queue")
        }
        // ESI's 30-day windows.
        let cutoff = time.addingTimeInterval(-30 * 86_400)
        if let first = self.journal.first, first.date < cutoff {
            self.journal.removeAll { $0.date < cutoff }
            self.touch("wallet_journal")
        }
        if let first = self.transactions.first, first.date < cutoff {
            self.transactions.removeAll { $0.date < cutoff }
            self.touch("wallet_transactions")
        }
    }

    mutating func credit(_ amount: Double, ref: String, party: Int64, at time: Date) {
        self.balance = ((self.balance + amount) * 100).rounded() / 100
        self.nextID += 1
        self.journal.append((self.nextID, time, isoText(time), ref, amount, self.balance, party))
        self.touch("wallet_balance", "wallet_journal")
    }

    mutating func trade(at time: Date) {
        let buy = self.random.chance(0.5)
        let client = self.random.pick(self.peers)
        let price = Double(1 + self.random.below(2_000)) / 10
        if buy {
            let type = self.random.pick(Self.goods)
            let quantity = 1 + self.random.below(5_000)
            self.add(
                type: type,
                at: self.random.pick(Self.stations),
                flag: "Hangar",
                quantity: quantity,
                singleton: false
            )
            self.credit(-price * Double(quantity), ref: "market_transaction", party: client, at: time)
            self.nextID += 1
            self.transactions.append((self.nextID, time, isoText(time), type, quantity, price, true, client))
        } else if let index = self.items.indices.filter({ !self.items[$0].singleton }).randomElement(
            using: &self.random
        ) {
            let item = self.items.remove(at: index)
            self.credit(price * Double(item.quantity), ref: "market_transaction", party: client, at: time)
            self.nextID += 1
            self.transactions.append((self.nextID, time, isoText(time), item.type, item.quantity, price, false, client))
        }
        self.touch("assets", "wallet_transactions")
    }

    /// The event of fetching `section` now: its new payload, or a 304 confirming the last one.
    mutating func fetch(_ section: String, route: String, at time: Date) -> NewEvent {
        var event = NewEvent(
            stream: .character(self.id),
            section: section,
            route: route,
            parameters: ["character_id": String(self.id)],
            outcome: .notModified,
            httpStatus: 304,
            fetchedAt: time,
            payload: .none
        )
        if !self.dirty.contains(section), let hash = self.delivered[section] {
            event.payload = .existing(hash)
            return event
        }
        let bytes = Array(self.render(section).utf8)
        let hash = PayloadHash(of: bytes)
        self.dirty.remove(section)
        if self.delivered[section] == hash {
            event.payload = .existing(hash)
            return event
        }
        self.delivered[section] = hash
        event.outcome = .fetched
        event.httpStatus = 200
        event.payload = .bytes(bytes)
        return event
    }

    func render(_ section: String) -> String {
        func date(_ value: Date) -> String { "\"" + isoText(value) + "\"" }
        switch section {
        case "location":
            return "{\"solar_system_id\":\(self.place.system)"
                + (self.place.station.map { ",\"station_id\":\($0)" } ?? "") + "}"
        case "online_status":
            return
                "{\"last_login\":\(date(self.lastLogin)),\"last_logout\":\(date(self.lastLogout)),\"logins\":\(self.logins),\"online\":\(self.online)}"
        case "ship":
            let type = self.items.first { $0.id == self.ship }?.type ?? Self.ships[0]
            return "{\"ship_item_id\":\(self.ship),\"ship_name\":\"Ship \(self.ship % 1000)\",\"ship_type_id\":\(type)}"
        case "skill_queue":
            return "["
                + self.queue.enumerated().map { index, entry in
                    "{\"finish_date\":\(date(self.queueFinish.addingTimeInterval(Double(index) * 86_400))),\"finished_level\":\(entry.level),\"queue_position\":\(index),\"skill_id\":\(entry.skill),\"start_date\":\(date(self.queueFinish.addingTimeInterval(Double(index - 1) * 86_400)))}"
                }.joined(separator: ",") + "]"
        case "skills":
            let total = self.skills.values.reduce(0) { $0 + $1.sp }
            return "{\"skills\":["
                + self.skills.keys.sorted().map { id in
                    let skill = self.skills[id]!
                    return
                        "{\"active_skill_level\":\(skill.level),\"skill_id\":\(id),\"skillpoints_in_skill\":\(skill.sp),\"trained_skill_level\":\(skill.level)}"
                }.joined(separator: ",") + "],\"total_sp\":\(total),\"unallocated_sp\":0}"
        case "character_details":
            return
                "{\"alliance_id\":99000001,\"birthday\":\"2015-03-24T11:37:00Z\",\"bloodline_id\":7,\"corporation_id\":\(self.corporation),\"description\":\"\",\"gender\":\"male\",\"name\":\"Pilot \(self.id)\",\"race_id\":2,\"security_status\":1.5}"
        case "contacts":
            return "["
                + self.contacts.map {
                    "{\"contact_id\":\($0.id),\"contact_type\":\"character\",\"standing\":\($0.standing)}"
                }.joined(separator: ",") + "]"
        case "contracts":
            return "[]"
        case "implants":
            return "[" + self.implants.map(String.init).joined(separator: ",") + "]"
        case "jump_clones":
            return
                "{\"home_location\":{\"location_id\":\(Self.stations[0]),\"location_type\":\"station\"},\"jump_clones\":[]}"
        case "mails":
            return "["
                + self.mails.reversed().map {
                    "{\"from\":\($0.from),\"is_read\":false,\"labels\":[1],\"mail_id\":\($0.id),\"recipients\":[{\"recipient_id\":\(self.id),\"recipient_type\":\"character\"}],\"subject\":\"\($0.subject)\",\"timestamp\":\"\($0.text)\"}"
                }.joined(separator: ",") + "]"
        case "wallet_balance":
            return String(self.balance)
        case "wallet_journal":
            return "["
                + self.journal.reversed().map {
                    "{\"amount\":\($0.amount),\"balance\":\($0.balance),\"date\":\"\($0.text)\",\"description\":\"\($0.ref)\",\"first_party_id\":\($0.amount >= 0 ? $0.party : self.id),\"id\":\($0.id),\"ref_type\":\"\($0.ref)\",\"second_party_id\":\($0.amount >= 0 ? self.id : $0.party)}"
                }.joined(separator: ",") + "]"
        case "wallet_transactions":
            return "["
                + self.transactions.reversed().map {
                    "{\"client_id\":\($0.client),\"date\":\"\($0.text)\",\"is_buy\":\($0.buy),\"is_personal\":true,\"journal_ref_id\":0,\"location_id\":\(Self.stations[0]),\"quantity\":\($0.quantity),\"transaction_id\":\($0.id),\"type_id\":\($0.type),\"unit_price\":\($0.price)}"
                }.joined(separator: ",") + "]"
        case "assets":
            return "["
                + self.items.map { item in
                    let type = item.location >= 1_000_000_000_000 ? "item" : "station"
                    return
                        "{\"is_singleton\":\(item.singleton),\"item_id\":\(item.id),\"location_flag\":\"\(item.flag)\",\"location_id\":\(item.location),\"location_type\":\"\(type)\",\"quantity\":\(item.quantity),\"type_id\":\(item.type)}"
                }.joined(separator: ",") + "]"
        case "corporation_history":
            return "["
                + self.history.reversed().map {
                    "{\"corporation_id\":\($0.corporation),\"record_id\":\($0.record),\"start_date\":\(date($0.start))}"
                }.joined(separator: ",") + "]"
        default:
            return "{}"
        }
    }
}

/// `2026-12-01T12:00:00Z` without Foundation's formatters (the generator writes millions).
func isoText(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : String(value) }
    return
        "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
}
