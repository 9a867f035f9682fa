import Foundation

/// Renders EVE's HTML-like markup (character bios, mail bodies) as safe HTML: an allow-list of
/// tags and attributes, EVE's `showinfo:` links turned into links to public sites, web links kept
/// with `rel="nofollow noopener noreferrer"`, anything else (scripts, event handlers, styles,
/// `javascript:` and other schemes) dropped, and every tag the output opens closed.
public enum Sanitizer {
    /// Tags kept as they are (without attributes); `font` becomes a `span` with a checked colour.
    static let plainTags: Set<String> = ["b", "i", "u", "strong", "em", "p", "ul", "ol", "li", "br"]
    /// Tags dropped with everything inside them.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "object", "embed", "template", "svg", "math",
    ]
    static let voidTags: Set<String> = ["br"]

    public static func sanitize(_ markup: String) -> HTML {
        var output = ""
        var open = [String]()
        var scanner = Scanner(Array(markup.unicodeScalars))
        while let scalar = scanner.peek() {
            guard scalar == "<" else {
                output += self.text(&scanner)
                continue
            }
            guard let tag = scanner.tag() else {
                scanner.advance()
                output += "&lt;"
                continue
            }
            if !tag.closing, self.droppedWithContent.contains(tag.name) {
                scanner.skip(untilClosing: tag.name)
                continue
            }
            let name = tag.name == "font" ? "span" : tag.name
            guard self.plainTags.contains(tag.name) || tag.name == "font" || tag.name == "a" else { continue }
            if tag.closing {
                guard let index = open.lastIndex(of: name) else { continue }
                for inner in open[index...].reversed() { output += "</\(inner)>" }
                open.removeSubrange(index...)
                continue
            }
            if self.voidTags.contains(name) {
                output += "<br>"
                continue
            }
            switch tag.name {
            case "a":
                guard let href = tag.attributes["href"].flatMap(self.safeLink) else {
                    output += "<span>"
                    open.append("span")
                    continue
                }
                output += "<a href=\"\(escapeHTML(href))\" rel=\"nofollow noopener noreferrer\">"
            case "font":
                if let color = tag.attributes["color"].flatMap(self.safeColor) {
                    output += "<span style=\"color:\(color)\">"
                } else {
                    output += "<span>"
                }
            default: output += "<\(name)>"
            }
            open.append(name)
        }
        for name in open.reversed() { output += "</\(name)>" }
        return HTML(trusted: output)
    }

    /// Text up to the next `<`: entities EVE already wrote are kept, other `&` escaped.
    private static func text(_ scanner: inout Scanner) -> String {
        var output = ""
        while let scalar = scanner.peek(), scalar != "<" {
            scanner.advance()
            switch scalar {
            case "&": output += scanner.startsEntity() ? "&" : "&amp;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// A link the page may show: web links, and EVE's `showinfo:` links as public pages.
    static func safeLink(_ href: String) -> String? {
        let href = href.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = href.lowercased()
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") {
            // No quotes, angle brackets or spaces: they would have been escaped anyway, but a
            // link with them is not one a person wrote.
            return href.contains(where: { "\"'<> \\".contains($0) }) ? nil : href
        }
        guard lower.hasPrefix("showinfo:") else { return nil }
        let parts = href.dropFirst("showinfo:".count).split(separator: "//").map(String.init)
        guard let type = parts.first.flatMap(Int.init) else { return nil }
        let item = parts.count > 1 ? Int(parts[1]) : nil
        switch (type, item) {
        case (1373...1386, let id?), (34574, let id?): return "https://evewho.com/character/\(id)"
        case (2, let id?): return "https://evewho.com/corporation/\(id)"
        case (16159, let id?): return "https://evewho.com/alliance/\(id)"
        case (5, let id?): return "https://zkillboard.com/system/\(id)/"
        default: return "https://everef.net/type/\(type)"
        }
    }

    /// `#rrggbb` or EVE's `#aarrggbb` (alpha first), as `#rrggbb`.
    static func safeColor(_ value: String) -> String? {
        let hex = value.hasPrefix("#") ? String(value.dropFirst()) : value
        guard hex.count == 6 || hex.count == 8, hex.allSatisfy(\.isHexDigit) else { return nil }
        return "#" + (hex.count == 8 ? String(hex.dropFirst(2)) : hex).lowercased()
    }

    struct Tag {
        var name: String
        var closing: Bool
        var attributes: [String: String]
    }

    struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        mutating func advance() { index += 1 }

        /// After an `&`: whether a named or numeric entity follows (`amp;`, `#39;`, `#x27;`).
        func startsEntity() -> Bool {
            var offset = 0
            var numeric = false
            if peek() == "#" {
                numeric = true
                offset = 1
                if peek(1) == "x" || peek(1) == "X" { offset = 2 }
            }
            var length = 0
            while let scalar = peek(offset + length), length < 32 {
                if scalar == ";" { return length > 0 }
                let allowed =
                    numeric ? scalar.properties.isASCIIHexDigit : (scalar.isASCII && scalar.properties.isAlphabetic)
                guard allowed else { return false }
                length += 1
            }
            return false
        }

        /// A tag at `<`, consumed with its attributes; nil (nothing consumed) if `<` starts no tag.
        /// Comments and declarations are consumed and given as a tag named "!".
        mutating func tag() -> Tag? {
            let start = index
            guard peek() == "<" else { return nil }
            if peek(1) == "!" || peek(1) == "?" {
                index += 2
                let comment = peek() == "-" && peek(1) == "-"
                while let scalar = peek() {
                    advance()
                    if scalar == ">"
                        && (!comment || (index >= 3 && scalars[index - 2] == "-" && scalars[index - 3] == "-"))
                    {
                        break
                    }
                }
                return Tag(name: "!", closing: false, attributes: [:])
            }
            index += 1
            let closing = peek() == "/"
            if closing { advance() }
            var name = ""
            while let scalar = peek(), scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                name.unicodeScalars.append(scalar)
                advance()
            }
            guard !name.isEmpty else {
                index = start
                return nil
            }
            var attributes = [String: String]()
            while let scalar = peek(), scalar != ">" {
                if scalar.properties.isWhitespace || scalar == "/" {
                    advance()
                    continue
                }
                var key = ""
                while let scalar = peek(), !scalar.properties.isWhitespace, !"=>/".unicodeScalars.contains(scalar) {
                    key.unicodeScalars.append(scalar)
                    advance()
                }
                while peek()?.properties.isWhitespace == true { advance() }
                var value = ""
                if peek() == "=" {
                    advance()
                    while peek()?.properties.isWhitespace == true { advance() }
                    if let quote = peek(), quote == "\"" || quote == "'" {
                        advance()
                        while let scalar = peek(), scalar != quote {
                            value.unicodeScalars.append(scalar)
                            advance()
                        }
                        advance()
                    } else {
                        while let scalar = peek(), !scalar.properties.isWhitespace, scalar != ">" {
                            value.unicodeScalars.append(scalar)
                            advance()
                        }
                    }
                }
                if !key.isEmpty { attributes[key.lowercased()] = decodeEntities(value) }
            }
            advance()  // the ">" (or the end)
            return Tag(name: name.lowercased(), closing: closing, attributes: attributes)
        }

        /// Skips past `</name>` (or to the end).
        mutating func skip(untilClosing name: String) {
            while index < scalars.count {
                if peek() == "<", peek(1) == "/" {
                    let start = index
                    if let tag = self.tag(), tag.closing, tag.name == name { return }
                    index = max(index, start + 1)
                } else {
                    advance()
                }
            }
        }
    }

    /// The entities that matter in an attribute (so `&#106;avascript:` is seen as `javascript:`).
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";") else {
                output += "&"
                rest = rest.dropFirst()
                continue
            }
            let entity = rest[rest.index(after: rest.startIndex)..<semicolon]
            var decoded: Character? = nil
            switch entity.lowercased() {
            case "amp": decoded = "&"
            case "lt": decoded = "<"
            case "gt": decoded = ">"
            case "quot": decoded = "\""
            case "apos": decoded = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    decoded = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map(Character.init)
                } else if entity.hasPrefix("#") {
                    decoded = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map(Character.init)
                }
            }
            if let decoded {
                output.append(decoded)
                rest = rest[rest.index(after: semicolon)...]
            } else {
                output += "&"
                rest = rest.dropFirst()
            }
        }
        return output + rest
    }
}
