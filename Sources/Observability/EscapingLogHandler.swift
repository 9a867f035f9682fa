import Logging

/// swift-log's standard-error handler with every message and metadata value escaped: a name, a
/// path or an error text from a user or from ESI that holds a line break or a terminal escape
/// cannot forge a log line or rewrite the operator's screen.
public struct EscapingLogHandler: LogHandler {
    private var inner: StreamLogHandler

    public init(label: String) { self.inner = StreamLogHandler.standardError(label: label) }

    public var logLevel: Logger.Level {
        get { self.inner.logLevel }
        set { self.inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { self.inner.metadata }
        set { self.inner.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.inner[metadataKey: key] }
        set { self.inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(escapedForLog(event.message.description))"
        event.metadata = event.metadata?.mapValues { .string(escapedForLog($0.description)) }
        self.inner.log(event: event)
    }
}

/// `text` on one line: control characters (CR, LF, ESC, ...) and Unicode's line and paragraph
/// separators as `\n`, `\r`, `\u{1B}`, `\u{2028}`.
public func escapedForLog(_ text: String) -> String {
    func breaks(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
    guard text.unicodeScalars.contains(where: breaks) else { return text }
    var escaped = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        case "\t": escaped += "\\t"
        case _ where breaks(scalar):
            escaped += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped
}
