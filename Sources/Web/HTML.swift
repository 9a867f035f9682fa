/// A fragment of HTML. Text interpolated into it is escaped unless it is itself `HTML`, so a page
/// built from these cannot carry a user's text as markup by mistake: unescaped output has to be
/// asked for by name (`\(raw:)`), and only the sanitiser and fixed markup do.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init(stringLiteral value: String) { self.text = value }
    public init(stringInterpolation: Interpolation) { self.text = stringInterpolation.text }
    /// Markup the caller vouches for (fixed strings, the sanitiser's output).
    public init(trusted text: String) { self.text = text }

    public var description: String { self.text }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""
        public init(literalCapacity: Int, interpolationCount: Int) { self.text.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { self.text += literal }
        public mutating func appendInterpolation(_ html: HTML) { self.text += html.text }
        public mutating func appendInterpolation(_ html: [HTML]) { for part in html { self.text += part.text } }
        public mutating func appendInterpolation(_ value: String) { self.text += escapeHTML(value) }
        public mutating func appendInterpolation<T: BinaryInteger>(_ value: T) { self.text += String(value) }
        public mutating func appendInterpolation(_ value: String?) { self.text += escapeHTML(value ?? "") }
        public mutating func appendInterpolation(raw value: String) { self.text += value }
    }

    public static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(trusted: lhs.text + rhs.text) }
    public static func += (lhs: inout HTML, rhs: HTML) { lhs.text += rhs.text }
}

extension Array where Element == HTML {
    public func joined() -> HTML { HTML(trusted: self.map(\.text).joined()) }
}

/// Escapes text for HTML content and quoted attribute values.
public func escapeHTML(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&#39;"
        default: result.unicodeScalars.append(character)
        }
    }
    return result
}
