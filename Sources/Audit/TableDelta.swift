import Foundation
import Projections
import Vocabulary

/// How one table's rows differ between two moments, by key.
struct TableDelta {
    let table: PastTable
    var added: [[Cell]] = []
    var removed: [[Cell]] = []
    var changed: [(old: [Cell], new: [Cell])] = []

    var isEmpty: Bool { self.added.isEmpty && self.removed.isEmpty && self.changed.isEmpty }

    /// `old` and `new` are the same table at two moments (either may be missing). Accumulating
    /// tables never lose rows: a key missing from a later payload left ESI's window, nothing more.
    init(old: PastTable?, new: PastTable?, accumulating: Bool) {
        let table = new ?? old!
        self.table = table
        let before = old?.byKey ?? [:]
        let after = new?.byKey ?? [:]
        // When a row was fetched is not a change of it.
        let fetchedAt = table.index(of: "fetched_at")
        func same(_ a: [Cell], _ b: [Cell]) -> Bool {
            guard let fetchedAt else { return a == b }
            return a.indices.allSatisfy { $0 == fetchedAt || a[$0] == b[$0] }
        }
        for row in new?.rows ?? [] {
            let key = table.keyIndexes.map { row[$0] }
            if let previous = before[key] {
                if !same(previous, row) { self.changed.append((previous, row)) }
            } else {
                self.added.append(row)
            }
        }
        guard !accumulating else { return }
        for row in old?.rows ?? [] {
            let key = table.keyIndexes.map { row[$0] }
            if after[key] == nil { self.removed.append(row) }
        }
    }

    func value(_ row: [Cell], _ column: String) -> Cell {
        guard let index = self.table.index(of: column) else { return .null }
        return row[index]
    }

    /// The columns whose values differ between two versions of a row (fetch times aside).
    func differences(_ old: [Cell], _ new: [Cell]) -> [(column: String, old: Cell, new: Cell)] {
        zip(self.table.columns, zip(old, new)).compactMap { column, pair in
            pair.0 == pair.1 || column == "fetched_at" ? nil : (column, pair.0, pair.1)
        }
    }
}

extension Cell {
    var int64: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    var double: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }

    var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The value as text, ids in `column` as name tokens.
    func described(as column: String) -> String {
        if let kind = NameKind.of(column: column), case .int(let id) = self { return NamedText.token(kind, id) }
        switch self {
        case .null: return "none"
        case .int(let value): return String(value)
        case .double(let value): return formatNumber(value)
        case .text(let value): return value.count > 60 ? String(value.prefix(59)) + "…" : value
        case .bool(let value): return value ? "yes" : "no"
        case .time(let value): return formatTime(value)
        case .date(let days):
            return formatTime(Date(timeIntervalSince1970: 946_684_800 + Double(days) * 86_400)).prefix(10).description
        case .ints(let values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
        case .texts(let values): return "[" + values.joined(separator: ", ") + "]"
        case .doubles(let values):
            return "[" + values.map { $0.map(formatNumber) ?? "none" }.joined(separator: ", ") + "]"
        case .bools(let values): return "[" + values.map { $0 ? "yes" : "no" }.joined(separator: ", ") + "]"
        }
    }
}

/// A signed amount: +1,000 or -250.50.
func formatSigned(_ value: Double) -> String { (value < 0 ? "-" : "+") + formatNumber(abs(value)) }
