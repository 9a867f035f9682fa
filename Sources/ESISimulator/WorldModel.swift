import Foundation

/// A player corporation or alliance of the simulated world.
struct Organisation: Sendable {
    var id: Int
    var name: String
    var ticker: String
    var allianceID: Int?
    var ceoID: Int
    var founded: Date
    var memberIDs: [Int] = []
}

struct TrainedSkill: Sendable {
    var skillID: Int
    var skillPoints: Int
    var trainedLevel: Int
}

struct QueueEntry: Sendable {
    var skillID: Int
    var finishedLevel: Int
    var levelStartSP: Int
    var levelEndSP: Int
    var trainingStartSP: Int
    var start: Date
    var finish: Date
}

struct Asset: Sendable {
    var itemID: Int
    var typeID: Int
    var locationID: Int
    var locationFlag: String
    var locationType: String
    var quantity: Int
    var isSingleton: Bool
    var isBlueprintCopy: Bool?
    var name: String?
}

struct JournalEntry: Sendable {
    var id: Int
    var date: Date
    var refType: String
    var amount: Double
    var balance: Double
    var description: String
    var firstPartyID: Int
    var secondPartyID: Int
}

struct Transaction: Sendable {
    var id: Int
    var date: Date
    var typeID: Int
    var quantity: Int
    var unitPrice: Double
    var isBuy: Bool
    var clientID: Int
    var locationID: Int
    var journalRefID: Int
}

struct Mail: Sendable {
    var id: Int
    var from: Int
    var subject: String
    var body: String
    var timestamp: Date
    var labels: [Int]
    var recipients: [(id: Int, type: String)]
    var isRead: Bool
}

struct Contact: Sendable {
    var contactID: Int
    var contactType: String
    var standing: Double
    var labelIDs: [Int]
    var isWatched: Bool
}

struct Contract: Sendable {
    var id: Int
    var issuerID: Int
    var issuerCorporationID: Int
    var assigneeID: Int
    var acceptorID: Int
    var type: String
    var status: String
    var title: String
    var dateIssued: Date
    var dateExpired: Date
    var dateCompleted: Date?
    var price: Double
    var locationID: Int
    var items: [(recordID: Int, typeID: Int, quantity: Int)]
    var bids: [(id: Int, bidderID: Int, amount: Double, date: Date)]
}

struct JumpClone: Sendable {
    var id: Int
    var locationID: Int
    var implants: [Int]
    var name: String?
}

struct CorporationRecord: Sendable {
    var recordID: Int
    var corporationID: Int
    var startDate: Date
}

/// Everything the simulator knows about one character, advanced hour by hour.
struct CharacterState: Sendable {
    var id: Int
    var name: String
    var ownerHash: String
    var corporationID: Int
    var birthday: Date
    var raceID: Int
    var bloodlineID: Int
    var gender: String
    var securityStatus: Double
    var description: String
    var title: String?
    /// Alpha clones train and use skills only up to a cap (active level ≤ 4 here).
    var isAlpha: Bool

    var attributes: [String: Int]
    var bonusRemaps: Int
    var skills: [Int: TrainedSkill]
    var unallocatedSP: Int
    var queue: [QueueEntry]
    var implants: [Int]
    var jumpClones: [JumpClone]
    var homeLocationID: Int
    var lastCloneJump: Date?

    var solarSystemID: Int
    var stationID: Int?
    var shipTypeID: Int
    var shipItemID: Int
    var shipName: String
    var isOnline: Bool
    var lastLogin: Date
    var lastLogout: Date
    var logins: Int

    var balance: Double
    var journal: [JournalEntry]
    var transactions: [Transaction]
    var assets: [Asset]
    var mails: [Mail]
    var mailLabels: [(id: Int, name: String, color: String)]
    var mailingLists: [(id: Int, name: String)]
    var contacts: [Contact]
    var contactLabels: [(id: Int, name: String)]
    var contracts: [Contract]
    var standings: [(fromID: Int, fromType: String, standing: Double)]
    var loyalty: [(corporationID: Int, points: Int)]
    var corporationHistory: [CorporationRecord]
    var titles: [(id: Int, name: String)]
    var roles: [String]
    var fwKills: Int
    var mining: [(date: Date, systemID: Int, typeID: Int, quantity: Int)]
    var planets: [(planetID: Int, systemID: Int, type: String, level: Int, pins: Int, lastUpdate: Date)]

    /// The last hour boundary the state was advanced to.
    var advancedTo: Date
    /// Scripted (`/_sim/characters/{id}/script`): no random hourly events, so a test knows every
    /// change; skills queued before still finish.
    var isScripted = false

    var totalSP: Int { self.skills.values.reduce(0) { $0 + $1.skillPoints } }
}
