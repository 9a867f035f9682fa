import Foundation

/// One statement of an SQL script, with the line it starts on.
package struct SQLStatement: Equatable, Sendable {
    package var text: String
    package var line: Int
}

/// Splits an SQL script into statements at top-level semicolons.
///
/// Knows enough of PostgreSQL's lexical rules not to split inside quoted strings ('...', E'...'),
/// quoted identifiers ("..."), dollar-quoted bodies ($$...$$, $tag$...$tag$) and comments.
package func splitSQLStatements(_ script: String) -> [SQLStatement] {
    let chars = Array(script)
    var statements = [SQLStatement]()
    var current = ""
    var startLine = 1
    var line = 1
    var index = 0
    var hasContent = false

    func finish() {
        let text = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if hasContent && !text.isEmpty { statements.append(SQLStatement(text: text, line: startLine)) }
        current = ""
        hasContent = false
    }

    func take(_ count: Int) {
        for offset in 0..<count where index + offset < chars.count {
            let char = chars[index + offset]
            current.append(char)
            if char == "\n" { line += 1 }
        }
        index += count
    }

    while index < chars.count {
        let char = chars[index]
        let next: Character? = index + 1 < chars.count ? chars[index + 1] : nil
        let startsStatement =
            !char.isWhitespace && char != ";" && !(char == "-" && next == "-") && !(char == "/" && next == "*")
        if !hasContent && startsStatement {
            // Comments and blank lines before a statement are not part of it.
            hasContent = true
            startLine = line
            current = ""
        }
        switch char {
        case "-" where next == "-":
            while index < chars.count && chars[index] != "\n" { take(1) }
        case "/" where next == "*":
            var depth = 0
            repeat {
                if chars[index] == "/" && index + 1 < chars.count && chars[index + 1] == "*" {
                    depth += 1
                    take(2)
                } else if chars[index] == "*" && index + 1 < chars.count && chars[index + 1] == "/" {
                    depth -= 1
                    take(2)
                } else {
                    take(1)
                }
            } while depth > 0 && index < chars.count
        case "'", "\"":
            take(1)
            while index < chars.count {
                if chars[index] == char {
                    if index + 1 < chars.count && chars[index + 1] == char {
                        take(2)  // doubled quote inside the literal
                        continue
                    }
                    take(1)
                    break
                }
                // E'...' strings allow backslash escapes; a backslash before a quote never ends one.
                if chars[index] == "\\" && char == "'" { take(2) } else { take(1) }
            }
        case "$":
            if let tag = dollarTag(chars, at: index) {
                take(tag.count)
                while index < chars.count && !matches(chars, tag, at: index) { take(1) }
                take(tag.count)
            } else {
                take(1)
            }
        case ";":
            take(1)
            finish()
            startLine = line
        default:
            take(1)
        }
    }
    finish()
    return statements
}

/// The dollar-quote opening tag at `index` (`$$` or `$name$`), if there is one.
private func dollarTag(_ chars: [Character], at index: Int) -> [Character]? {
    var end = index + 1
    while end < chars.count, chars[end] == "_" || chars[end].isLetter || (end > index + 1 && chars[end].isNumber) {
        end += 1
    }
    guard end < chars.count, chars[end] == "$" else { return nil }
    return Array(chars[index...end])
}

private func matches(_ chars: [Character], _ tag: [Character], at index: Int) -> Bool {
    guard index + tag.count <= chars.count else { return false }
    return Array(chars[index..<(index + tag.count)]) == tag
}
