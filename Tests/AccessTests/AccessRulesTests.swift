import Access
import Application
import Foundation
import Postgres
import TestSupport
import Testing
import Vocabulary

/// The access rules of the original, one example each, then the SQL that lists characters held
/// equal to the pure rule over random worlds of users, groups, mains, corporations and shares.
@Suite struct AccessRulesTests {
    let corpA: Int64 = 98_000_001
    let corpB: Int64 = 98_000_002
    let alliance: Int64 = 99_000_001

    func character(
        owner: Int64,
        corporation: Int64?,
        alliance: Int64? = nil,
        shared: Bool = false,
        mayShare: Bool = false
    )
        -> CharacterFacts
    {
        CharacterFacts(
            characterID: 1,
            ownerID: owner,
            ownerMainCorporationID: corporation,
            ownerMainAllianceID: alliance,
            isShared: shared,
            ownerMayShare: mayShare
        )
    }

    /// The one read-model table the rules read (mains' corporations and alliances), as the
    /// projections make it, without projecting anything.
    static func createCharacterDetails(on connection: PostgresConnection) throws {
        try connection.executeScript(
            """
            CREATE SCHEMA IF NOT EXISTS readmodel;
            CREATE TABLE readmodel.character_details (
                character_id bigint PRIMARY KEY, corporation_id bigint, alliance_id bigint);
            """
        )
    }

    @Test func theOriginalsRulesOneByOne() {
        let member = Viewer(userID: 1, name: "member", permissions: [.basicAccess], mainCorporationID: corpA)
        let own = self.character(owner: 1, corporation: corpA)
        let colleague = self.character(owner: 2, corporation: corpA, alliance: alliance)
        let ally = self.character(owner: 3, corporation: corpB, alliance: alliance)
        let sharedByRecruit = self.character(owner: 4, corporation: nil, shared: true, mayShare: true)
        let sharedWithoutRight = self.character(owner: 5, corporation: nil, shared: true, mayShare: false)

        #expect(AccessRules.canView(member, own))
        #expect(!AccessRules.canView(member, colleague))
        #expect(!AccessRules.canView(Viewer(userID: 1, name: "no access"), own), "basic_access gates the app")

        let leadership = Viewer(
            userID: 9,
            name: "director",
            permissions: [.basicAccess, .charactersAccess, .viewSameCorporation],
            mainCorporationID: corpA,
            mainAllianceID: alliance
        )
        #expect(AccessRules.canView(leadership, colleague) && !AccessRules.canView(leadership, ally))
        // The corporation scope without characters_access: known to exist (403), not viewable.
        var withoutCharacters = leadership
        withoutCharacters.permissions.remove(.charactersAccess)
        #expect(
            !AccessRules.canView(withoutCharacters, colleague) && AccessRules.mayKnowOf(withoutCharacters, colleague)
        )

        let auditor = Viewer(
            userID: 9,
            name: "auditor",
            permissions: [.basicAccess, .charactersAccess, .viewSameCorporation, .viewSameAlliance],
            mainCorporationID: corpA,
            mainAllianceID: alliance
        )
        #expect(AccessRules.canView(auditor, ally) && AccessRules.canView(auditor, colleague))
        // The original's elif: with an alliance the alliance scope wins, so a corporation mate whose
        // main has no alliance recorded is outside it; without an alliance the corporation applies.
        let mateWithoutAlliance = self.character(owner: 6, corporation: corpA, alliance: nil)
        #expect(!AccessRules.canView(auditor, mateWithoutAlliance))
        var auditorWithoutAlliance = auditor
        auditorWithoutAlliance.mainAllianceID = nil
        #expect(AccessRules.canView(auditorWithoutAlliance, mateWithoutAlliance))

        let recruiter = Viewer(userID: 7, name: "recruiter", permissions: [.basicAccess, .viewSharedCharacters])
        #expect(AccessRules.canView(recruiter, sharedByRecruit))
        #expect(!AccessRules.canView(recruiter, sharedWithoutRight), "the owner must hold share_characters")
        #expect(!AccessRules.canView(recruiter, colleague) && !AccessRules.mayKnowOf(recruiter, colleague))

        let superuser = Viewer(userID: 8, name: "admin", isSuperuser: true)
        #expect([own, colleague, ally, sharedWithoutRight].allSatisfy { AccessRules.canView(superuser, $0) })
        #expect(superuser.permissions == Set(Permission.allCases))
        // view_everything needs characters_access as well.
        let everythingAlone = Viewer(userID: 10, name: "x", permissions: [.basicAccess, .viewEverything])
        #expect(!AccessRules.canView(everythingAlone, colleague) && AccessRules.mayKnowOf(everythingAlone, colleague))
    }

    @Test func permissionsByNameWithAClearError() throws {
        #expect(try Permission.parse("VIEW_SHARED_CHARACTERS") == .viewSharedCharacters)
        #expect { try Permission.parse("see_everything") } throws: { ($0 as? AccessError)?.code == .unknownPermission }
        #expect(Permission.allCases.count == 12)
    }

    @Test func theListsInSQLAreTheRulesOnRandomWorlds() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                try Self.createCharacterDetails(on: connection)
                var random = SystemRandomNumberGenerator()
                for round in 0..<4 {
                    try connection.executeScript(
                        """
                        TRUNCATE access.groups, access.shared_characters, access.user_groups CASCADE;
                        UPDATE sync.users SET main_character_id = NULL;
                        DELETE FROM sync.characters; DELETE FROM sync.users; DELETE FROM readmodel.character_details;
                        """
                    )
                    let permissions = Permission.allCases
                    var groups = [Int64]()
                    for index in 0..<6 {
                        let granted = permissions.filter { _ in Bool.random(using: &random) }
                        groups.append(
                            try connection.query(
                                "INSERT INTO access.groups (name) VALUES ($1) RETURNING id",
                                ["g\(round)-\(index)"]
                            )[0].get(0)
                        )
                        try connection.execute(
                            "INSERT INTO access.group_permissions SELECT $1, unnest($2::text[])",
                            [groups.last!, granted.map(\.rawValue)]
                        )
                    }
                    var characterID: Int64 = 90_000_000
                    for index in 0..<12 {
                        let user: Int64 = try connection.query(
                            "INSERT INTO sync.users (name, is_superuser) VALUES ($1, $2) RETURNING id",
                            ["u\(index)", index == 0]
                        )[0].get(0)
                        for group in groups where Int.random(in: 0..<3, using: &random) == 0 {
                            try connection.execute("INSERT INTO access.user_groups VALUES ($1, $2)", [user, group])
                        }
                        for number in 0..<Int.random(in: 0...3, using: &random) {
                            characterID += 1
                            try connection.execute(
                                """
                                INSERT INTO sync.characters (id, name, user_id, owner_hash, scopes, refresh_token)
                                VALUES ($1, $2, $3, 'hash', '{}', '\\x00')
                                """,
                                [characterID, "c\(characterID)", user]
                            )
                            let corporation = [nil, self.corpA, self.corpB].randomElement(using: &random)!
                            let alliance =
                                corporation == nil ? nil : [nil, self.alliance].randomElement(using: &random)!
                            try connection.execute(
                                "INSERT INTO readmodel.character_details VALUES ($1, $2, $3)",
                                [characterID, corporation, alliance]
                            )
                            if number == 0 || Bool.random(using: &random) {
                                try connection.execute(
                                    "UPDATE sync.users SET main_character_id = $2 WHERE id = $1",
                                    [user, characterID]
                                )
                            }
                            if Bool.random(using: &random) {
                                try connection.execute(
                                    "INSERT INTO access.shared_characters (character_id) VALUES ($1)",
                                    [characterID]
                                )
                            }
                        }
                    }
                    let users: [Int64] = try connection.query("SELECT id FROM sync.users").map { try $0.get(0) }
                    let characters: [Int64] = try connection.query("SELECT id FROM sync.characters").map {
                        try $0.get(0)
                    }
                    for user in users {
                        let viewer = try #require(try AccessStore.viewer(userID: user, on: connection))
                        let expected = try characters.filter {
                            AccessRules.canView(
                                viewer,
                                try #require(try AccessStore.facts(characterID: $0, on: connection))
                            )
                        }
                        #expect(try AccessStore.visibleCharacterIDs(of: viewer, on: connection) == expected.sorted())
                    }
                }
            }
        }
    }

    @Test func sharingIsTheOwnersAndEndsWithTheRightOrTheTimeout() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                try Self.createCharacterDetails(on: connection)
                try connection.executeScript(
                    """
                    INSERT INTO sync.users (name) VALUES ('owner'), ('other');
                    INSERT INTO sync.characters (id, name, user_id, owner_hash, scopes, refresh_token)
                    SELECT 91000001, 'Shared One', id, 'h', '{}', '\\x00' FROM sync.users WHERE name = 'owner';
                    """
                )
                try AccessAdmin.createGroup("Members", on: connection)
                try AccessAdmin.grant([.basicAccess, .shareCharacters], to: "Members", on: connection)
                #expect { try AccessAdmin.createGroup("Members", on: connection) } throws: {
                    ($0 as? AccessError)?.code == .groupExists
                }
                let other = try #require(try AccessStore.viewer(named: "other", on: connection))
                var owner = try #require(try AccessStore.viewer(named: "owner", on: connection))
                #expect {
                    try AccessAdmin.share(characterID: 91_000_001, by: owner, on: connection)
                } throws: { ($0 as? AccessError)?.code == .sharingNotAllowed }
                try AccessAdmin.addMember("owner", to: "Members", on: connection)
                owner = try #require(try AccessStore.viewer(named: "owner", on: connection))
                #expect(owner.permissions == [.basicAccess, .shareCharacters])
                #expect {
                    try AccessAdmin.share(characterID: 91_000_001, by: other, on: connection)
                } throws: { ($0 as? AccessError)?.code == .notOwner }
                try AccessAdmin.share(characterID: 91_000_001, by: owner, on: connection)
                #expect(try AccessStore.facts(characterID: 91_000_001, on: connection)?.isShared == true)

                // Within the timeout it stays; after it, it ends.
                #expect(try AccessAdmin.expireShares(timeout: 3600, on: connection) == 0)
                #expect(
                    try AccessAdmin.expireShares(timeout: 3600, now: Date().addingTimeInterval(7200), on: connection)
                        == 1
                )

                // Losing share_characters ends a share at the next check.
                try AccessAdmin.share(characterID: 91_000_001, by: owner, on: connection)
                try AccessAdmin.revoke([.shareCharacters], from: "Members", on: connection)
                #expect(try AccessAdmin.expireShares(timeout: nil, on: connection) == 1)
                #expect(try AccessStore.facts(characterID: 91_000_001, on: connection)?.isShared == false)

                let users = try AccessAdmin.users(on: connection)
                #expect(users.map(\.name) == ["other", "owner"])
                #expect(users[1].groups == ["Members"] && users[1].permissions == [.basicAccess])
                try AccessChanges.apply([.setSuperuser("other", true)], on: connection)
                #expect(try AccessAdmin.users(on: connection)[0].permissions.count == Permission.allCases.count)
                #expect { try AccessAdmin.addMember("nobody", to: "Members", on: connection) } throws: {
                    ($0 as? AccessError)?.code == .unknownUser
                }
            }
        }
    }
}
