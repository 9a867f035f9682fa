import Foundation
import Projections

/// Read-model rows as JSON text, for the index's departed rows: each cell a `[tag, value]` pair
/// (or null), so types survive the round trip.
enum CellCoding {
    static func encode(_ row: [Cell]) -> String {
        let values: [Any] = row.map { cell -> Any in
            switch cell {
            case .null: NSNull()
            case .int(let value): ["i", value]
            case .double(let value): ["d", value]
            case .text(let value): ["s", value]
            case .bool(let value): ["b", value]
            case .time(let value): ["t", value.timeIntervalSince1970]
            case .date(let days): ["D", days]
            case .ints(let values): ["I", values]
            case .texts(let values): ["S", values]
            case .doubles(let values): ["F", values.map { $0.map { $0 as Any } ?? NSNull() }]
            case .bools(let values): ["B", values]
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: values)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) -> [Cell]? {
        guard let values = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else { return nil }
        var row = [Cell]()
        row.reserveCapacity(values.count)
        for value in values {
            guard let pair = value as? [Any], pair.count == 2, let tag = pair[0] as? String else {
                row.append(.null)
                continue
            }
            let number = pair[1] as? NSNumber
            switch tag {
            case "i": row.append(number.map { .int($0.int64Value) } ?? .null)
            case "d": row.append(number.map { .double($0.doubleValue) } ?? .null)
            case "s": row.append((pair[1] as? String).map(Cell.text) ?? .null)
            case "b": row.append(number.map { .bool($0.boolValue) } ?? .null)
            case "t": row.append(number.map { .time(Date(timeIntervalSince1970: $0.doubleValue)) } ?? .null)
            case "D": row.append(number.map { .date($0.int32Value) } ?? .null)
            case "I": row.append(.ints(((pair[1] as? [NSNumber]) ?? []).map(\.int64Value)))
            case "S": row.append(.texts((pair[1] as? [String]) ?? []))
            case "F": row.append(.doubles(((pair[1] as? [Any]) ?? []).map { ($0 as? NSNumber)?.doubleValue }))
            case "B": row.append(.bools(((pair[1] as? [NSNumber]) ?? []).map(\.boolValue)))
            default: return nil
            }
        }
        return row
    }

    /// A row's key cells as text (the departed rows' key column).
    static func key(_ row: [Cell], of table: PastTable) -> String {
        table.keyIndexes.map { row[$0].keyDescription }.joined(separator: "|")
    }
}

extension Cell {
    var keyDescription: String {
        switch self {
        case .int(let value): String(value)
        case .text(let value): value
        case .date(let days): String(days)
        case .time(let date): String(date.timeIntervalSince1970)
        case .bool(let value): String(value)
        default: ""
        }
    }
}
