import ArgumentParser
import Foundation
import Logging
import Observability
import Vocabulary

@main
struct MemberAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memberaudit",
        abstract:
            "Audit EVE Online characters: sync them from ESI into an append-only event log, project it into read models, and read them.",
        discussion: """
            Configuration comes from MEMBERAUDIT_* environment variables and an optional file \
            (--config FILE or MEMBERAUDIT_CONFIG). With no MEMBERAUDIT_DATABASE_URL, commands start \
            a private PostgreSQL server in MEMBERAUDIT_DATA_DIR and stop it when they end.
            """,
        subcommands: [
            MigrateCommand.self, CharactersCommand.self, SyncCommand.self, WorkerCommand.self, ProjectCommand.self,
            RebuildCommand.self, ShowCommand.self, OverviewCommand.self, SkillSetsCommand.self, ReportCommand.self,
            AuditCommand.self, ServeCommand.self, RunCommand.self, UsersCommand.self, GroupsCommand.self,
            StatsCommand.self,
            LogCommand.self, UniverseCommand.self,
            ExportCommand.self, PurgeCommand.self, DatabaseCommand.self, ConfigCommand.self, TokenKeyCommand.self,
            SimulatorSubcommand.self,
        ]
    )

    /// Runs the command line. Exit codes: 0 done, 1 failed, 2 a usage error or a bad value (an
    /// unknown option, a moment outside the years 1 to 9999, a page number out of range, ...),
    /// each with its reason. ArgumentParser's own code for a usage error is 64; the common
    /// convention of command-line tools (and scripts that call us) is 2.
    /// The exit status of a failure of each kind: the one place they are decided.
    static func exitStatus(for kind: ErrorKind) -> Int32 {
        switch kind {
        case .invalidInput: 2
        case .notFound, .forbidden, .conflict, .unavailable, .failure: 1
        }
    }

    static func main() async {
        // Once, before any logger is made; from the environment only (the configuration file is
        // read later, and a failure to read it must be logged).
        LogSetup.bootstrap()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as any ClassifiedError {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            Foundation.exit(Self.exitStatus(for: error.kind))
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
