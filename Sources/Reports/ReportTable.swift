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

/// A table: named columns (stable, for scripts) and typed rows, with its three renderings, text
/// for a terminal (``text()``), CSV (``csv()``) and JSON (rows as objects): every table the
/// command line prints, every report, and the reports of the API.
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

    /// Adds a row of text cells.
    public mutating func add(_ cells: [String]) { self.rows.append(cells.map(ReportValue.text)) }

    /// Columns padded to their widest cell, numbers right-aligned, a rule under the header.
    public func text() -> String {
        let cells = self.rows.map { $0.map(\.text) }
        let all = [self.columns] + cells
        let widths = self.columns.indices.map { column in
            all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        func line(_ row: [String], values: [ReportValue]?) -> String {
            var text = row.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
                let numeric: Bool =
                    switch values?[index] {
                    case .int?, .double?: true
                    case .text?: index > 0 && Double(cell) != nil
                    default: false
                    }
                return numeric ? padding + cell : cell + padding
            }
            .joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        var lines = [
            line(self.columns, values: nil), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "),
        ]
        lines += zip(cells, self.rows).map { line($0, values: $1) }
        return lines.joined(separator: "\n")
    }

    /// RFC 4180 CSV with a header line; text cells safe for spreadsheets (``csvField(_:isText:)``).
    public func csv() -> String {
        let lines =
            [self.columns.map { csvField($0, isText: true) }.joined(separator: ",")]
            + self.rows.map { row in
                row.map { value in
                    if case .text = value { return csvField(value.text, isText: true) }
                    return csvField(value.text, isText: false)
                }
                .joined(separator: ",")
            }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// One CSV field (RFC 4180 quoting). A text cell that a spreadsheet would take for a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: a character named
/// `=HYPERLINK(...)`) gets a leading `'`, as OWASP recommends; numbers keep their sign.
public func csvField(_ text: String, isText: Bool) -> String {
    var text = text
    if isText, let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
        text = "'" + text
    }
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
