import ArgumentParser
import Audit
import EventLog
import Foundation
import Postgres
import Projections
import Reports
import Settings
import Synchronization
import Vocabulary

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit trail: a character's state at any past moment, what changed and when.",
        discussion: """
            Answers come from the event log itself, through an index of it (schema audit) that each \
            command brings up to date first and that `audit reindex` rebuilds from the log. They \
            include removed characters whose events were not purged.

            Moments (--time, --from, --to, --since, --until) are: now; a date (2026-12-01, \
            midnight UTC); a date and time (2026-12-01T12:30 or 2026-12-01 12:30:00Z, UTC unless an \
            offset is given); or a time before now (-3d, -12h, -30m, -2w).

            CHARACTER is an id or a name (a unique prefix of a name will do); a removed \
            character is found by its id. Sections are the log's section names, e.g. assets, \
            location, ship, skills, wallet_balance, wallet_journal, mails, contacts, \
            character_details, corporation_history, implants, jump_clones, contracts.
            """,
        subcommands: [
            AuditAt.self, AuditDiffCommand.self, AuditTimelineCommand.self, AuditSeriesCommand.self,
            AuditFindCommand.self, AuditVerifyCommand.self, AuditReindex.self,
        ]
    )
}

/// Opens the database, makes sure the read models (for names) and the audit index are current,
/// and runs `body` on one connection.
func withAuditIndex<T: Sendable>(
    _ global: GlobalOptions,
    _ body: @escaping @Sendable (PostgresConnection) throws -> T
) async throws -> T {
    try await withReadModels(global) { database in
        try await catchUpAuditIndex(database.pool)
        return try await database.pool.withConnection { try body($0) }
    }
}

/// Brings the audit index up to date, with progress when that takes a while.
func catchUpAuditIndex(_ pool: PostgresPool, rebuild: Bool = false) async throws {
    let started = Date()
    let last = Mutex(Date())
    let index = AuditIndex(pool: pool)
    let report: @Sendable (AuditIndex.Progress) -> Void = { progress in
        let now = Date()
        let due = last.withLock { last in
            guard now.timeIntervalSince(last) >= 5 else { return false }
            last = now
            return true
        }
        if due {
            printError(
                "audit index: position \(progress.indexed) of \(progress.head), \(progress.changes) changes, "
                    + String(format: "%.0f s", now.timeIntervalSince(started))
            )
        }
    }
    let done = rebuild ? try await index.rebuild(progress: report) : try await index.catchUp(progress: report)
    if Date().timeIntervalSince(started) >= 5 || rebuild {
        printError(
            "audit index: indexed through position \(done.indexed), \(done.changes) changes, "
                + String(format: "%.1f s", Date().timeIntervalSince(started))
        )
    }
}

/// A character by id (also one only the log knows, e.g. removed) or by name.
func resolveAuditCharacter(_ text: String, on connection: PostgresConnection) throws -> (id: Int64, name: String) {
    if let id = Int64(text), let name = try AuditIndex.knownName(of: id, on: connection) { return (id, name) }
    return try CharacterQueries.resolve(text, on: connection)
}

func parseMoment(_ text: String?, _ option: String) throws -> Date? {
    guard let text else { return nil }
    do {
        return try AuditTime.parse(text)
    } catch let error as AuditError {
        throw ValidationError("--\(option): \(error.description)")
    }
}

func validateSections(_ sections: [String]) throws {
    let known = Set(PointInTime.sections.keys)
    for section in sections where !known.contains(section) {
        throw ValidationError("no section named \(section); they are: \(known.sorted().joined(separator: ", "))")
    }
}

struct AuditAt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "at",
        abstract: "A character's sections as they were at a moment.",
        discussion: """
            Snapshot sections (assets, location, skills, ...) show the newest payload fetched at or \
            before --time; accumulating ones (wallet_journal, wallet_transactions, mails, contracts, \
            mining_ledger) everything known by then. Each section starts with its coverage: when it \
            was last fetched before the moment, when its data arrived, whether it was stale (older \
            than twice its sync period) or failing then, or that there was no data yet.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The character: an id or a name.") var character: String
    @Option(parsing: .unconditional, help: "The moment (default: now).") var time: String = "now"
    @Option(name: .customLong("section"), help: "Only this section (repeatable).") var sections: [String] = []
    @Option(help: "Output format: table, json or csv.") var format: ShowFormat = .table

    func validate() throws {
        try validateSections(self.sections)
        _ = try parseMoment(self.time, "time")
    }

    func run() async throws {
        let time = try parseMoment(self.time, "time")!
        let (character, sections) = (self.character, self.sections.isEmpty ? nil : self.sections)
        let state = try await withAuditIndex(self.global) { connection in
            let (id, name) = try resolveAuditCharacter(character, on: connection)
            return try AuditAsOf.state(of: id, name: name, at: time, sections: sections, on: connection)
        }
        switch self.format {
        case .json: print(try DisplayRendering.json(state))
        case .csv: print(DisplayRendering.csv(state))
        case .table:
            print("\(state.name) (\(state.id)) as of \(time.formatted(.iso8601))")
            print(DisplayRendering.table(state).split(separator: "\n", maxSplits: 1).dropFirst().joined())
        }
    }
}

struct AuditDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed in a character's sections between two moments.",
        discussion: """
            In domain terms: items added, removed, moved and restacked, with types and places; \
            skills trained and skill points gained; the wallet's change with the journal entries \
            and transactions that arrived; contacts and standings; corporation and alliance \
            changes; implants and clones; new mails; contracts opened and closed; location and ship.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The character: an id or a name.") var character: String
    @Option(parsing: .unconditional, help: "The earlier moment.") var from: String
    @Option(parsing: .unconditional, help: "The later moment (default: now).") var to: String = "now"
    @Option(name: .customLong("section"), help: "Only this section (repeatable).") var sections: [String] = []
    @Option(help: "Output format: table, json or csv.") var format: ShowFormat = .table

    func validate() throws {
        try validateSections(self.sections)
        guard let from = try parseMoment(self.from, "from"), let to = try parseMoment(self.to, "to") else { return }
        guard from <= to else { throw ValidationError("--from must not be later than --to") }
    }

    func run() async throws {
        let (from, to) = (try parseMoment(self.from, "from")!, try parseMoment(self.to, "to")!)
        let (character, sections) = (self.character, self.sections.isEmpty ? nil : self.sections)
        let (name, diffs) = try await withAuditIndex(self.global) { connection in
            let (id, name) = try resolveAuditCharacter(character, on: connection)
            return (
                "\(name) (\(id))", try AuditDiff.diff(of: id, from: from, to: to, sections: sections, on: connection)
            )
        }
        switch self.format {
        case .table:
            print("\(name): \(from.formatted(.iso8601)) → \(to.formatted(.iso8601))")
            if diffs.isEmpty { print("no changes") }
            for diff in diffs {
                print("\n== \(diff.section) ==")
                for line in diff.lines { print("  \(line)") }
            }
        case .json: try printJSON(diffs)
        case .csv:
            let table = ReportTable(
                name: "diff",
                columns: ["section", "change"],
                rows: diffs.flatMap { diff in diff.lines.map { [ReportValue.text(diff.section), .text($0)] } }
            )
            print(table.csv(), terminator: "")
        }
    }
}

struct AuditTimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Each moment something about a character changed, failed or went silent.",
        discussion: """
            A change is a fetch whose payload differs from the one before it, with a one-line \
            summary. Failed fetches, silences (a section not fetched for more than three sync \
            periods) and token events (revoked, moved to another account) show the gaps in coverage.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The character: an id or a name.") var character: String
    @Option(name: .customLong("section"), help: "Only this section (repeatable).") var sections: [String] = []
    @Option(parsing: .unconditional, help: "From this moment.") var since: String?
    @Option(parsing: .unconditional, help: "Until this moment.") var until: String?
    @OptionGroup var output: ReportOutput

    func validate() throws {
        try validateSections(self.sections)
        _ = try parseMoment(self.since, "since")
        _ = try parseMoment(self.until, "until")
    }

    func run() async throws {
        let (since, until) = (try parseMoment(self.since, "since"), try parseMoment(self.until, "until"))
        let (character, sections) = (self.character, self.sections.isEmpty ? nil : self.sections)
        let entries = try await withAuditIndex(self.global) { connection in
            let (id, _) = try resolveAuditCharacter(character, on: connection)
            return try AuditTimeline.timeline(of: id, sections: sections, since: since, until: until, on: connection)
        }
        let table = ReportTable(
            name: "timeline",
            columns: ["time", "kind", "section", "what"],
            rows: entries.map {
                [.text(formatTime($0.time)), .text($0.kind.rawValue), .text($0.section), .text($0.text)]
            }
        )
        try self.output.write(table, empty: "nothing in this period")
    }
}

struct AuditSeriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "A metric of a character over time, one point per fetch.",
        discussion: """
            Metrics: wallet (ISK), skillpoints (total SP), assets-value (ISK, at the market prices \
            known now), location (the solar system). For charts and export: --format csv or json.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The character: an id or a name.") var character: String
    @Option(help: "wallet, skillpoints, assets-value or location.") var metric: String
    @Option(parsing: .unconditional, help: "From this moment.") var since: String?
    @Option(parsing: .unconditional, help: "Until this moment.") var until: String?
    @OptionGroup var output: ReportOutput

    func validate() throws {
        guard SeriesMetric(rawValue: self.metric) != nil else {
            throw ValidationError(
                "no metric \(self.metric); they are: \(SeriesMetric.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        _ = try parseMoment(self.since, "since")
        _ = try parseMoment(self.until, "until")
    }

    func run() async throws {
        let metric = SeriesMetric(rawValue: self.metric)!
        let (since, until) = (try parseMoment(self.since, "since"), try parseMoment(self.until, "until"))
        let character = self.character
        let points = try await withAuditIndex(self.global) { connection in
            let (id, _) = try resolveAuditCharacter(character, on: connection)
            return try AuditSeries.series(of: id, metric: metric, since: since, until: until, on: connection)
        }
        let table =
            metric == .location
            ? ReportTable(
                name: "series",
                columns: ["time", "solar_system_id", "solar_system"],
                rows: points.map {
                    [.text(formatTime($0.time)), $0.id.map(ReportValue.int) ?? .null, .text($0.label ?? "")]
                }
            )
            : ReportTable(
                name: "series",
                columns: ["time", metric.rawValue],
                rows: points.map { [.text(formatTime($0.time)), $0.value.map(ReportValue.double) ?? .null] }
            )
        try self.output.write(table, empty: "no fetches in this period")
    }
}

struct AuditFindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Across all characters: who held a type, who was somewhere, who dealt with someone.",
        discussion: """
            Exactly one of: --type (an item type's name or id: who held it at --time, where, how \
            many), --location (a solar system, station or structure: who was there at --time), \
            --counterparty (a character, corporation or alliance: who traded, mailed or contracted \
            with it, how often and when, within --since/--until).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "An item type: its name or id.") var type: String?
    @Option(help: "A solar system, station or structure: its name or id.") var location: String?
    @Option(help: "A character, corporation or alliance: its name or id.") var counterparty: String?
    @Option(parsing: .unconditional, help: "The moment, for --type and --location (default: now).") var time: String =
        "now"
    @Option(parsing: .unconditional, help: "From this moment, for --counterparty.") var since: String?
    @Option(parsing: .unconditional, help: "Until this moment, for --counterparty.") var until: String?
    @OptionGroup var output: ReportOutput

    func validate() throws {
        guard [self.type, self.location, self.counterparty].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --type, --location and --counterparty")
        }
        _ = try parseMoment(self.time, "time")
        _ = try parseMoment(self.since, "since")
        _ = try parseMoment(self.until, "until")
    }

    func run() async throws {
        let time = try parseMoment(self.time, "time")!
        let (since, until) = (try parseMoment(self.since, "since"), try parseMoment(self.until, "until"))
        let (type, location, counterparty) = (self.type, self.location, self.counterparty)
        let table = try await withAuditIndex(self.global) { connection -> ReportTable in
            if let type {
                let id = try AuditFind.resolve(type, as: .type, on: connection)
                let rows = try AuditFind.holders(of: id, at: time, on: connection)
                return ReportTable(
                    name: "holders",
                    columns: ["character_id", "character", "location_id", "location", "quantity", "items", "seen_at"],
                    rows: rows.map {
                        [
                            .int($0.characterID), .text($0.character), $0.locationID.map(ReportValue.int) ?? .null,
                            .text($0.location ?? ""), .int($0.quantity ?? 0), .int(Int64($0.items ?? 0)),
                            .text($0.seenAt.map(formatTime) ?? ""),
                        ]
                    }
                )
            }
            if let location {
                let id = try AuditFind.resolve(location, as: .location, on: connection)
                let rows = try AuditFind.present(at: id, time: time, on: connection)
                return ReportTable(
                    name: "present",
                    columns: ["character_id", "character", "location_id", "location", "seen_at"],
                    rows: rows.map {
                        [
                            .int($0.characterID), .text($0.character), $0.locationID.map(ReportValue.int) ?? .null,
                            .text($0.location ?? ""), .text($0.seenAt.map(formatTime) ?? ""),
                        ]
                    }
                )
            }
            let id = try AuditFind.resolve(counterparty!, as: .entity, on: connection)
            let rows = try AuditFind.dealings(with: id, since: since, until: until, on: connection)
            return ReportTable(
                name: "dealings",
                columns: ["character_id", "character", "kind", "count", "first", "last"],
                rows: rows.map {
                    [
                        .int($0.characterID), .text($0.character), .text($0.kind ?? ""), .int(Int64($0.count ?? 0)),
                        .text($0.first.map(formatTime) ?? ""), .text($0.last.map(formatTime) ?? ""),
                    ]
                }
            )
        }
        try self.output.write(table, empty: "nobody")
    }
}

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the event log's integrity; exit 1 on any problem.",
        discussion: """
            Decompresses every payload and recomputes its SHA-256; checks every event's references \
            (its payload is stored with the size the event gives, a 304 confirms a payload an \
            earlier fetch delivered, its append is recorded and contains it, its stream name is \
            well formed, the head is not behind it); and checks that the immutability guards of \
            the log's tables and of every partition are in place and enabled.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only the events and payloads of this character (an id).") var character: Int64?
    @Option(help: "Output format: table or json.") var format: ShowFormat = .table

    func run() async throws {
        let settings = try self.global.settings()
        let character = self.character
        let report = try await withMigratedDatabase(settings) { database in
            try await database.pool.withConnection { connection in
                try LogVerification.verify(character: character, on: connection)
            }
        }
        if self.format == .json {
            try printJSON(report)
        } else {
            print("checked \(report.payloadsChecked) payloads and \(report.eventsChecked) events")
            for problem in report.problems { print("PROBLEM \(problem)") }
            print(report.problems.isEmpty ? "no problems found" : "\(report.problems.count) problems found")
        }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}

struct AuditReindex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild the audit index from the whole event log.",
        discussion: "Empties schema audit and indexes every event again; the result equals the incremental index."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await withReadModels(self.global) { database in
            try await catchUpAuditIndex(database.pool, rebuild: true)
        }
    }
}
