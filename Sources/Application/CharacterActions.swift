import Access
import ESI
import Foundation
import Postgres
import Projections
import Sync
import Vocabulary

/// What an owner does with one of their characters on the launcher and viewer pages.
public enum CharacterActions {
    /// Makes one of the user's registered characters their main; compliance groups follow.
    public static func makeMain(_ characterID: Int64, of userID: Int64, on connection: PostgresConnection) throws {
        do {
            try Users.setMain(userID: userID, characterID: characterID, on: connection)
        } catch let error as SyncError {
            throw AccessError(.notRegistered, error.description)
        }
        try ComplianceGroups.update(on: connection)
    }

    public struct Removed: Sendable, Codable, Equatable {
        public var characterID: Int64
        /// Whether it was registered for syncing (false: only its read models and events were left).
        public var wasRegistered: Bool
        public var readModelRows: Int
    }

    /// Removes a character from syncing and from the read models, in one transaction with the
    /// compliance groups that follow (docs/skill-sets.md). Its events stay in the log (the audit
    /// trail) until `memberaudit purge`; registering it again later syncs it afresh. Nil when the
    /// character is unknown; else what was removed and who joined or left a compliance group.
    /// With `owner`, only that user's registered character may be removed (the launcher's button).
    /// Users with notified_on_character_removal who could see it find a notification in their inbox.
    public static func remove(
        _ id: Int64,
        ownedBy owner: Int64? = nil,
        pool: PostgresPool
    ) async throws -> (
        removed: Removed, compliance: [ComplianceGroups.Change]
    )? {
        try await pool.transaction { connection in
            if let owner {
                let registeredTo = try connection.query("SELECT user_id FROM sync.characters WHERE id = \(id)").first
                guard let registeredTo, try registeredTo.get(0, as: Int64.self) == owner else {
                    throw AccessError(.notOwner, "only the owner may remove a character")
                }
            }
            try CharacterRemoval.lockProjections(on: connection)
            // Who is told (notified_on_character_removal): those who may see it until now.
            let facts = try AccessStore.facts(characterID: id, on: connection)
            let watchers =
                try facts.map { facts in
                    try AccessStore.users(with: .notifiedOnCharacterRemoval, on: connection).filter {
                        AccessRules.canView($0, facts)
                    }
                } ?? []
            let name = (try? CharacterQueries.resolve(String(id), on: connection).name) ?? String(id)
            let (registered, known) = try Registry.unregister(id, on: connection)
            guard registered || known else { return nil }
            let rows = try CharacterRemoval.deleteReadModels(of: id, on: connection)
            let compliance = try ComplianceGroups.update(on: connection)
            for watcher in watchers {
                try Notifications.add(
                    user: watcher.userID,
                    character: nil,
                    kind: "character_removed",
                    message: "\(name) (\(id)) was removed: it is no longer updated or shown.",
                    on: connection
                )
            }
            return (Removed(characterID: id, wasRegistered: registered, readModelRows: rows), compliance)
        }
    }

    /// Registers a character from a refresh token (`memberaudit characters add`), with compliance
    /// groups following in the same transaction.
    public static func register(
        refreshToken: String,
        user: String?,
        sso: SSOClient,
        sections: [Section],
        registry: Registry
    ) async throws -> (RegisteredCharacter, [ComplianceGroups.Change]) {
        try await registry.register(refreshToken: refreshToken, user: user, sso: sso, sections: sections) {
            try ComplianceGroups.update(on: $0)
        }
    }

    /// Registers the character of a finished "add character" login for `user`, with compliance
    /// groups following in the same transaction.
    public static func register(
        login grant: TokenGrant,
        token: VerifiedAccessToken,
        user: String,
        clock: TimeSource,
        sections: [Section],
        registry: Registry
    ) async throws -> (RegisteredCharacter, [ComplianceGroups.Change]) {
        try await registry.add(
            verified: token,
            refreshToken: grant.refreshToken,
            accessToken: grant.accessToken,
            expiresAt: clock.now().addingTimeInterval(grant.expiresIn),
            user: user,
            sections: sections
        ) { try ComplianceGroups.update(on: $0) }
    }
}
