import ArgumentParser
import Observability
import Reports
import Settings
import Sync
import Web

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the settings this program reads, their values and defaults."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let settings = try self.global.settings()
        var table = ReportTable(name: "", columns: ["setting", "value", "default", "meaning"])
        for setting in Settings.known + SyncSettings.known + WebConfiguration.known + LogSetup.known {
            let value = settings.string(setting.name)
            // Secrets are never printed: a connection string may hold a password.
            let secret = ["MEMBERAUDIT_DATABASE_URL", "MEMBERAUDIT_TOKEN_KEY", "MEMBERAUDIT_SSO_CLIENT_SECRET"]
                .contains(setting.name)
            let shown = secret && value != nil ? "(set)" : (value ?? "-")
            table.add([setting.name, shown, setting.defaultValue, setting.meaning])
        }
        if let file = settings.configFile { print("configuration file: \(file)\n") }
        print(table.text())
    }
}
