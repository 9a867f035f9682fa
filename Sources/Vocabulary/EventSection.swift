/// The name events of one kind are recorded under in the log: a section's own fetch (`assets`),
/// another route of a section (`contact_labels`), a fetch that depends on a section's data
/// (`asset_names`) or public data (`station`). Projectors, the sync and the audit trail match on
/// these constants, never on names spelled out again; a name the log holds that none of them is
/// (a later version's) is kept as it is and projected by nobody.
public struct EventSection: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ section: Section) { self.rawValue = section.rawValue }
    public var description: String { self.rawValue }

    /// Every name this program records, for the tests that hold routes and constants equal.
    public static let all: [EventSection] = [
        .assets, .attributes, .characterDetails, .contacts, .contracts, .corporationHistory, .corporationMembers,
        .fwStats, .implants, .jumpClones, .location, .loyalty, .mails, .miningLedger, .onlineStatus, .planets,
        .roles, .ship, .skillQueue, .skills, .standings, .titles, .walletBalance, .walletJournal,
        .walletTransactions, .contactLabels, .mailLabels, .mailingLists, .corporationAffiliation, .assetNames,
        .contractItems, .contractBids, .mailBody, .universeNames, .universeIds, .station, .structure, .metaStatus,
        .marketPrices, .universeType, .universeGroup, .universeCategory, .universeSystem, .universeConstellation,
        .universeRegion, .universePlanet,
    ]

    // MARK: The sections' own fetches
    public static let assets = Self(rawValue: "assets")
    public static let attributes = Self(rawValue: "attributes")
    public static let characterDetails = Self(rawValue: "character_details")
    public static let contacts = Self(rawValue: "contacts")
    public static let contracts = Self(rawValue: "contracts")
    public static let corporationHistory = Self(rawValue: "corporation_history")
    public static let corporationMembers = Self(rawValue: "corporation_members")
    public static let fwStats = Self(rawValue: "fw_stats")
    public static let implants = Self(rawValue: "implants")
    public static let jumpClones = Self(rawValue: "jump_clones")
    public static let location = Self(rawValue: "location")
    public static let loyalty = Self(rawValue: "loyalty")
    public static let mails = Self(rawValue: "mails")
    public static let miningLedger = Self(rawValue: "mining_ledger")
    public static let onlineStatus = Self(rawValue: "online_status")
    public static let planets = Self(rawValue: "planets")
    public static let roles = Self(rawValue: "roles")
    public static let ship = Self(rawValue: "ship")
    public static let skillQueue = Self(rawValue: "skill_queue")
    public static let skills = Self(rawValue: "skills")
    public static let standings = Self(rawValue: "standings")
    public static let titles = Self(rawValue: "titles")
    public static let walletBalance = Self(rawValue: "wallet_balance")
    public static let walletJournal = Self(rawValue: "wallet_journal")
    public static let walletTransactions = Self(rawValue: "wallet_transactions")

    // MARK: More routes of a section
    public static let contactLabels = Self(rawValue: "contact_labels")
    public static let mailLabels = Self(rawValue: "mail_labels")
    public static let mailingLists = Self(rawValue: "mailing_lists")
    public static let corporationAffiliation = Self(rawValue: "corporation_affiliation")

    // MARK: Fetches that depend on a section's data
    public static let assetNames = Self(rawValue: "asset_names")
    public static let contractItems = Self(rawValue: "contract_items")
    public static let contractBids = Self(rawValue: "contract_bids")
    public static let mailBody = Self(rawValue: "mail_body")

    // MARK: Public data
    public static let universeNames = Self(rawValue: "universe_names")
    public static let universeIds = Self(rawValue: "universe_ids")
    public static let station = Self(rawValue: "station")
    public static let structure = Self(rawValue: "structure")
    public static let metaStatus = Self(rawValue: "meta_status")
    public static let marketPrices = Self(rawValue: "market_prices")
    public static let universeType = Self(rawValue: "universe_type")
    public static let universeGroup = Self(rawValue: "universe_group")
    public static let universeCategory = Self(rawValue: "universe_category")
    public static let universeSystem = Self(rawValue: "universe_system")
    public static let universeConstellation = Self(rawValue: "universe_constellation")
    public static let universeRegion = Self(rawValue: "universe_region")
    public static let universePlanet = Self(rawValue: "universe_planet")
}
