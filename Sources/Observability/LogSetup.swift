import Foundation
import Logging

/// How a process logs, set once at its start (`MEMBERAUDIT_LOG_LEVEL`, `MEMBERAUDIT_LOG_FORMAT`):
/// every `Logger` made afterwards writes to standard error at that level, as escaped text lines
/// or as JSON lines with the metadata as fields.
public enum LogSetup {
    public enum Format: String, Sendable, CaseIterable {
        case text
        case json
    }

    /// The settings it reads, for `memberaudit config`.
    public static let known: [(name: String, meaning: String, defaultValue: String)] = [
        ("MEMBERAUDIT_LOG_LEVEL", "trace, debug, info, notice, warning, error or critical", "info"),
        ("MEMBERAUDIT_LOG_FORMAT", "text (escaped lines) or json (one JSON object per line)", "text"),
    ]

    /// The level and format `environment` asks for; a value it does not know is named in the
    /// returned complaint and the default is used (logging must start before anything can fail).
    public static func choice(
        from environment: [String: String]
    ) -> (level: Logger.Level, format: Format, complaint: String?) {
        var complaints = [String]()
        var level = Logger.Level.info
        if let text = environment["MEMBERAUDIT_LOG_LEVEL"], !text.isEmpty {
            if let chosen = Logger.Level(rawValue: text.lowercased()) {
                level = chosen
            } else {
                complaints.append("MEMBERAUDIT_LOG_LEVEL '\(text)' is not a level; logging at info")
            }
        }
        var format = Format.text
        if let text = environment["MEMBERAUDIT_LOG_FORMAT"], !text.isEmpty {
            if let chosen = Format(rawValue: text.lowercased()) {
                format = chosen
            } else {
                complaints.append("MEMBERAUDIT_LOG_FORMAT '\(text)' is neither text nor json; logging as text")
            }
        }
        return (level, format, complaints.isEmpty ? nil : complaints.joined(separator: "; "))
    }

    /// Bootstraps swift-log for this process: call once, before any `Logger` is made.
    public static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let (level, format, complaint) = self.choice(from: environment)
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .text: EscapingLogHandler(label: label)
                case .json: JSONLinesLogHandler(label: label)
                }
            handler.logLevel = level
            return handler
        }
        if let complaint { Logger(label: "memberaudit").warning("\(complaint)") }
    }
}

/// One JSON object per line on standard error: `time`, `level`, `label`, `message`, the source
/// location, and every metadata value as a field of its own, for log collectors.
public struct JSONLinesLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String) {
        self.init(label: label) { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// For tests: `write` receives each line, newline included.
    package init(label: String, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = [String: String]()
        for (key, value) in self.metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = value.description
        }
        fields["time"] = Date().formatted(.iso8601)
        fields["level"] = event.level.rawValue
        fields["label"] = self.label
        fields["message"] = event.message.description
        fields["source"] = "\(event.file):\(event.line)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(fields) else { return }
        self.write(String(decoding: data, as: UTF8.self) + "\n")
    }
}
