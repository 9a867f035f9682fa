import Foundation

/// A character as one JSON document: `id`, `name` and one member per section (a part's rows as an
/// array of objects, a single-row part as an object, a section of several parts as an object of
/// them). `memberaudit show --format json` prints it and `GET /api/characters/{id}` answers it:
/// one renderer, so the two cannot drift.
public enum CharacterDocument {
    /// The document as JSON text, keys sorted. With `only`, just that section's value.
    public static func json(_ state: CharacterState, only: String? = nil, pretty: Bool = true) throws -> Data {
        var object: [String: Any] = ["id": state.id, "name": state.name]
        for section in state.sections {
            let parts = section.parts.map { ($0.name, self.value($0)) }
            object[section.name] = parts.count == 1 ? parts[0].1 : Dictionary(uniqueKeysWithValues: parts)
        }
        let value = only.flatMap { object[$0] } ?? object
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed]
        if pretty { options.insert(.prettyPrinted) }
        return try JSONSerialization.data(withJSONObject: value, options: options)
    }

    private static func value(_ part: DisplayPart) -> Any {
        let objects = part.rows.map { row in
            // A column named twice keeps its first value (a query's mistake must not stop the output).
            Dictionary(zip(part.columns, row.map(self.value)), uniquingKeysWith: { first, _ in first })
        }
        if part.single { return objects.first ?? NSNull() }
        return objects
    }

    private static func value(_ value: DisplayValue) -> Any {
        switch value {
        case .null: NSNull()
        case .int(let value): value
        // JSON has no NaN or infinity: a value ESI could never send, shown as null rather than trapping.
        case .double(let value): value.isFinite ? value : NSNull()
        case .text(let value): value
        case .bool(let value): value
        case .time(let value): value.formatted(.iso8601)
        case .json(let text):
            (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
        }
    }
}
