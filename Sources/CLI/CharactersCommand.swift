import Application
import ArgumentParser
import ESI
import Foundation
import Postgres
import Projections
import Reports
import Settings
import Sync

struct CharactersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "characters",
        abstract: "Register, claim, list, remove, disable and enable characters.",
        subcommands: [
            AddCharacter.self, ClaimCharacter.self, ListCharacters.self, RemoveCharacter.self, DisableCharacter.self,
            EnableCharacter.self, ListNotifications.self,
        ]
    )
}

struct AddCharacter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a character from an EVE SSO refresh token.",
        discussion: """
            The token is refreshed once at the SSO (configured by MEMBERAUDIT_SSO_BASE_URL, \
            MEMBERAUDIT_SSO_CLIENT_ID and MEMBERAUDIT_SSO_CLIENT_SECRET); the character's id, name, \
            owner hash and scopes come from the verified access token. The refresh token the SSO \
            returns is stored encrypted, and every section is queued for a sync now. Adding a \
            character again replaces its token and lifts a suspension. Pass "-" to read tokens \
            from standard input, one per line (several characters at once; this also keeps them out \
            of the process list).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The refresh token, or - to read it from standard input.")
    var refreshToken: String

    @Option(help: "The user who owns the character (created if new; default: the character's name).")
    var user: String?

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let context = try SyncContext(self.global)
        try context.sync.requireSSOCredentials()
        // "-": one token per line of standard input (several characters at once).
        let tokens = readTokens(self.refreshToken)
        guard !tokens.isEmpty else { throw ValidationError("the refresh token is empty") }
        let (registered, failures) = try await context.withMigratedDatabase { database in
            let http = HTTPClient(userAgent: context.sync.userAgent)
            let registry = Registry(pool: database.pool, cipher: context.cipher)
            var registered = [RegisteredCharacter]()
            var failures = [String]()
            for (index, token) in tokens.enumerated() {
                do {
                    let (character, compliance) = try await CharacterActions.register(
                        refreshToken: token,
                        user: self.user,
                        sso: SSOClient(http: http, configuration: context.sync.sso),
                        sections: context.sync.sections,
                        registry: registry
                    )
                    registered.append(character)
                    reportComplianceChanges(compliance)
                } catch  where tokens.count > 1 {
                    failures.append("token \(index + 1): \(error)")
                }
            }
            return (registered, failures)
        }
        switch self.format {
        case .json where tokens.count == 1: try printJSON(registered[0])
        case .json: try printJSON(registered)
        case .table:
            for character in registered {
                print("registered \(character.name) (\(character.id)) for user \(character.user)")
            }
            if let last = registered.last {
                print("scopes: \(last.scopes.count); sections queued: \(context.sync.sections.count)")
            }
        }
        guard failures.isEmpty else {
            for failure in failures { printError("error: \(failure)") }
            throw ExitCode(1)
        }
    }
}

struct ListCharacters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered characters.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let context = try SyncContext(self.global)
        let characters = try await context.withMigratedDatabase { database in
            try await Registry(pool: database.pool, cipher: context.cipher).list()
        }
        switch self.format {
        case .json: try printJSON(characters)
        case .table:
            var table = ReportTable(
                name: "",
                columns: ["id", "name", "user", "main", "token", "enabled", "scopes", "registered"]
            )
            for character in characters {
                table.add([
                    String(character.id), character.name, character.user, character.isMain ? "yes" : "",
                    character.tokenState, character.enabled ? "yes" : "no", String(character.scopes.count),
                    character.registeredAt.formatted(.iso8601),
                ])
            }
            print(
                characters.isEmpty
                    ? "no characters registered (add one with: memberaudit characters add)" : table.text()
            )
            for character in characters where character.tokenError != nil {
                print("\(character.name): \(character.tokenError!)")
            }
        }
    }
}

/// The shared shape of the commands that act on one character id.
protocol CharacterAction: AsyncParsableCommand {
    var global: GlobalOptions { get }
    var id: Int64 { get }
    func act(_ registry: Registry) async throws -> Bool
    var done: String { get }
}

extension CharacterAction {
    func run() async throws {
        let context = try SyncContext(self.global)
        let found = try await context.withMigratedDatabase { database in
            try await self.act(Registry(pool: database.pool, cipher: context.cipher))
        }
        guard found else {
            printError("error: no character \(self.id) is registered (see: memberaudit characters list)")
            throw ExitCode(1)
        }
        print("\(self.done) character \(self.id)")
    }
}

struct RemoveCharacter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a character: its token, queue and read models go; its events stay in the log.",
        discussion: """
            The character is no longer synced, and every row of it in the read models (and its \
            skill-set checks) is deleted in one transaction; a rebuild skips it. Its events stay in \
            the log, so the audit trail of what it had keeps working. Its user is still known to \
            own it, so it counts as unregistered in the compliance reports. Deleting the events too \
            is `memberaudit purge`, the one destructive command.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The character's id.") var id: Int64

    func run() async throws {
        let context = try SyncContext(self.global)
        let removed = try await context.withMigratedDatabase { database in
            try await CharacterActions.remove(self.id, pool: database.pool)
        }
        guard let (removed, compliance) = removed else {
            printError("error: no character \(self.id) is registered or in the log (see: memberaudit characters list)")
            throw ExitCode(1)
        }
        print(
            "removed character \(self.id)\(removed.wasRegistered ? "" : " (it was not registered)"): "
                + "\(removed.readModelRows) read-model rows deleted; its events stay in the log"
        )
        reportComplianceChanges(compliance)
    }
}

struct ClaimCharacter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Record that a user owns a character, without registering it for syncing.",
        discussion: """
            What an EVE SSO login does for a character its owner has not registered: the token \
            (any scopes) is refreshed once and verified, and the character is recorded as the \
            user's. Compliance reports then count it as known but unregistered. Nothing is stored \
            of the token. Pass "-" to read tokens from standard input, one per line.
            """
    )
    @OptionGroup var global: GlobalOptions

    @Option(help: "The refresh token, or - to read tokens from standard input.")
    var refreshToken: String

    @Option(help: "The user who owns the character (created if new; default: the character's name).")
    var user: String?

    func run() async throws {
        let context = try SyncContext(self.global)
        try context.sync.requireSSOCredentials()
        let tokens = readTokens(self.refreshToken)
        guard !tokens.isEmpty else { throw ValidationError("the refresh token is empty") }
        try await context.withMigratedDatabase { database in
            let registry = Registry(pool: database.pool, cipher: context.cipher)
            let sso = SSOClient(http: HTTPClient(userAgent: context.sync.userAgent), configuration: context.sync.sso)
            for token in tokens {
                let claimed = try await registry.claim(refreshToken: token, user: self.user, sso: sso)
                print("\(claimed.characterName) (\(claimed.characterID)) is owned by user \(claimed.user)")
            }
            try await updateComplianceGroups(database.pool)
        }
    }
}

/// "-": one token per line of standard input; otherwise the argument itself.
func readTokens(_ argument: String) -> [String] {
    (argument == "-" ? Array(AnyIterator { readLine(strippingNewline: true) }) : [argument])
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
}

struct DisableCharacter: CharacterAction {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Stop syncing a character until it is enabled again."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The character's id.") var id: Int64
    var done: String { "disabled" }
    func act(_ registry: Registry) async throws -> Bool { try await registry.setEnabled(self.id, false) }
}

struct EnableCharacter: CharacterAction {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Sync a disabled character again (every section is due at once)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The character's id.") var id: Int64
    var done: String { "enabled" }
    func act(_ registry: Registry) async throws -> Bool { try await registry.setEnabled(self.id, true) }
}

struct ListNotifications: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "List the messages for users (revoked tokens, characters that changed account)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let context = try SyncContext(self.global)
        let notifications = try await context.withMigratedDatabase { database in
            try await Registry(pool: database.pool, cipher: context.cipher).notifications()
        }
        switch self.format {
        case .json: try printJSON(notifications)
        case .table:
            for notification in notifications {
                print("\(notification.createdAt.formatted(.iso8601))  \(notification.user)  \(notification.message)")
            }
            if notifications.isEmpty { print("no notifications") }
        }
    }
}
