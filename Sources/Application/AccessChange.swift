import Access
import Foundation
import Postgres
import Sync

/// A change an administrator makes to who may do what: the one place its consequences are kept.
///
/// The command line (`memberaudit users`, `memberaudit groups`) and the admin page both describe
/// what they want as these values and hand them to ``AccessChanges/apply(_:on:)``, so a change has
/// the same effect wherever it is made: owners who lose `share_characters` stop sharing at once
/// (not only at the next check), and compliance groups follow every change of permissions,
/// members or superusers.
public enum AccessChange: Sendable, Equatable {
    case createGroup(String, description: String = "", permissions: [Permission] = [])
    case deleteGroup(String)
    case grant([Permission], to: String)
    case revoke([Permission], from: String)
    case addMembers([String], to: String)
    case removeMembers([String], from: String)
    case setSuperuser(String, Bool)
    /// Makes a group a compliance group (its members then follow compliance) or an ordinary one.
    case designateCompliance(String, Bool)

    /// Whether the change may take `share_characters` away from someone.
    var mayEndShares: Bool {
        switch self {
        case .deleteGroup, .revoke, .removeMembers, .setSuperuser(_, false): true
        default: false
        }
    }
}

/// Applies access changes with their consequences.
public enum AccessChanges {
    /// Applies `changes` in order on `connection` (the caller's transaction), then ends the shares
    /// they made unlawful and brings compliance groups up to date. Returns who joined or left a
    /// compliance group.
    @discardableResult
    public static func apply(
        _ changes: [AccessChange],
        on connection: PostgresConnection
    ) throws
        -> [ComplianceGroups.Change]
    {
        var joinedAndLeft = [ComplianceGroups.Change]()
        for change in changes {
            switch change {
            case .createGroup(let name, let description, let permissions):
                try AccessAdmin.createGroup(name, description: description, on: connection)
                if !permissions.isEmpty { try AccessAdmin.grant(permissions, to: name, on: connection) }
            case .deleteGroup(let name): try AccessAdmin.deleteGroup(name, on: connection)
            case .grant(let permissions, let group): try AccessAdmin.grant(permissions, to: group, on: connection)
            case .revoke(let permissions, let group): try AccessAdmin.revoke(permissions, from: group, on: connection)
            case .addMembers(let users, let group):
                for user in users { try AccessAdmin.addMember(user, to: group, on: connection) }
            case .removeMembers(let users, let group):
                for user in users { try AccessAdmin.removeMember(user, from: group, on: connection) }
            case .setSuperuser(let user, let value):
                try Users.setSuperuser(try AccessAdmin.userID(user, on: connection), value, on: connection)
            case .designateCompliance(let group, let value):
                joinedAndLeft += try ComplianceGroups.designate(group, value, on: connection)
            }
        }
        if changes.contains(where: \.mayEndShares) { try AccessAdmin.expireShares(timeout: nil, on: connection) }
        return joinedAndLeft + (try ComplianceGroups.update(on: connection))
    }
}
