import Foundation
import Projections
import Vocabulary

/// Describes what changed in a section between two moments in domain terms: items added,
/// removed and moved, skills trained, journal entries, new contacts, a new corporation. Ids are
/// name tokens (see ``NamedText``), named when shown.
enum ChangeDescriber {
    /// The changes, one line each, in a stable order.
    static func lines(section: String, old: [PastTable], new: [PastTable], accumulating: Bool) -> [String] {
        let oldByName = Dictionary(old.map { ($0.name, $0) }) { $1 }
        let newByName = Dictionary(new.map { ($0.name, $0) }) { $1 }
        var lines = [String]()
        for name in Set(oldByName.keys).union(newByName.keys).sorted() {
            // Asset names arrive with their own section; the assets diff shows items by type.
            guard !(section == "assets" && name == "asset_names") else { continue }
            let delta = TableDelta(old: oldByName[name], new: newByName[name], accumulating: accumulating)
            guard !delta.isEmpty else { continue }
            lines += self.describe(delta)
        }
        return lines
    }

    /// One line for a timeline: the first changes and how many more there are.
    static func summary(section: String, lines: [String]) -> String {
        guard !lines.isEmpty else { return "\(section): no difference the read models show" }
        let shown = lines.prefix(3).joined(separator: "; ")
        let more = lines.count > 3 ? " (and \(lines.count - 3) more)" : ""
        return "\(section): \(shown)\(more)"
    }

    // MARK: - Per table

    private static func describe(_ d: TableDelta) -> [String] {
        func v(_ row: [Cell], _ column: String) -> String { d.value(row, column).described(as: column) }
        func number(_ row: [Cell], _ column: String) -> Double? { d.value(row, column).double }
        switch d.table.name {
        case "assets":
            func place(_ row: [Cell]) -> String { v(row, "root_location_id") }
            func item(_ row: [Cell]) -> String {
                let quantity = d.value(row, "quantity").int64 ?? 1
                return (quantity > 1 ? "\(formatNumber(Double(quantity)))× " : "") + v(row, "type_id")
            }
            var lines = d.added.map { "+ \(item($0)) at \(place($0))" }
            lines += d.removed.map { "- \(item($0)) at \(place($0))" }
            for (old, new) in d.changed {
                let moved =
                    d.value(old, "root_location_id") != d.value(new, "root_location_id")
                    || d.value(old, "parent_item_id") != d.value(new, "parent_item_id")
                    || d.value(old, "location_flag") != d.value(new, "location_flag")
                if moved {
                    lines.append(
                        "\(item(new)) moved from \(self.container(d, old)) to \(self.container(d, new))"
                    )
                }
                if d.value(old, "quantity") != d.value(new, "quantity") {
                    lines.append(
                        "\(v(new, "type_id")) at \(place(new)): quantity \(v(old, "quantity")) → \(v(new, "quantity"))"
                    )
                }
            }
            return lines
        case "skills":
            var lines = d.added.map { "\(v($0, "skill_id")) injected at level \(v($0, "trained_skill_level"))" }
            lines += d.removed.map { "\(v($0, "skill_id")) removed" }
            for (old, new) in d.changed
            where d.value(old, "trained_skill_level") != d.value(new, "trained_skill_level")
                || d.value(old, "active_skill_level") != d.value(new, "active_skill_level")
            {
                lines.append(
                    "\(v(new, "skill_id")) trained to level \(v(new, "trained_skill_level")) (was \(v(old, "trained_skill_level")))"
                )
            }
            return lines
        case "skill_totals":
            return self.changes(d) { old, new in
                guard let a = number(old, "total_sp"), let b = number(new, "total_sp"), a != b else { return nil }
                return "skill points \(formatNumber(a)) → \(formatNumber(b)) (\(formatSigned(b - a)))"
            } first: {
                "skill points \(v($0, "total_sp"))"
            }
        case "skill_queue":
            let before = d.table.rows.count - d.added.count + d.removed.count
            return ["skill queue: \(d.table.rows.count) entries (was \(before))"]
        case "character_wallet":
            return self.changes(d) { old, new in
                guard let a = number(old, "balance"), let b = number(new, "balance") else { return nil }
                return "wallet \(formatNumber(a)) → \(formatNumber(b)) ISK (\(formatSigned(b - a)))"
            } first: {
                "wallet \(v($0, "balance")) ISK"
            }
        case "wallet_journal":
            return d.added.map {
                "journal \(v($0, "date")) \(v($0, "ref_type")) \(formatSigned(number($0, "amount") ?? 0)) ISK"
                    + (d.value($0, "description") == .null ? "" : " (\(v($0, "description")))")
            }
        case "wallet_transactions":
            return d.added.map {
                let buy = d.value($0, "is_buy") == .bool(true)
                return
                    "\(buy ? "bought" : "sold") \(v($0, "quantity"))× \(v($0, "type_id")) at \(v($0, "unit_price")) ISK "
                    + "\(buy ? "from" : "to") \(v($0, "client_id")) at \(v($0, "location_id")) on \(v($0, "date"))"
            }
        case "contacts":
            var lines = d.added.map { "+ contact \(v($0, "contact_id")) (standing \(v($0, "standing")))" }
            lines += d.removed.map { "- contact \(v($0, "contact_id"))" }
            for (old, new) in d.changed where d.value(old, "standing") != d.value(new, "standing") {
                lines.append("contact \(v(new, "contact_id")) standing \(v(old, "standing")) → \(v(new, "standing"))")
            }
            return lines
        case "standings":
            var lines = d.added.map { "+ standing of \(v($0, "from_id")): \(v($0, "standing"))" }
            for (old, new) in d.changed {
                lines.append("standing of \(v(new, "from_id")) \(v(old, "standing")) → \(v(new, "standing"))")
            }
            return lines
        case "character_details":
            return self.changes(d) { old, new in
                let parts = d.differences(old, new).map { column, a, b in
                    column == "description"
                        ? "description changed"
                        : "\(column.replacingOccurrences(of: "_id", with: "")) \(a.described(as: column)) → \(b.described(as: column))"
                }
                return parts.isEmpty ? nil : parts.joined(separator: ", ")
            } first: {
                "corporation \(v($0, "corporation_id")), alliance \(v($0, "alliance_id"))"
            }
        case "character_corporation_history":
            return d.added.map { "joined \(v($0, "corporation_id")) on \(v($0, "start_date"))" }
        case "character_implants":
            return d.added.map { "+ implant \(v($0, "type_id"))" } + d.removed.map { "- implant \(v($0, "type_id"))" }
        case "character_jump_clones":
            var lines = d.added.map { "+ jump clone at \(v($0, "location_id"))" }
            lines += d.removed.map { "- jump clone at \(v($0, "location_id"))" }
            for (old, new) in d.changed where d.value(old, "implants") != d.value(new, "implants") {
                lines.append("jump clone at \(v(new, "location_id")): implants changed")
            }
            return lines
        case "mail_headers":
            return d.added.map { "mail from \(v($0, "from_id")): \"\(v($0, "subject"))\" (\(v($0, "timestamp")))" }
        case "mail_bodies", "mail_unread":
            return []
        case "contracts":
            var lines = d.added.map {
                "contract \(v($0, "contract_id")) \(v($0, "type")) \(v($0, "status")) issued by \(v($0, "issuer_id"))"
                    + (d.value($0, "assignee_id") == .null ? "" : " to \(v($0, "assignee_id"))")
            }
            for (old, new) in d.changed where d.value(old, "status") != d.value(new, "status") {
                lines.append(
                    "contract \(v(new, "contract_id")) \(v(new, "type")) \(v(old, "status")) → \(v(new, "status"))"
                )
            }
            return lines
        case "contract_items":
            return d.added.map { "contract \(v($0, "contract_id")): \(v($0, "quantity"))× \(v($0, "type_id"))" }
        case "character_location":
            return self.changes(d) { old, new in
                "moved from \(self.place(d, old)) to \(self.place(d, new))"
            } first: {
                "in \(self.place(d, $0))"
            }
        case "character_ship":
            return self.changes(d) { old, new in
                "ship \(v(old, "ship_type_id")) \"\(v(old, "ship_name"))\" → \(v(new, "ship_type_id")) \"\(v(new, "ship_name"))\""
            } first: {
                "in a \(v($0, "ship_type_id")) \"\(v($0, "ship_name"))\""
            }
        case "character_online":
            return self.changes(d) { old, new in
                guard d.value(old, "online") != d.value(new, "online") else { return nil }
                return d.value(new, "online") == .bool(true) ? "came online" : "went offline"
            } first: {
                d.value($0, "online") == .bool(true) ? "online" : "offline"
            }
        default:
            return self.generic(d)
        }
    }

    /// For one-row tables: the change of the row, or its first appearance.
    private static func changes(
        _ d: TableDelta,
        _ change: ([Cell], [Cell]) -> String?,
        first: ([Cell]) -> String
    ) -> [String] {
        d.changed.compactMap { change($0.old, $0.new) } + d.added.map(first)
    }

    /// The station or structure a character is in, else its system.
    private static func place(_ d: TableDelta, _ row: [Cell]) -> String {
        for column in ["structure_id", "station_id"] where d.value(row, column) != .null {
            return d.value(row, column).described(as: column)
        }
        return d.value(row, "solar_system_id").described(as: "solar_system_id")
    }

    /// Where an asset is: its top-level place, and the item it is in.
    private static func container(_ d: TableDelta, _ row: [Cell]) -> String {
        let place = d.value(row, "root_location_id").described(as: "root_location_id")
        let flag = d.value(row, "location_flag").string.map { " (\($0))" } ?? ""
        guard case .int(let parent) = d.value(row, "parent_item_id") else { return place + flag }
        return "item \(parent)\(flag) at \(place)"
    }

    private static func generic(_ d: TableDelta) -> [String] {
        let label = d.table.name.replacingOccurrences(of: "character_", with: "").replacingOccurrences(
            of: "_",
            with: " "
        )
        func key(_ row: [Cell]) -> String {
            d.table.key.map { d.value(row, $0).described(as: $0) }.joined(separator: " ")
        }
        func fields(_ row: [Cell]) -> String {
            d.table.columns.filter { $0 != "character_id" && $0 != "fetched_at" && !d.table.key.contains($0) }
                .map { "\($0) \(d.value(row, $0).described(as: $0))" }.joined(separator: ", ")
        }
        var lines = d.added.map {
            d.table.key.isEmpty ? "\(label): \(fields($0))" : "+ \(label) \(key($0)): \(fields($0))"
        }
        lines += d.removed.map { "- \(label) \(key($0))" }
        for (old, new) in d.changed {
            let parts = d.differences(old, new).map {
                "\($0.column) \($0.old.described(as: $0.column)) → \($0.new.described(as: $0.column))"
            }
            guard !parts.isEmpty else { continue }
            let name = d.table.key.isEmpty ? label : "\(label) \(key(new))"
            lines.append("\(name): \(parts.joined(separator: ", "))")
        }
        return lines
    }
}
