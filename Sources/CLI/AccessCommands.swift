import Access
import Application
import ArgumentParser
import Audit
import Foundation
import Postgres
import Reports
import Settings
import Vocabulary

/// Runs `body` in one transaction of the migrated database (an `AccessError` is a bad value:
/// exit status 2, as every invalid input).
private func withAccess<T: Sendable>(
    _ global: GlobalOptions,
    _ body: @escaping @Sendable (PostgresConnection) throws -> T
) async throws -> T {
    let settings = try global.settings()
    return try await withMigratedDatabase(settings) { database in
        try await database.pool.transaction { try body($0) }
    }
}

/// Applies `changes` in one transaction (with their consequences: `AccessChanges.apply`) and says
/// who joined or left a compliance group.
private func change(_ global: GlobalOptions, _ changes: AccessChange...) async throws {
    reportComplianceChanges(try await withAccess(global) { try AccessChanges.apply(changes, on: $0) })
}

/// Brings compliance groups up to date after a change of characters, and says what changed.
func updateComplianceGroups(_ pool: PostgresPool) async throws {
    reportComplianceChanges(try await pool.withConnection { try ComplianceGroups.update(on: $0) })
}

/// "compliance group Pilots: joined by alice, bob; left by carol", on standard error.
func reportComplianceChanges(_ changes: [ComplianceGroups.Change]) {
    for group in Set(changes.map(\.group)).sorted() {
        let of = changes.filter { $0.group == group }
        let joined = of.filter(\.joined).map(\.user)
        let left = of.filter { !$0.joined }.map(\.user)
        let parts =
            (joined.isEmpty ? [] : ["joined by " + joined.joined(separator: ", ")])
            + (left.isEmpty ? [] : ["left by " + left.joined(separator: ", ")])
        printError("compliance group \(group): \(parts.joined(separator: "; "))")
    }
}

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "List users and make them superusers.",
        discussion: """
            A user is created when someone first logs in with EVE SSO (or registers a character on \
            the command line). What a user may do comes from their groups (memberaudit groups); a \
            superuser may do everything, including the admin page.
            """,
        subcommands: [ListUsers.self, SetSuperuser.self]
    )
}

struct ListUsers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Every user, with groups and permissions."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let users = try await withAccess(self.global) { try AccessAdmin.users(on: $0) }
        switch self.format {
        case .json: try printJSON(users)
        case .table:
            var table = ReportTable(
                name: "",
                columns: ["user", "superuser", "main", "characters", "groups", "permissions"]
            )
            for user in users {
                table.add([
                    user.name, user.isSuperuser ? "yes" : "", user.main ?? "",
                    "\(user.registeredCharacters) of \(user.knownCharacters)", user.groups.joined(separator: ", "),
                    user.isSuperuser ? "all" : user.permissions.map(\.rawValue).joined(separator: ", "),
                ])
            }
            print(users.isEmpty ? "no users yet: they are created at their first login" : table.text())
        }
    }
}

struct SetSuperuser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "superuser",
        abstract: "Make a user a superuser (every permission), or take it back with --revoke."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The user's name.") var user: String
    @Flag(help: "Take the superuser flag away.") var revoke = false

    func run() async throws {
        let (user, revoke) = (self.user, self.revoke)
        try await change(self.global, .setSuperuser(user, !revoke))
        print(revoke ? "\(user) is no longer a superuser" : "\(user) is a superuser")
    }
}

struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "Groups of users and the permissions they grant.",
        discussion: """
            Permissions (as in the original Member Audit): \
            \(Permission.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")). \
            Viewing other users' characters needs characters_access together with view_everything, \
            view_same_alliance or view_same_corporation (the first that applies wins); recruiters \
            with view_shared_characters see characters shared by owners who hold share_characters.
            """,
        subcommands: [
            ListGroups.self, CreateGroup.self, DeleteGroup.self, GrantPermission.self, RevokePermission.self,
            AddGroupMember.self, RemoveGroupMember.self, DesignateComplianceGroup.self, ComplianceChanges.self,
        ]
    )
}

struct ListGroups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Every group, its permissions and members."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let groups = try await withAccess(self.global) { try AccessAdmin.groups(on: $0) }
        switch self.format {
        case .json: try printJSON(groups)
        case .table:
            var table = ReportTable(name: "", columns: ["group", "compliance", "permissions", "members"])
            for group in groups {
                table.add([
                    group.name, group.isCompliance ? "yes" : "",
                    group.permissions.map(\.rawValue).joined(separator: ", "),
                    group.members.joined(separator: ", "),
                ])
            }
            print(groups.isEmpty ? "no groups yet (memberaudit groups create NAME)" : table.text())
        }
    }
}

struct CreateGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a group, optionally with permissions."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The group's name.") var name: String
    @Option(help: "What the group is for.") var description = ""
    @Option(name: .customLong("permission"), help: "A permission to grant (repeatable).") var permissions: [String] = []

    func run() async throws {
        let permissions = try self.permissions.map { try Permission.parse($0) }
        let (name, description) = (self.name, self.description)
        try await change(self.global, .createGroup(name, description: description, permissions: permissions))
        print("created group \(name)")
    }
}

struct DeleteGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a group (its members keep their other groups)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The group's name.") var name: String

    func run() async throws {
        let name = self.name
        try await change(self.global, .deleteGroup(name))
        print("deleted group \(name)")
    }
}

struct GrantPermission: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Grant permissions to a group.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The group's name.") var group: String
    @Argument(help: "Permissions, e.g. basic_access finder_access.") var permissions: [String]

    func run() async throws {
        let permissions = try self.permissions.map { try Permission.parse($0) }
        let group = self.group
        try await change(self.global, .grant(permissions, to: group))
        print("granted \(permissions.map(\.rawValue).joined(separator: ", ")) to \(group)")
    }
}

struct RevokePermission: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Take permissions from a group.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The group's name.") var group: String
    @Argument(help: "Permissions to take away.") var permissions: [String]

    func run() async throws {
        let permissions = try self.permissions.map { try Permission.parse($0) }
        let group = self.group
        try await change(self.global, .revoke(permissions, from: group))
        print("revoked \(permissions.map(\.rawValue).joined(separator: ", ")) from \(group)")
    }
}

struct AddGroupMember: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add users to a group.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The group's name.") var group: String
    @Argument(help: "User names.") var users: [String]

    func run() async throws {
        let (group, users) = (self.group, self.users)
        try await change(self.global, .addMembers(users, to: group))
        print("added \(users.joined(separator: ", ")) to \(group)")
    }
}

struct RemoveGroupMember: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove users from a group.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The group's name.") var group: String
    @Argument(help: "User names.") var users: [String]

    func run() async throws {
        let (group, users) = (self.group, self.users)
        try await change(self.global, .removeMembers(users, from: group))
        print("removed \(users.joined(separator: ", ")) from \(group)")
    }
}

struct DesignateComplianceGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compliance",
        abstract: "Make a group a compliance group: its members are exactly the compliant users.",
        discussion: """
            Compliant: the user has a main, every character they are known to own is registered, \
            and they hold basic_access from another group or as superuser (the original's \
            compliance groups). Members then join and leave by themselves: at once after commands \
            that change users, groups or characters, at the web server's minute housekeeping and \
            every minute in each worker; each change is recorded (memberaudit groups changes) and \
            shown to the user on the launcher. With --off the group becomes ordinary again and \
            keeps its members.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The group's name.") var group: String
    @Flag(help: "Make it an ordinary group again.") var off = false

    func run() async throws {
        let (group, off) = (self.group, self.off)
        try await change(self.global, .designateCompliance(group, !off))
        print(off ? "\(group) is an ordinary group" : "\(group) is a compliance group")
    }
}

struct ComplianceChanges: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "Users joining and leaving compliance groups, newest first."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this user.") var user: String?
    @Option(help: "At most this many.") var limit = 50
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func validate() throws {
        guard (1...100_000).contains(self.limit) else {
            throw ValidationError("--limit must be between 1 and 100000")
        }
    }

    func run() async throws {
        let (user, limit) = (self.user, self.limit)
        let changes = try await withAccess(self.global) { connection in
            try ComplianceGroups.changes(
                userID: try user.map { try AccessAdmin.userID($0, on: connection) },
                limit: limit,
                on: connection
            )
        }
        switch self.format {
        case .json: try printJSON(changes)
        case .table:
            var table = ReportTable(name: "", columns: ["when", "user", "group", "change"])
            for change in changes {
                table.add([
                    change.changedAt.map(formatTime) ?? "", change.user, change.group,
                    change.joined ? "joined" : "left",
                ])
            }
            print(changes.isEmpty ? "no changes of compliance groups recorded" : table.text())
        }
    }
}
