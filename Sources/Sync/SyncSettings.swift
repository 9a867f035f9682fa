import ESI
import Foundation
import Settings
import Vocabulary

/// The sync engine's settings, read from `MEMBERAUDIT_*` names (the original's where it has one).
public struct SyncSettings: Sendable {
    public var esi = ESIConfiguration()
    public var sso: SSOConfiguration
    public var userAgent = "memberaudit-swift/0.1 (+https://github.com/memberaudit-swift; admin@example.invalid)"
    /// Pause before ESI's error limit falls to this many errors left.
    public var errorLimitThreshold = 25
    public var maxMails = 250
    public var staleMinutes: [Section: Int] = [:]
    public var locationStaleHours = 24
    public var rolesEnabled = false
    public var notifyTokenErrors = true
    /// Fetches running at once in one process.
    public var concurrency = 64
    /// How long a claimed section stays leased without a heartbeat.
    public var leaseSeconds = 120
    /// The time fetches are dated by and tokens expire by: the system's, or (demos and tests
    /// against the simulator) one started in the past. Kept in the SSO configuration.
    public var clock: TimeSource {
        get { self.sso.clock }
        set { self.sso.clock = newValue }
    }

    public init(sso: SSOConfiguration) { self.sso = sso }

    /// The sections the engine syncs (roles only when enabled, as in the original).
    public var sections: [Section] { Section.allCases.filter { $0 != .roles || self.rolesEnabled } }

    public func staleMinutes(for section: Section) -> Int { self.staleMinutes[section] ?? section.defaultStaleMinutes }

    /// The configured sections and their minutes between syncs (what the token report checks).
    public var staleMinutesBySection: [Section: Int] {
        Dictionary(uniqueKeysWithValues: self.sections.map { ($0, self.staleMinutes(for: $0)) })
    }

    /// Every setting this reads, for `memberaudit config` and the README.
    public static let known: [(name: String, meaning: String, defaultValue: String)] = [
        (
            "MEMBERAUDIT_ESI_BASE_URL", "ESI's base URL (the simulator's for the demo and tests)",
            ESIConfiguration.tranquility
        ),
        ("MEMBERAUDIT_SSO_BASE_URL", "EVE SSO's base URL", SSOConfiguration.tranquility),
        ("MEMBERAUDIT_SSO_CLIENT_ID", "the application's client id at EVE SSO", "(required to sync)"),
        ("MEMBERAUDIT_SSO_CLIENT_SECRET", "the application's secret key at EVE SSO", "(required to sync)"),
        (
            "MEMBERAUDIT_ESI_USER_AGENT", "User-Agent sent to ESI: app name and a contact address",
            "memberaudit-swift/0.1 (...)"
        ),
        ("MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD", "errors left in ESI's window at which all workers pause", "25"),
        ("MEMBERAUDIT_ESI_TIMEOUT_SECONDS", "seconds one ESI request may take", "30"),
        ("MEMBERAUDIT_MAX_MAILS", "newest mail headers fetched per sync", "250"),
        ("MEMBERAUDIT_SECTION_STALE_MINUTES_GLOBAL_DEFAULT", "minutes before a section is due again", "240"),
        (
            "MEMBERAUDIT_SECTION_STALE_MINUTES_CONFIG",
            "per-section minutes as JSON, e.g. {\"location\": 30}",
            "location, online_status, ship, skill_queue 60; assets, attributes, corporation_history, fw_stats, loyalty, titles 480"
        ),
        ("MEMBERAUDIT_SECTION_STALE_MINUTES_<SECTION>", "minutes for one section, e.g. ..._LOCATION=30", "(as above)"),
        ("MEMBERAUDIT_LOCATION_STALE_HOURS", "hours before a station or structure is fetched again", "24"),
        ("MEMBERAUDIT_FEATURE_ROLES_ENABLED", "also sync corporation roles", "false"),
        ("MEMBERAUDIT_NOTIFY_TOKEN_ERRORS", "notify a character's owner when its token is revoked", "true"),
        ("MEMBERAUDIT_SYNC_CONCURRENCY", "ESI fetches in flight at once per process", "64"),
        ("MEMBERAUDIT_SYNC_LEASE_SECONDS", "seconds a claimed section stays leased without a heartbeat", "120"),
        (
            "MEMBERAUDIT_CLOCK_START",
            "simulator only: the command starts at this past ISO 8601 time and its clock runs on from there",
            "(the system clock)"
        ),
    ]

    /// Reads the settings. The SSO client id and secret are checked only by what needs them.
    public static func load(from settings: Settings) throws(SettingsError) -> SyncSettings {
        var sync = SyncSettings(
            sso: SSOConfiguration(
                baseURL: settings.string("MEMBERAUDIT_SSO_BASE_URL") ?? SSOConfiguration.tranquility,
                clientID: settings.string("MEMBERAUDIT_SSO_CLIENT_ID") ?? "",
                clientSecret: settings.string("MEMBERAUDIT_SSO_CLIENT_SECRET") ?? ""
            )
        )
        sync.esi = ESIConfiguration(
            baseURL: settings.string("MEMBERAUDIT_ESI_BASE_URL") ?? ESIConfiguration.tranquility
        )
        sync.esi.timeout = TimeInterval(
            try settings.integer("MEMBERAUDIT_ESI_TIMEOUT_SECONDS", default: 30, in: 1...600)
        )
        if let agent = settings.string("MEMBERAUDIT_ESI_USER_AGENT") { sync.userAgent = agent }
        sync.errorLimitThreshold = try settings.integer(
            "MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD",
            default: 25,
            in: 1...99
        )
        sync.maxMails = try settings.integer("MEMBERAUDIT_MAX_MAILS", default: 250, in: 1...100_000)
        sync.locationStaleHours = try settings.integer("MEMBERAUDIT_LOCATION_STALE_HOURS", default: 24, in: 1...10_000)
        sync.rolesEnabled = try boolean(settings, "MEMBERAUDIT_FEATURE_ROLES_ENABLED", default: false)
        sync.notifyTokenErrors = try boolean(settings, "MEMBERAUDIT_NOTIFY_TOKEN_ERRORS", default: true)
        sync.concurrency = try settings.integer("MEMBERAUDIT_SYNC_CONCURRENCY", default: 64, in: 1...1024)
        sync.leaseSeconds = try settings.integer("MEMBERAUDIT_SYNC_LEASE_SECONDS", default: 120, in: 2...86_400)

        let global = try settings.integer(
            "MEMBERAUDIT_SECTION_STALE_MINUTES_GLOBAL_DEFAULT",
            default: 240,
            in: 1...100_000
        )
        for section in Section.allCases where section.defaultStaleMinutes == 240 {
            sync.staleMinutes[section] = global
        }
        if let text = settings.string("MEMBERAUDIT_SECTION_STALE_MINUTES_CONFIG") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw SettingsError(
                    .badValue,
                    "MEMBERAUDIT_SECTION_STALE_MINUTES_CONFIG must be a JSON object of section names to minutes, not '\(text)'"
                )
            }
            for (name, value) in object {
                guard let section = Section(rawValue: name) else {
                    throw SettingsError(
                        .badValue,
                        "MEMBERAUDIT_SECTION_STALE_MINUTES_CONFIG names '\(name)', which is not a section; sections are \(Section.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                guard let minutes = value as? Int, minutes > 0 else {
                    throw SettingsError(
                        .badValue,
                        "MEMBERAUDIT_SECTION_STALE_MINUTES_CONFIG: \(name) must be a positive number of minutes"
                    )
                }
                sync.staleMinutes[section] = minutes
            }
        }
        if let start = settings.string("MEMBERAUDIT_CLOCK_START") {
            sync.clock = .starting(at: try clockStart(start, esi: sync.esi))
        }
        for section in Section.allCases {
            let name = "MEMBERAUDIT_SECTION_STALE_MINUTES_\(section.rawValue.uppercased())"
            if settings.string(name) != nil {
                sync.staleMinutes[section] = try settings.integer(name, default: 0, in: 1...100_000)
            }
        }
        return sync
    }

    /// Checks what syncing needs and says how to fix what is missing.
    public func requireSSOCredentials() throws(SettingsError) {
        guard !self.sso.clientID.isEmpty, !self.sso.clientSecret.isEmpty else {
            throw SettingsError(
                .missing,
                "MEMBERAUDIT_SSO_CLIENT_ID and MEMBERAUDIT_SSO_CLIENT_SECRET must be set: register an application at https://developers.eveonline.com (for the simulator: memberaudit-demo / memberaudit-demo-secret)"
            )
        }
    }
}

private func boolean(_ settings: Settings, _ name: String, default defaultValue: Bool) throws(SettingsError) -> Bool {
    guard let text = settings.string(name)?.lowercased() else { return defaultValue }
    switch text {
    case "1", "true", "yes", "on": return true
    case "0", "false", "no", "off": return false
    default: throw SettingsError(.badValue, "\(name) must be true or false, not '\(text)'")
    }
}

/// A demo's or test's start of time: a past ISO 8601 instant, and never against the real ESI,
/// whose tokens and cache headers follow the real clock.
private func clockStart(_ text: String, esi: ESIConfiguration) throws(SettingsError) -> Date {
    let formatter = ISO8601DateFormatter()
    let withFraction = ISO8601DateFormatter()
    withFraction.formatOptions.insert(.withFractionalSeconds)
    guard text.utf8.count <= 64, let start = formatter.date(from: text) ?? withFraction.date(from: text) else {
        throw SettingsError(
            .badValue,
            "MEMBERAUDIT_CLOCK_START must be an ISO 8601 time such as 2026-11-26T00:00:00Z, not '\(text)'"
        )
    }
    guard start.timeIntervalSinceNow <= 60, start.timeIntervalSince1970 >= 0 else {
        throw SettingsError(.badValue, "MEMBERAUDIT_CLOCK_START must be a past time after 1970, not \(text)")
    }
    guard URL(string: esi.baseURL)?.host()?.hasSuffix("evetech.net") != true else {
        throw SettingsError(
            .notAllowedHere,
            "MEMBERAUDIT_CLOCK_START is for the simulator (set MEMBERAUDIT_ESI_BASE_URL to it); the real ESI runs on the real clock"
        )
    }
    return start
}
