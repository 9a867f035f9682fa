import Foundation

/// One value of a report cell, typed so JSON keeps numbers and booleans.
public enum ReportValue: Sendable, Hashable, Encodable {
    case text(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The value as a table or CSV cell shows it.
    public var text: String {
        switch self {
        case .text(let value): value
        case .int(let value): String(value)
        case .double(let value):
            value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
        case .bool(let value): value ? "yes" : "no"
        case .null: ""
        }
    }
}

/// A report: named columns (stable, for scripts) and rows.
public struct ReportTable: Sendable, Encodable {
    public var name: String
    public var columns: [String]
    public var rows: [[ReportValue]]

    public init(name: String, columns: [String], rows: [[ReportValue]] = []) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// Rows as objects keyed by column, for JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for row in self.rows {
            try container.encode(Dictionary(uniqueKeysWithValues: zip(self.columns, row)))
        }
    }

    /// RFC 4180 CSV with a header line.
    public func csv() -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let lines =
            [self.columns.map(field).joined(separator: ",")]
            + self.rows.map { $0.map { field($0.text) }.joined(separator: ",") }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
