import Foundation

/// One ESI route as the sync uses it.
public struct Route: Sendable, Equatable {
    /// The event section its fetches are recorded under.
    public var name: String
    public var method = "GET"
    /// The route template, e.g. `/characters/{character_id}/assets`.
    public var template: String
    /// The route's rate-limit group (nil: error-limited).
    public var group: String?
    public var paging: Paging = .single
    /// A POST whose body is the character's id in an array (`/characters/affiliation`).
    public var postsCharacterID = false

    public init(
        name: String,
        method: String = "GET",
        template: String,
        group: String? = nil,
        paging: Paging = .single,
        postsCharacterID: Bool = false
    ) {
        self.name = name
        self.method = method
        self.template = template
        self.group = group
        self.paging = paging
        self.postsCharacterID = postsCharacterID
    }

    /// What its fetches are recorded as.
    public var section: EventSection { EventSection(rawValue: self.name) }

    /// A route whose fetches are recorded as `section` events.
    public init(
        _ section: EventSection,
        method: String = "GET",
        template: String,
        group: String? = nil,
        paging: Paging = .single,
        postsCharacterID: Bool = false
    ) {
        self.init(
            name: section.rawValue,
            method: method,
            template: template,
            group: group,
            paging: paging,
            postsCharacterID: postsCharacterID
        )
    }

    /// The concrete path for a character (and one more id, for `{contract_id}`, `{mail_id}`, ...).
    public func path(character: Int64, id: Int64? = nil) -> String {
        var path = self.template.replacingOccurrences(of: "{character_id}", with: String(character))
        if let id, let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
            path.replaceSubrange(open...close, with: String(id))
        }
        return path
    }
}

/// A section of a character's data, as the original Member Audit has them: the unit of scheduling.
public enum Section: String, CaseIterable, Sendable, Codable, Comparable {
    case assets
    case attributes
    case characterDetails = "character_details"
    case contacts
    case contracts
    case corporationHistory = "corporation_history"
    /// The member list of the character's corporation (needs a director's membership scope):
    /// what the membership report compares with the registered characters.
    case corporationMembers = "corporation_members"
    case fwStats = "fw_stats"
    case implants
    case jumpClones = "jump_clones"
    case location
    case loyalty
    case mails
    case miningLedger = "mining_ledger"
    case onlineStatus = "online_status"
    case planets
    case roles
    case ship
    case skillQueue = "skill_queue"
    case skills
    case standings
    case titles
    case walletBalance = "wallet_balance"
    case walletJournal = "wallet_journal"
    case walletTransactions = "wallet_transactions"

    public static func < (lhs: Section, rhs: Section) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The SSO scope the section needs; nil for public data.
    public var scope: String? {
        switch self {
        case .assets: "esi-assets.read_assets.v1"
        case .attributes, .skills: "esi-skills.read_skills.v1"
        case .characterDetails, .corporationHistory: nil
        case .contacts: "esi-characters.read_contacts.v1"
        case .contracts: "esi-contracts.read_character_contracts.v1"
        case .corporationMembers: "esi-corporations.read_corporation_membership.v1"
        case .fwStats: "esi-characters.read_fw_stats.v1"
        case .implants: "esi-clones.read_implants.v1"
        case .jumpClones: "esi-clones.read_clones.v1"
        case .location: "esi-location.read_location.v1"
        case .loyalty: "esi-characters.read_loyalty.v1"
        case .mails: "esi-mail.read_mail.v1"
        case .miningLedger: "esi-industry.read_character_mining.v1"
        case .onlineStatus: "esi-location.read_online.v1"
        case .planets: "esi-planets.manage_planets.v1"
        case .roles: "esi-characters.read_corporation_roles.v1"
        case .ship: "esi-location.read_ship_type.v1"
        case .skillQueue: "esi-skills.read_skillqueue.v1"
        case .standings: "esi-characters.read_standings.v1"
        case .titles: "esi-characters.read_titles.v1"
        case .walletBalance, .walletJournal, .walletTransactions: "esi-wallet.read_character_wallet.v1"
        }
    }

    /// Minutes after a sync before the section is due again, as the original's defaults.
    public var defaultStaleMinutes: Int {
        switch self {
        case .location, .onlineStatus, .ship, .skillQueue: 60
        case .assets, .attributes, .corporationHistory, .fwStats, .loyalty, .titles: 480
        default: 240
        }
    }

    /// The section's own routes, fetched on every sync (dependent fetches come after).
    public var routes: [Route] {
        let c = "/characters/{character_id}"
        switch self {
        case .assets: return [Route(.assets, template: "\(c)/assets", group: "char-asset", paging: .xPages)]
        case .attributes: return [Route(.attributes, template: "\(c)/attributes", group: "char-detail")]
        case .characterDetails: return [Route(.characterDetails, template: c)]
        case .contacts:
            return [
                Route(.contactLabels, template: "\(c)/contacts/labels", group: "char-social"),
                Route(.contacts, template: "\(c)/contacts", group: "char-social", paging: .xPages),
            ]
        case .contracts:
            return [Route(.contracts, template: "\(c)/contracts", group: "char-contract", paging: .xPages)]
        case .corporationHistory: return [Route(.corporationHistory, template: "\(c)/corporationhistory")]
        case .corporationMembers:
            // The character's corporation now (public, one POST); its member list follows as a
            // dependent fetch.
            return [
                Route(
                    .corporationAffiliation,
                    method: "POST",
                    template: "/characters/affiliation",
                    postsCharacterID: true
                )
            ]
        case .fwStats: return [Route(.fwStats, template: "\(c)/fw/stats", group: "factional-warfare")]
        case .implants: return [Route(.implants, template: "\(c)/implants", group: "char-detail")]
        case .jumpClones: return [Route(.jumpClones, template: "\(c)/clones", group: "char-location")]
        case .location: return [Route(.location, template: "\(c)/location", group: "char-location")]
        case .loyalty: return [Route(.loyalty, template: "\(c)/loyalty/points", group: "char-wallet")]
        case .mails:
            return [
                Route(.mailLabels, template: "\(c)/mail/labels", group: "char-social"),
                Route(.mailingLists, template: "\(c)/mail/lists", group: "char-social"),
                // The page size and limit are set from MEMBERAUDIT_MAX_MAILS when the sync runs.
                Route(
                    .mails,
                    template: "\(c)/mail",
                    group: "char-social",
                    paging: .lastMailID(pageSize: 50, maxItems: 250)
                ),
            ]
        case .miningLedger:
            return [Route(.miningLedger, template: "\(c)/mining", group: "char-industry", paging: .xPages)]
        case .onlineStatus: return [Route(.onlineStatus, template: "\(c)/online", group: "char-location")]
        case .planets: return [Route(.planets, template: "\(c)/planets", group: "char-industry")]
        case .roles: return [Route(.roles, template: "\(c)/roles", group: "char-detail")]
        case .ship: return [Route(.ship, template: "\(c)/ship", group: "char-location")]
        case .skillQueue: return [Route(.skillQueue, template: "\(c)/skillqueue", group: "char-detail")]
        case .skills: return [Route(.skills, template: "\(c)/skills", group: "char-detail")]
        case .standings: return [Route(.standings, template: "\(c)/standings", group: "char-social")]
        case .titles: return [Route(.titles, template: "\(c)/titles", group: "char-detail")]
        case .walletBalance: return [Route(.walletBalance, template: "\(c)/wallet", group: "char-wallet")]
        case .walletJournal:
            return [
                Route(.walletJournal, template: "\(c)/wallet/journal", group: "char-wallet", paging: .xPages)
            ]
        case .walletTransactions:
            return [
                Route(
                    .walletTransactions,
                    template: "\(c)/wallet/transactions",
                    group: "char-wallet",
                    paging: .fromID(idKey: "transaction_id", pageSize: 2500, maxItems: 25_000)
                )
            ]
        }
    }

    /// Route templates of dependent fetches, for the Down check of `/meta/status`.
    public var dependentTemplates: [String] {
        let c = "/characters/{character_id}"
        switch self {
        case .assets: return ["\(c)/assets/names"]
        case .contracts: return ["\(c)/contracts/{contract_id}/items", "\(c)/contracts/{contract_id}/bids"]
        case .mails: return ["\(c)/mail/{mail_id}"]
        case .corporationMembers: return [Routes.corporationMembers.template]
        default: return []
        }
    }
}

/// Routes of dependent and public fetches.
public enum Routes {
    public static let assetNames = Route(
        .assetNames,
        method: "POST",
        template: "/characters/{character_id}/assets/names",
        group: "char-asset"
    )
    public static let contractItems = Route(
        .contractItems,
        template: "/characters/{character_id}/contracts/{contract_id}/items",
        group: "char-contract"
    )
    public static let contractBids = Route(
        .contractBids,
        template: "/characters/{character_id}/contracts/{contract_id}/bids",
        group: "char-contract"
    )
    public static let mailBody = Route(
        .mailBody,
        template: "/characters/{character_id}/mail/{mail_id}",
        group: "char-social"
    )
    public static let corporationMembers = Route(
        .corporationMembers,
        template: "/corporations/{corporation_id}/members",
        group: "corp-member"
    )
    public static let universeNames = Route(.universeNames, method: "POST", template: "/universe/names")
    public static let station = Route(.station, template: "/universe/stations/{station_id}")
    public static let structure = Route(.structure, template: "/universe/structures/{structure_id}")
    public static let metaStatus = Route(.metaStatus, template: "/meta/status", group: "meta")
    public static let marketPrices = Route(.marketPrices, template: "/markets/prices")
    public static let universeIDs = Route(.universeIds, method: "POST", template: "/universe/ids")
}
