import Foundation

/// The lines of a pasted or uploaded text, trimmed, numbered from 1 by position.
///
/// Splitting on the `"\n"` character is not enough: in Swift `"\r\n"` is one character, so a
/// Windows file or a browser's form field (HTML sends textarea contents with CRLF) would be one
/// long line. A byte-order mark at the start, as Windows editors write it, is not part of the text.
func textLines(_ text: String) -> [(number: Int, text: String)] {
    let body = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
    return body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().map {
        (number: $0.offset + 1, text: $0.element.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
