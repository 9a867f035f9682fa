import Foundation
import Postgres

/// One value of a read-model row, typed as its column.
public enum Cell: Hashable, Sendable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)
    case time(Date)
    /// A calendar date, as days after 2000-01-01 (PostgreSQL's binary form).
    case date(Int32)
    case ints([Int64])
    case texts([String])
    case doubles([Double?])
    case bools([Bool])

    /// Whether the cell can be stored in a column of `type`: the right kind, and a value
    /// PostgreSQL takes (no NUL in text, a moment within its range). A cell that does not fit
    /// quarantines its event instead of failing the batch that writes it.
    func fits(_ type: ColumnType) -> Bool {
        switch (self, type) {
        case (.text(let value), .text): !value.containsNUL
        case (.texts(let values), .textArray): !values.contains(where: \.containsNUL)
        case (.time(let value), .timestamptz): value.isPostgresTimestamp
        case (.null, _), (.int, .bigint), (.double, .double), (.bool, .boolean), (.date, .date),
            (.ints, .bigintArray), (.doubles, .doubleArray), (.bools, .booleanArray):
            true
        default: false
        }
    }

    /// The value as SQL text, for key comparisons (`k.c0::bigint`).
    var keyText: String? {
        switch self {
        case .int(let value): String(value)
        case .text(let value): value
        case .date(let days): formatDate(days)
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }
}

/// Cells are written with binary COPY only, where the column's type is given by the table, so
/// the declared parameter type is never used.
extension Cell: PostgresEncodable {
    public static var postgresType: PostgresType { .text }
    public var isPostgresNull: Bool { self == .null }

    public func encodePostgres(into buffer: inout [UInt8]) throws(PostgresError) {
        switch self {
        case .null: break
        case .int(let value): try value.encodePostgres(into: &buffer)
        case .double(let value): try value.encodePostgres(into: &buffer)
        case .text(let value): try value.encodePostgres(into: &buffer)
        case .bool(let value): try value.encodePostgres(into: &buffer)
        case .time(let value): try value.encodePostgres(into: &buffer)
        case .date(let days): try days.encodePostgres(into: &buffer)
        case .ints(let values): try values.encodePostgres(into: &buffer)
        case .texts(let values): try values.encodePostgres(into: &buffer)
        case .doubles(let values): try values.encodePostgres(into: &buffer)
        case .bools(let values): try values.encodePostgres(into: &buffer)
        }
    }
}

/// `YYYY-MM-DD` of a day number after 2000-01-01.
func formatDate(_ days: Int32) -> String {
    let date = Date(timeIntervalSince1970: 946_684_800 + Double(days) * 86_400)
    let parts = Calendar.utc.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
