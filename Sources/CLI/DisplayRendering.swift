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
        var table = TextTable(columns: part.columns)
        for row in part.rows { table.add(row.map { self.text($0, limit: 40) }) }
        return table.render() + "\n(\(part.rows.count) rows)"
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

    /// A character as one object: `id`, `name` and one member per section. With `only`, just
    /// that section's value.
    static func json(_ state: CharacterState, only: String? = nil) throws -> String {
        var object: [String: Any] = ["id": state.id, "name": state.name]
        for section in state.sections {
            let parts = section.parts.map { ($0.name, self.jsonValue($0)) }
            object[section.name] = parts.count == 1 ? parts[0].1 : Dictionary(uniqueKeysWithValues: parts)
        }
        let value = only.flatMap { object[$0] } ?? object
        let data = try JSONSerialization.data(
            withJSONObject: value,
            options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed]
        )
        return String(decoding: data, as: UTF8.self)
    }

    private static func jsonValue(_ part: DisplayPart) -> Any {
        let objects = part.rows.map { row in
            // A column named twice keeps its first value (a query's mistake must not stop the output).
            Dictionary(zip(part.columns, row.map(self.jsonValue)), uniquingKeysWith: { first, _ in first })
        }
        if part.single { return objects.first ?? NSNull() }
        return objects
    }

    private static func jsonValue(_ value: DisplayValue) -> Any {
        switch value {
        case .null: NSNull()
        case .int(let value): value
        case .double(let value): value
        case .text(let value): value
        case .bool(let value): value
        case .time(let value): value.formatted(.iso8601)
        case .json(let text):
            (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
        }
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
