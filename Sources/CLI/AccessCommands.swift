import Access
import ArgumentParser
import Foundation
import Postgres
import Settings

/// Runs `body` in one transaction of the migrated database, turning access errors into clear
/// command-line errors.
private func withAccess<T: Sendable>(
    _ global: GlobalOptions,
    _ body: @escaping @Sendable (PostgresConnection) throws -> T
) async throws -> T {
    let settings = try global.settings()
    return try await withMigratedDatabase(settings) { database in
        do {
            return try await database.pool.transaction { try body($0) }
        } catch let error as AccessError {
            throw ValidationError(error.description)
        }
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
            var table = TextTable(columns: ["user", "superuser", "main", "characters", "groups", "permissions"])
            for user in users {
                table.add([
                    user.name, user.isSuperuser ? "yes" : "", user.main ?? "",
                    "\(user.registeredCharacters) of \(user.knownCharacters)", user.groups.joined(separator: ", "),
                    user.isSuperuser ? "all" : user.permissions.map(\.rawValue).joined(separator: ", "),
                ])
            }
            print(users.isEmpty ? "no users yet: they are created at their first login" : table.render())
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
        try await withAccess(self.global) { try AccessAdmin.setSuperuser(user, !revoke, on: $0) }
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
            AddGroupMember.self, RemoveGroupMember.self,
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
            var table = TextTable(columns: ["group", "permissions", "members"])
            for group in groups {
                table.add([
                    group.name, group.permissions.map(\.rawValue).joined(separator: ", "),
                    group.members.joined(separator: ", "),
                ])
            }
            print(groups.isEmpty ? "no groups yet (memberaudit groups create NAME)" : table.render())
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
        try await withAccess(self.global) { connection in
            try AccessAdmin.createGroup(name, description: description, on: connection)
            if !permissions.isEmpty { try AccessAdmin.grant(permissions, to: name, on: connection) }
        }
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
        try await withAccess(self.global) { try AccessAdmin.deleteGroup(name, on: $0) }
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
        try await withAccess(self.global) { try AccessAdmin.grant(permissions, to: group, on: $0) }
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
        try await withAccess(self.global) { connection in
            try AccessAdmin.revoke(permissions, from: group, on: connection)
            // Owners who lost share_characters stop sharing at once, not only at the next check.
            try AccessAdmin.expireShares(timeout: nil, on: connection)
        }
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
        try await withAccess(self.global) { connection in
            for user in users { try AccessAdmin.addMember(user, to: group, on: connection) }
        }
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
        try await withAccess(self.global) { connection in
            for user in users { try AccessAdmin.removeMember(user, from: group, on: connection) }
            try AccessAdmin.expireShares(timeout: nil, on: connection)
        }
        print("removed \(users.joined(separator: ", ")) from \(group)")
    }
}
