import Foundation

/// Checks JSON values against the OpenAPI spec's response schemas: `$ref`, `type`, `required`,
/// `properties`, `items`, `enum`, `oneOf`, and the `date-time` and `date` formats.
// The parsed spec is never mutated after loading, so sharing it between tests is safe.
struct SchemaValidator: @unchecked Sendable {
    let spec: [String: Any]

    static let esi: SchemaValidator = {
        let url = Bundle.module.url(forResource: "Fixtures/openapi", withExtension: "json")!
        let spec = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return SchemaValidator(spec: spec)
    }()

    /// The schema of a route's 200 answer.
    func responseSchema(method: String, path: String) -> [String: Any]? {
        let paths = self.spec["paths"] as? [String: Any]
        let operation = (paths?[path] as? [String: Any])?[method.lowercased()] as? [String: Any]
        let ok = (operation?["responses"] as? [String: Any])?["200"] as? [String: Any]
        let content = (ok?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        return content?["schema"] as? [String: Any]
    }

    var errorSchema: [String: Any] { self.resolve(["$ref": "#/components/schemas/Error"]) }

    func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let reference = schema["$ref"] as? String else { return schema }
        var node: Any = self.spec
        for part in reference.dropFirst(2).split(separator: "/") {
            node = (node as? [String: Any])?[String(part)] as Any
        }
        return self.resolve(node as? [String: Any] ?? [:])
    }

    /// Problems found, each with the JSON path where it is; empty when the value conforms.
    func validate(_ value: Any, against schema: [String: Any], at path: String = "$") -> [String] {
        let schema = self.resolve(schema)
        if let choices = schema["oneOf"] as? [[String: Any]] {
            return choices.contains { self.validate(value, against: $0, at: path).isEmpty }
                ? [] : ["\(path): matches no oneOf choice"]
        }
        var problems = [String]()
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): expected an object"] }
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path): missing required \(name)")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, member) in object {
                guard let memberSchema = properties[name] as? [String: Any] else {
                    if !properties.isEmpty { problems.append("\(path).\(name): not in the schema") }
                    continue
                }
                problems += self.validate(member, against: memberSchema, at: "\(path).\(name)")
            }
        case "array":
            guard let array = value as? [Any] else { return ["\(path): expected an array"] }
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in array.enumerated() {
                    problems += self.validate(element, against: items, at: "\(path)[\(index)]")
                }
            }
        case "integer":
            guard let number = value as? NSNumber, !isBool(number), number.doubleValue == number.doubleValue.rounded()
            else {
                return ["\(path): expected an integer, got \(value)"]
            }
        case "number":
            guard let number = value as? NSNumber, !isBool(number) else {
                return ["\(path): expected a number, got \(value)"]
            }
        case "boolean":
            guard let number = value as? NSNumber, isBool(number) else {
                return ["\(path): expected a boolean, got \(value)"]
            }
        case "string":
            guard let text = value as? String else { return ["\(path): expected a string, got \(value)"] }
            if let allowed = schema["enum"] as? [String], !allowed.contains(text) {
                problems.append("\(path): \(text) is not one of the enum's \(allowed.count) values")
            }
            switch schema["format"] as? String {
            case "date-time" where ISO8601DateFormatter().date(from: text) == nil:
                problems.append("\(path): \(text) is not a date-time")
            case "date" where text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) == nil:
                problems.append("\(path): \(text) is not a date")
            default: break
            }
        default:
            break
        }
        return problems
    }

    /// JSON booleans arrive as Foundation's boolean NSNumber; `is Bool` would also match 0 and 1.
    private func isBool(_ number: NSNumber) -> Bool { String(describing: type(of: number)) == "__NSCFBoolean" }
}
