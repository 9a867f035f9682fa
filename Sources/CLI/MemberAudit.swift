import ArgumentParser

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
            AuditCommand.self, ServeCommand.self, UsersCommand.self, GroupsCommand.self, StatsCommand.self,
            LogCommand.self,
            ExportCommand.self, PurgeCommand.self, DatabaseCommand.self, ConfigCommand.self, TokenKeyCommand.self,
            SimulatorSubcommand.self,
        ]
    )
}
