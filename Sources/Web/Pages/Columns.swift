import Foundation
import Projections
import Vocabulary

/// What the viewer calls the read models' columns, in a player's words, and how their values are
/// shown: ISK and skill points with thousands separated, moments with their age, security status
/// in colour, ESI's snake-case codes (ref types, contract types) as words.
enum Columns {
    /// Labels by column, or by `section.column` where a column means something else in a section.
    static let labels: [String: String] = [
        "type_name": "Item", "item_name": "Name", "location_flag": "Flag", "parent_item_id": "Inside item",
        "root_location_name": "Location", "root_location_id": "Location ID", "solar_system_name": "Solar system",
        "solar_system": "Solar system", "region_name": "Region", "is_singleton": "Assembled",
        "is_blueprint_copy": "Blueprint copy", "added_current_ship": "Current ship (not in ESI's list)",
        "value": "Estimated value", "type_id": "Type ID",
        "group_name": "Group", "category_name": "Category", "bonus_remaps": "Bonus remaps",
        "last_remap_date": "Last remap", "accrued_remap_cooldown_date": "Next remap available",
        "fetched_at": "Fetched", "birthday": "Born", "security_status": "Security status", "security": "Security",
        "description": "Description", "character_details.description": "Bio", "contact_name": "Contact",
        "contact_type": "Kind", "is_blocked": "Blocked", "is_watched": "Watched", "contract_id": "Contract ID",
        "date_issued": "Issued", "date_expired": "Expires", "date_completed": "Completed", "volume": "Volume (m³)",
        "start_location": "Location", "record_id": "Record", "corporation_history.start_date": "Joined",
        "is_deleted": "Closed since", "enlisted_on": "Enlisted", "current_rank": "Current rank",
        "current_rank_name": "Current title", "highest_rank_name": "Highest title",
        "highest_rank": "Highest rank", "kills_yesterday": "Kills yesterday", "kills_last_week": "Kills last week",
        "kills_total": "Kills in total", "victory_points_yesterday": "Victory points yesterday",
        "victory_points_last_week": "Victory points last week", "victory_points_total": "Victory points in total",
        "home_location": "Home station", "home_location_id": "Home station ID", "home_location_type": "Home kind",
        "last_clone_jump_date": "Last clone jump", "last_station_change_date": "Last home station change",
        "jump_clone_id": "Clone ID", "location_type": "Kind", "kind": "Kind", "loyalty_points": "Loyalty points",
        "mail_id": "Mail ID", "timestamp": "Sent", "from_name": "From", "recipients": "To", "is_read": "Read",
        "body": "Message", "last_login": "Last login", "last_logout": "Last logout", "logins": "Logins",
        "planet_name": "Planet", "planet_type": "Planet kind", "planet_type_name": "Planet type",
        "upgrade_level": "Command center level", "num_pins": "Structures", "last_update": "Last updated",
        "ship_type": "Ship", "ship_type_name": "Ship", "ship_name": "Ship name", "ship_item_id": "Ship item ID",
        "queue_position": "#", "skill_name": "Skill", "finished_level": "To level",
        "skill_queue.start_date": "Starts", "finish_date": "Finishes", "level_start_sp": "Level starts at",
        "level_end_sp": "Level ends at", "training_start_sp": "Skill points at start",
        "active_skill_level": "Active level", "trained_skill_level": "Trained level",
        "skillpoints_in_skill": "Skill points", "from_id": "ID", "from_type": "Kind", "id": "ID",
        "ref_type": "Kind", "amount": "Amount", "balance": "Balance", "first_party": "From", "second_party": "To",
        "transaction_id": "Transaction ID", "unit_price": "Unit price", "is_buy": "Bought", "client": "Client",
        "is_personal": "Personal", "journal_ref_id": "Journal entry", "last_attempt_at": "Last attempt",
        "last_success_at": "Last success", "last_changed_at": "Last change", "total_sp": "Total skill points",
        "unallocated_sp": "Unallocated skill points", "wallet_balance": "Wallet", "character_id": "Character ID",
        "location_name": "Location", "online": "Online", "assignee": "Assigned to", "issuer": "Issued by",
        "mailing_list_id": "Mailing list ID", "label_id": "Label ID", "label_name": "Label",
        "unread_count": "Unread", "standing_group": "Group", "effective_standing": "Effective standing",
        "is_npc": "NPC", "color": "Colour",
        "failing_sections": "Failing sections",
    ]

    /// Columns that hold ISK.
    static let isk: Set<String> = [
        "value", "price", "reward", "collateral", "buyout", "amount", "balance", "unit_price", "wallet_balance",
        "total", "tax", "bounty",
    ]

    /// Columns that hold ESI codes in snake case, shown as words ("player_donation" → "Player donation").
    static let codes: Set<String> = ["ref_type", "type", "status", "contact_type", "from_type", "location_flag"]

    static func label(_ column: String, section: String) -> String {
        if let label = self.labels["\(section).\(column)"] ?? self.labels[column] { return label }
        var words = column
        if words.hasPrefix("is_") { words.removeFirst(3) }
        if words.hasSuffix("_sp") { words = String(words.dropLast(3)) + " skill points" }
        if words.hasSuffix("_name") { words.removeLast(5) }
        if words.hasSuffix("_id") { words = String(words.dropLast(3)) + " ID" }
        return self.sentence(words)
    }

    /// `player_donation` → `Player donation`.
    static func sentence(_ code: String) -> String {
        let words = code.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func isNumber(_ value: DisplayValue) -> Bool {
        switch value {
        case .int, .double: true
        default: false
        }
    }

    /// A value of `column` as the pages show it.
    static func cell(_ value: DisplayValue, column: String) -> HTML {
        switch value {
        case .null:
            return ""
        case .double(let number) where self.isk.contains(column):
            return "\(Format.isk(number))"
        case .int(let number) where self.isk.contains(column):
            return "\(Format.isk(Double(number)))"
        case .double(let number) where column == "security" || column == "security_status":
            return Format.security(number)
        case .double(let number) where column == "standing" || column == "effective_standing":
            return self.standing(number)
        case .int(let number):
            return column.hasSuffix("_id") || column == "id" ? "\(String(number))" : "\(Format.int(number))"
        case .text(let text) where self.codes.contains(column):
            return "\(self.sentence(text))"
        case .time(let date):
            return Format.moment(date, exact: true)
        case .bool(let flag):
            return flag ? "yes" : "<span class=\"muted\">no</span>"
        default:
            return "\(WebApp.text(value))"
        }
    }

    /// A standing with its sign, coloured as the game colours it (blue good, red bad).
    static func standing(_ value: Double) -> HTML {
        guard value.isFinite else { return "" }
        let kind = value > 0 ? "good" : value < 0 ? "bad" : "neutral"
        return "<span class=\"standing standing-\(raw: kind)\">\(String(format: "%+.2f", value))</span>"
    }
}
