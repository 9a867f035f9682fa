import Access
import ESI
import Postgres
import Sync

/// What an EVE SSO login does on the database, whoever serves it.
public enum Login {
    /// The user a verified login belongs to (`Users.forLogin`: the character's owner, or a new
    /// user, who joins `defaultGroup` when there is one), with compliance groups brought up to
    /// date: a login may make a character known that is not registered.
    public static func user(
        for token: VerifiedAccessToken,
        defaultGroup: String?,
        on connection: PostgresConnection
    ) throws -> Int64 {
        let (user, isNew) = try Users.forLogin(token, on: connection)
        if isNew, let defaultGroup {
            try AccessAdmin.joinDefaultGroup(userID: user, group: defaultGroup, on: connection)
        }
        try ComplianceGroups.update(on: connection)
        return user
    }
}
