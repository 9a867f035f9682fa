import Foundation
import Vocabulary

/// A character as one JSON document: `id`, `name` and one member per section (a part's rows as an
/// array of objects, a single-row part as an object, a section of several parts as an object of
/// them). `memberaudit show --format json` prints it and `GET /api/characters/{id}` answers it:
/// one renderer, so the two cannot drift. Keys are sorted. Written directly to bytes: through
/// `JSONSerialization` a character's assets took 270 ms on Linux (tools/bench web), most of it in
/// bridging dictionaries.
public enum CharacterDocument {
    /// The document as JSON text, keys sorted. With `only`, just that member's value.
    public static func json(_ state: CharacterState, only: String? = nil, pretty: Bool = true) throws -> Data {
        var writer = Writer(pretty: pretty)
        let sections = Dictionary(state.sections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if only == "id" {
            writer.value(.int(state.id))
        } else if only == "name" {
            writer.value(.text(state.name))
        } else if let only, let section = sections[only] {
            writer.section(section)
        } else {
            var members: [(String, (inout Writer) -> Void)] = [
                ("id", { $0.value(.int(state.id)) }), ("name", { $0.value(.text(state.name)) }),
            ]
            for (name, section) in sections where name != "id" && name != "name" {
                members.append((name, { $0.section(section) }))
            }
            writer.object(members)
        }
        return Data(writer.output)
    }

    struct Writer {
        let pretty: Bool
        var output: [UInt8] = []
        var depth = 0

        init(pretty: Bool) {
            self.pretty = pretty
            self.output.reserveCapacity(1 << 16)
        }

        mutating func section(_ section: SectionState) {
            if section.parts.count == 1 {
                self.part(section.parts[0])
            } else {
                // A part named twice keeps its first rows.
                var seen = Set<String>()
                self.object(
                    section.parts.filter { seen.insert($0.name).inserted }.map { part in
                        (part.name, { $0.part(part) })
                    }
                )
            }
        }

        mutating func part(_ part: DisplayPart) {
            // A column named twice keeps its first value (a query's mistake must not stop the output).
            var seen = Set<String>()
            let columns = part.columns.enumerated().filter { seen.insert($0.element).inserted }
                .sorted { $0.element < $1.element }
            func row(_ values: [DisplayValue]) -> [(String, (inout Writer) -> Void)] {
                columns.map { index, name in (name, { $0.value(index < values.count ? values[index] : .null) }) }
            }
            if part.single {
                if let first = part.rows.first { self.object(row(first), sorted: true) } else { self.value(.null) }
                return
            }
            self.open("[")
            for (number, values) in part.rows.enumerated() {
                if number > 0 { self.output.append(UInt8(ascii: ",")) }
                self.newline()
                self.object(row(values), sorted: true)
            }
            self.close("]", empty: part.rows.isEmpty)
        }

        /// An object of `members`, keys sorted (unless they are already).
        mutating func object(_ members: [(String, (inout Writer) -> Void)], sorted: Bool = false) {
            let ordered = sorted ? members : members.sorted { $0.0 < $1.0 }
            self.open("{")
            for (number, member) in ordered.enumerated() {
                if number > 0 { self.output.append(UInt8(ascii: ",")) }
                self.newline()
                JSONText.appendString(member.0, to: &self.output)
                self.output.append(contentsOf: self.pretty ? Array(" : ".utf8) : [UInt8(ascii: ":")])
                member.1(&self)
            }
            self.close("}", empty: ordered.isEmpty)
        }

        mutating func value(_ value: DisplayValue) {
            switch value {
            case .null: self.output.append(contentsOf: "null".utf8)
            case .int(let number): self.output.append(contentsOf: String(number).utf8)
            // JSON has no NaN or infinity: a value ESI could never send, shown as null rather than trapping.
            case .double(let number):
                self.output.append(contentsOf: (number.isFinite ? "\(number)" : "null").utf8)
            case .text(let text): JSONText.appendString(text, to: &self.output)
            case .bool(let flag): self.output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .time(let date): JSONText.appendString(CivilDate.iso8601(date), to: &self.output)
            case .json(let text):
                // Nested lists from the read models' own json_agg: valid JSON, written as it is.
                if (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil {
                    self.output.append(contentsOf: text.utf8)
                } else {
                    JSONText.appendString(text, to: &self.output)
                }
            }
        }

        private mutating func open(_ bracket: Character) {
            self.output.append(contentsOf: String(bracket).utf8)
            self.depth += 1
        }

        private mutating func close(_ bracket: Character, empty: Bool) {
            self.depth -= 1
            if !empty { self.newline() }
            self.output.append(contentsOf: String(bracket).utf8)
        }

        private mutating func newline() {
            guard self.pretty else { return }
            self.output.append(UInt8(ascii: "\n"))
            self.output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * self.depth))
        }
    }
}
