import Foundation
import Projections
import Reports

/// Renders read-model rows as text tables, CSV or JSON.
enum DisplayRendering {
    static func table(_ state: CharacterState) -> String {
        var lines = ["\(state.name) (\(state.id))"]
        for section in state.sections {
            lines.append("")
            lines.append("== \(section.name) ==")
            for part in section.parts {
                if section.parts.count > 1 { lines.append("-- \(part.name) --") }
                lines.append(self.table(part))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func table(_ part: DisplayPart) -> String {
        if part.single {
            guard let row = part.rows.first else { return "(no data yet)" }
            let width = part.columns.map(\.count).max() ?? 0
            return zip(part.columns, row).map { column, value in
                column.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + self.text(value, limit: 100)
            }.joined(separator: "\n")
        }
        guard !part.rows.isEmpty else { return "(none)" }
        var table = ReportTable(name: "", columns: part.columns)
        for row in part.rows { table.add(row.map { self.text($0, limit: 40) }) }
        return table.text() + "\n(\(part.rows.count) rows)"
    }

    static func csv(_ state: CharacterState) -> String {
        var blocks = [String]()
        for section in state.sections {
            for part in section.parts {
                let title = section.parts.count > 1 ? "\(section.name).\(part.name)" : section.name
                var lines = ["# \(title)", part.columns.map { csvField($0, isText: true) }.joined(separator: ",")]
                for row in part.rows {
                    lines.append(
                        row.map { value in
                            let isNumber: Bool
                            switch value {
                            case .int, .double: isNumber = true
                            default: isNumber = false
                            }
                            return csvField(self.text(value, limit: nil), isText: !isNumber)
                        }
                        .joined(separator: ",")
                    )
                }
                blocks.append(lines.joined(separator: "\n"))
            }
        }
        return blocks.joined(separator: "\n\n")
    }

    /// A character as one JSON document (`CharacterDocument`, the API's too).
    static func json(_ state: CharacterState, only: String? = nil) throws -> String {
        String(decoding: try CharacterDocument.json(state, only: only), as: UTF8.self)
    }

    /// The value as one line of text, cut to `limit` characters in tables.
    static func text(_ value: DisplayValue, limit: Int?) -> String {
        let text: String
        switch value {
        case .null: text = ""
        case .int(let value): text = String(value)
        case .double(let value):
            text = value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
        case .text(let value): text = value
        case .bool(let value): text = value ? "yes" : "no"
        case .time(let value): text = value.formatted(.iso8601.dateSeparator(.dash).timeSeparator(.colon))
        case .json(let json):
            if limit != nil, let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] {
                text = "\(array.count) item\(array.count == 1 ? "" : "s")"
            } else {
                text = json
            }
        }
        let line = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard let limit, line.count > limit else { return line }
        return String(line.prefix(limit - 1)) + "…"
    }
}
