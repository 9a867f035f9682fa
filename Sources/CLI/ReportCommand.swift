import ArgumentParser
import Foundation
import Postgres
import Reports
import Settings
import Sync
import Vocabulary

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compliance, corporation, membership, skill-set and token-health reports.",
        discussion: """
            Computed from the registry, the read models and the skill-set checks (memberaudit \
            project or a running worker keeps them current). The command line runs as an \
            administrator: every user and character is included. Tables are for reading; csv and \
            json have stable column names for scripts.
            """,
        subcommands: [
            ComplianceReport.self, CorporationsReport.self, MembershipReport.self, SkillSetsReport.self,
            TokensReport.self,
        ]
    )
}

/// Options every report takes.
struct ReportOutput: ParsableArguments {
    @Option(help: "Output format: table, csv or json.")
    var format: ShowFormat = .table

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    func write(_ table: ReportTable, empty: String) throws {
        let text: String
        switch self.format {
        case .table:
            text = table.rows.isEmpty ? empty + "\n" : table.text() + "\n"
        case .csv: text = table.csv()
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            text = String(decoding: try encoder.encode(table), as: UTF8.self) + "\n"
        }
        guard let output = self.output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw ValidationError("cannot write \(output): \(error.localizedDescription)")
        }
        printError("wrote \(table.rows.count) rows to \(output)")
    }
}

/// Opens the migrated database with its read models current, and runs a report on one connection.
func runReport(
    _ global: GlobalOptions,
    _ body: @escaping @Sendable (PostgresConnection) throws -> ReportTable
)
    async throws -> ReportTable
{
    try await withReadModels(global) { database in
        try try await database.pool.withConnection { try body($0) }
    }
}

struct ComplianceReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compliance",
        abstract: "Per user: main, organisation, characters known, registered and unregistered.",
        discussion: """
            Known characters are those the user proved to own through the SSO: registered ones and \
            ones only logged in with (memberaudit characters claim), including removed ones. A user \
            is compliant when every known character is registered; a user without a main never is.
            """
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: ReportOutput
    @Option(help: "Only users whose main is in this corporation or alliance (id or name).")
    var organisation: String?
    @Flag(help: "Only users who are not compliant.")
    var nonCompliant = false

    func run() async throws {
        let (organisation, nonCompliant) = (self.organisation, self.nonCompliant)
        let table = try await runReport(self.global) {
            try Reports.compliance(organisation: organisation, nonCompliantOnly: nonCompliant, on: $0)
        }
        try self.output.write(table, empty: "no users")
    }
}

struct CorporationsReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corporations",
        abstract: "Per main's corporation: mains, characters, unregistered, percentage and compliance.",
        discussion: "compliant: every character registered; partly: at least 85 %; not: below."
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: ReportOutput

    func run() async throws {
        let table = try await runReport(self.global) { try Reports.corporations(on: $0) }
        try self.output.write(table, empty: "no users")
    }
}

struct MembershipReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "membership",
        abstract: "Members of a corporation that are not registered at all.",
        discussion: """
            For each corporation whose member list was fetched with a director's token (a character \
            registered with esi-corporations.read_corporation_membership.v1), every member in its \
            newest list that is not registered, and the user it is known to belong to, if any.
            """
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: ReportOutput
    @Option(help: "Only this corporation (id or name).")
    var corporation: String?

    func run() async throws {
        let corporation = self.corporation
        let table = try await runReport(self.global) { try Reports.membership(corporation: corporation, on: $0) }
        try self.output.write(
            table,
            empty: "no unregistered members (or no member list fetched: it needs a director's membership scope)"
        )
    }
}

struct SkillSetsReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skillsets",
        abstract: "Per group and character, the skill sets they can fly; or who is closest to each set.",
        discussion: """
            "Can fly" means every required level is met with the character's active skill levels. \
            With --closest: per set, how many can fly it and the characters nearest to it among \
            those who cannot, by training time to the required levels at their current attributes.
            """
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: ReportOutput
    @Option(help: "Only this group (\"[Ungrouped]\" for sets in none).")
    var group: String?
    @Flag(help: "Only characters who can fly at least one set of the group.")
    var canFly = false
    @Flag(help: "Per set, the characters closest to flying it.")
    var closest = false
    @Option(help: "With --closest: characters per set.")
    var top = 3
    @Option(help: "With --closest: only this set.")
    var set: String?

    func validate() throws {
        guard (1...1_000).contains(self.top) else { throw ValidationError("--top must be between 1 and 1000") }
    }

    func run() async throws {
        let (group, canFly, closest, top, set) = (self.group, self.canFly, self.closest, self.top, self.set)
        let table = try await runReport(self.global) { connection in
            closest
                ? try Reports.closest(top: top, set: set, on: connection)
                : try Reports.skillSets(group: group, flyableOnly: canFly, on: connection)
        }
        try self.output.write(table, empty: "no skill-set checks yet (define sets with memberaudit skillsets)")
    }
}

struct TokensReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Characters with invalid tokens, missing scopes, or stale or failing sections.",
        discussion: """
            A section is stale when it has not synced successfully for twice its interval \
            (MEMBERAUDIT_SECTION_STALE_MINUTES_CONFIG, or the default), or never. Missing scopes are \
            those the configured sections need and the character's token lacks.
            """
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: ReportOutput
    @Flag(help: "Every registered character, not only those with a problem.")
    var all = false

    func run() async throws {
        let sync = try SyncSettings.load(from: try self.global.settings())
        let policies = sync.staleMinutesBySection
        let all = self.all
        let table = try await runReport(self.global) { try Reports.tokens(sections: policies, all: all, on: $0) }
        try self.output.write(table, empty: "every token and section is healthy")
    }
}
