import Access
import Application
import Foundation
import Postgres
import TestSupport
import Testing
import Vocabulary

/// `AccessChanges.apply`: the one place an access change's consequences are kept, for the command
/// line and the admin page alike.
@Suite struct AccessChangeTests {
    func isShared(_ id: Int64, on connection: PostgresConnection) throws -> Bool {
        try AccessStore.facts(characterID: id, on: connection)?.isShared == true
    }

    @Test func everyChangeThatTakesSharingAwayEndsTheShareAtOnce() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                try connection.executeScript(ComplianceGroupsTests.world)
                try AccessRulesTests.createCharacterDetails(on: connection)
                try AccessChanges.apply(
                    [.createGroup("Members", permissions: [.basicAccess, .shareCharacters])],
                    on: connection
                )
                // Each way of losing share_characters, one after another: alice shares again each time.
                let losses: [(give: [AccessChange], take: [AccessChange])] = [
                    ([.addMembers(["alice"], to: "Members")], [.revoke([.shareCharacters], from: "Members")]),
                    (
                        [.grant([.shareCharacters], to: "Members"), .addMembers(["alice"], to: "Members")],
                        [.removeMembers(["alice"], from: "Members")]
                    ),
                    ([.setSuperuser("alice", true)], [.setSuperuser("alice", false)]),
                    ([.addMembers(["alice"], to: "Members")], [.deleteGroup("Members")]),
                ]
                for (give, take) in losses {
                    try AccessChanges.apply(give, on: connection)
                    let alice = try #require(try AccessStore.viewer(named: "alice", on: connection))
                    try AccessAdmin.share(characterID: 1, by: alice, on: connection)
                    #expect(try self.isShared(1, on: connection))
                    try AccessChanges.apply(take, on: connection)
                    #expect(try !self.isShared(1, on: connection), "still shared after \(take)")
                }
                // Granting never ends a share.
                try AccessChanges.apply([.setSuperuser("alice", true)], on: connection)
                let alice = try #require(try AccessStore.viewer(named: "alice", on: connection))
                try AccessAdmin.share(characterID: 1, by: alice, on: connection)
                try AccessChanges.apply([.createGroup("Other", permissions: [.basicAccess])], on: connection)
                #expect(try self.isShared(1, on: connection))
            }
        }
    }

    @Test func complianceGroupsFollowEveryChangeAndSayWhoMoved() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                try connection.executeScript(ComplianceGroupsTests.world)
                let created = try AccessChanges.apply(
                    [
                        .createGroup("Members", permissions: [.basicAccess]),
                        .addMembers(["alice", "bob", "carol", "erin"], to: "Members"),
                        .createGroup("Registered", permissions: [.finderAccess]),
                    ],
                    on: connection
                )
                #expect(created.isEmpty)
                let designated = try AccessChanges.apply([.designateCompliance("Registered", true)], on: connection)
                #expect(designated.filter(\.joined).map(\.user).sorted() == ["alice", "erin"])
                // Taking basic_access away from alice's only source: she leaves, at once.
                let removed = try AccessChanges.apply([.removeMembers(["alice"], from: "Members")], on: connection)
                #expect(removed.map(\.user) == ["alice"] && removed.allSatisfy { !$0.joined })
                #expect {
                    try AccessChanges.apply([.addMembers(["nobody"], to: "Members")], on: connection)
                } throws: { ($0 as? AccessError)?.code == .unknownUser }
            }
        }
    }
}
