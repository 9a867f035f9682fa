import Foundation
import Vocabulary

/// The program's configuration: `MEMBERAUDIT_*` environment variables over an optional file.
///
/// The file (`--config FILE` or `MEMBERAUDIT_CONFIG`) holds `NAME=value` lines with the same names
/// as the variables; `#` starts a comment; values may be quoted. The environment wins over the file.
public struct Settings: Sendable {
    /// Every setting this program reads, with its meaning and default, for `--help` and the README.
    public static let known: [(name: String, meaning: String, defaultValue: String)] = [
        (
            "MEMBERAUDIT_DATABASE_URL", "libpq connection string or URI of an existing PostgreSQL server",
            "(embedded server)"
        ),
        (
            "MEMBERAUDIT_DATA_DIR", "folder of the embedded PostgreSQL server and other local data",
            "/var/lib/memberaudit as root, else $XDG_DATA_HOME/memberaudit or ~/.local/share/memberaudit"
        ),
        ("MEMBERAUDIT_CONFIG", "configuration file read before the environment", "(none)"),
        (
            "MEMBERAUDIT_PG_BINDIR", "folder of PostgreSQL's initdb and pg_ctl for the embedded server",
            "the newest /usr/lib/postgresql/N/bin"
        ),
        ("MEMBERAUDIT_PG_SYSTEM_USER", "system user the embedded server runs as when started by root", "postgres"),
        ("MEMBERAUDIT_DB_POOL_SIZE", "connections each process opens at most", "8"),
        (
            "MEMBERAUDIT_TOKEN_KEY",
            "base64 of the 32-byte key encrypting refresh tokens (memberaudit token-key makes one)", "(none)"
        ),
        ("MEMBERAUDIT_TOKEN_KEY_FILE", "file holding that key, instead of MEMBERAUDIT_TOKEN_KEY", "(none)"),
    ]

    /// The merged values, by name.
    public private(set) var values: [String: String]

    /// Where a value came from, for messages.
    public let configFile: String?

    public init(values: [String: String], configFile: String? = nil) {
        self.values = values
        self.configFile = configFile
    }

    /// Loads the file (if any) and overlays the environment's `MEMBERAUDIT_*` variables.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configFile explicitFile: String? = nil
    ) throws(SettingsError) -> Settings {
        var values = [String: String]()
        let file = explicitFile ?? environment["MEMBERAUDIT_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw SettingsError(
                    .unreadableFile,
                    "cannot read the configuration file \(file): \(error.localizedDescription)"
                )
            }
            values = try parseConfigFile(text, name: file)
        }
        for (name, value) in environment where name.hasPrefix("MEMBERAUDIT_") {
            values[name] = value
        }
        return Settings(values: values, configFile: file)
    }

    /// A non-empty value, or nil.
    public func string(_ name: String) -> String? {
        guard let value = self.values[name], !value.isEmpty else { return nil }
        return value
    }

    /// An integer value, the default when unset, an error when not an integer in `range`.
    public func integer(
        _ name: String,
        default defaultValue: Int,
        in range: ClosedRange<Int> = 0...Int.max
    )
        throws(SettingsError) -> Int
    {
        guard let text = self.string(name) else { return defaultValue }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw SettingsError(
                .badValue,
                "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'"
            )
        }
        return value
    }

    public mutating func set(_ name: String, _ value: String?) { self.values[name] = value }

    // MARK: - Database

    /// The configured server, if any.
    public var databaseURL: String? { self.string("MEMBERAUDIT_DATABASE_URL") }

    /// The local data folder.
    public var dataDirectory: URL {
        if let configured = self.string("MEMBERAUDIT_DATA_DIR") { return URL(fileURLWithPath: configured) }
        let environment = ProcessInfo.processInfo.environment
        if geteuid() == 0 { return URL(fileURLWithPath: "/var/lib/memberaudit") }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appending(path: "memberaudit")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appending(path: ".local/share/memberaudit")
    }
}

/// A configuration problem: its code and a message in words a user can act on. Bad
/// configuration is bad input, the operator's.
public typealias SettingsError = ModuleError<SettingsErrorCodes>

/// The codes of ``SettingsError``.
public enum SettingsErrorCodes {}

extension ErrorCode where Owner == SettingsErrorCodes {
    public static let unreadableFile = Self("unreadable_file", .invalidInput)
    /// A line of the file is not `NAME=value`.
    public static let badLine = Self("bad_line", .invalidInput)
    /// A name that starts like a setting but is none.
    public static let unknownSetting = Self("unknown_setting", .invalidInput)
    /// A setting's value is not one it takes.
    public static let badValue = Self("bad_value", .invalidInput)
    /// A setting the command needs is not set.
    public static let missing = Self("missing", .invalidInput)
    /// A setting given where it may not be used (a simulated clock against the real ESI).
    public static let notAllowedHere = Self("not_allowed_here", .invalidInput)
}

/// Parses `NAME=value` lines. Lines end in LF or CRLF (in Swift `"\r\n"` is one character, so
/// splitting on `"\n"` would make a Windows file one line); a leading byte-order mark is skipped.
func parseConfigFile(_ text: String, name: String) throws(SettingsError) -> [String: String] {
    var values = [String: String]()
    let body = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
    for (number, rawLine) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { continue }
        guard let equals = line.firstIndex(of: "=") else {
            throw SettingsError(.badLine, "\(name):\(number + 1): expected NAME=value, found '\(line)'")
        }
        let key = line[..<equals].trimmingCharacters(in: .whitespaces)
        var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard key.hasPrefix("MEMBERAUDIT_"), key.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) else {
            throw SettingsError(
                .unknownSetting,
                "\(name):\(number + 1): '\(key)' is not a setting (names start with MEMBERAUDIT_)"
            )
        }
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            value = String(value.dropFirst().dropLast())
        }
        values[key] = value
    }
    return values
}
