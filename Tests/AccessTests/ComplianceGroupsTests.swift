import Access
import Application
import Foundation
import Postgres
import TestSupport
import Testing
import Vocabulary

/// Compliance groups: members are exactly the users with a main, every known character
/// registered, and basic_access from elsewhere; every join and leave is recorded once.
@Suite struct ComplianceGroupsTests {
    /// alice: main, both characters registered. bob: main, one of two registered. carol: no main.
    /// dave: main, all registered, but no basic_access. erin: all registered, basic_access only
    /// from the compliance group itself. All but dave are in Members (basic_access).
    static let world = """
        INSERT INTO sync.users (name) VALUES ('alice'), ('bob'), ('carol'), ('dave'), ('erin');
        INSERT INTO sync.characters (id, name, user_id, owner_hash, scopes, refresh_token)
        SELECT c.id, c.name, u.id, 'h', '{}', '\\x00'
        FROM (VALUES (1, 'Alice', 'alice'), (2, 'Alice Alt', 'alice'), (3, 'Bob', 'bob'), (5, 'Carol', 'carol'),
                     (6, 'Dave', 'dave'), (7, 'Erin', 'erin')) AS c (id, name, owner)
        JOIN sync.users u ON u.name = c.owner;
        INSERT INTO sync.ownerships (character_id, user_id, character_name, owner_hash)
        SELECT c.id, c.user_id, c.name, 'h' FROM sync.characters c;
        INSERT INTO sync.ownerships (character_id, user_id, character_name, owner_hash)
        SELECT 4, id, 'Bob Alt', 'h' FROM sync.users WHERE name = 'bob';
        UPDATE sync.users u SET main_character_id = m.id
        FROM (VALUES ('alice', 1), ('bob', 3), ('dave', 6), ('erin', 7)) AS m (name, id) WHERE u.name = m.name;
        """

    func register(_ id: Int64, _ name: String, for user: String, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO sync.characters (id, name, user_id, owner_hash, scopes, refresh_token)
            SELECT $1, $2, id, 'h', '{}', '\\x00' FROM sync.users WHERE name = $3
            """,
            [id, name, user]
        )
    }

    func members(_ group: String, on connection: PostgresConnection) throws -> [String] {
        try #require(try AccessAdmin.groups(on: connection).first { $0.name == group }).members
    }

    @Test func membersFollowComplianceAndEveryChangeIsRecordedOnce() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                try AccessRulesTests.createCharacterDetails(on: connection)
                try connection.executeScript(Self.world)
                try AccessAdmin.createGroup("Members", on: connection)
                try AccessAdmin.grant([.basicAccess], to: "Members", on: connection)
                for user in ["alice", "bob", "carol"] { try AccessAdmin.addMember(user, to: "Members", on: connection) }
                try AccessAdmin.createGroup("Compliant", on: connection)
                try AccessAdmin.grant([.basicAccess, .finderAccess], to: "Compliant", on: connection)
                try AccessAdmin.addMember("erin", to: "Compliant", on: connection)
                #expect(try ComplianceGroups.update(on: connection).isEmpty, "no compliance group yet")

                // Designated: alice joins; erin, whose basic_access came only from the group, leaves.
                let designated = try ComplianceGroups.designate("Compliant", true, on: connection)
                #expect(
                    designated.map { [$0.user, $0.group, $0.joined ? "joined" : "left"] } == [
                        ["alice", "Compliant", "joined"], ["erin", "Compliant", "left"],
                    ]
                )
                #expect(try self.members("Compliant", on: connection) == ["alice"])
                #expect(try AccessAdmin.groups(on: connection).first { $0.name == "Compliant" }?.isCompliance == true)
                #expect(try ComplianceGroups.update(on: connection).isEmpty, "nothing changed since")
                let viewer = try #require(try AccessStore.viewer(named: "alice", on: connection))
                #expect(viewer.has(.finderAccess))

                // Members are not chosen by hand.
                #expect { try AccessAdmin.addMember("bob", to: "Compliant", on: connection) } throws: {
                    ($0 as? AccessError)?.code == .complianceGroup
                }
                #expect {
                    try AccessAdmin.removeMember("alice", from: "Compliant", on: connection)
                } throws: { ($0 as? AccessError)?.code == .complianceGroup }

                // bob registers his alt and joins; alice's alt is no longer registered and she leaves;
                // dave becomes a superuser and joins.
                try self.register(4, "Bob Alt", for: "bob", on: connection)
                try connection.execute("DELETE FROM sync.characters WHERE id = 2")
                // Making dave a superuser brings the compliance groups up to date (AccessChanges.apply).
                let changes = try AccessChanges.apply([.setSuperuser("dave", true)], on: connection)
                #expect(
                    changes.map { "\($0.user) \($0.joined ? "joined" : "left")" } == [
                        "alice left", "bob joined", "dave joined",
                    ]
                )
                #expect(try self.members("Compliant", on: connection) == ["bob", "dave"])

                // The record, newest first, per user or for everyone.
                let alice = try AccessAdmin.userID("alice", on: connection)
                #expect(try ComplianceGroups.changes(userID: alice, on: connection).map(\.joined) == [false, true])
                #expect(try ComplianceGroups.changes(on: connection).count == 5)
                #expect(try ComplianceGroups.changes(limit: 2, on: connection).count == 2)
                #expect(
                    try ComplianceGroups.changes(since: Date().addingTimeInterval(3600), on: connection).isEmpty
                )

                // An ordinary group again: the members stay, and the admin chooses them.
                #expect(try ComplianceGroups.designate("Compliant", false, on: connection).isEmpty)
                try AccessAdmin.addMember("carol", to: "Compliant", on: connection)
                #expect(try self.members("Compliant", on: connection) == ["bob", "carol", "dave"])
                #expect(try ComplianceGroups.update(on: connection).isEmpty)
            }
        }
    }

    /// Two processes updating at once (a worker and the web server): each change once.
    @Test func concurrentUpdatesRecordEachChangeOnce() async throws {
        try await TestDatabase.with { pool, _ in
            try await pool.withConnection { connection in
                try connection.executeScript(Self.world)
                try AccessAdmin.createGroup("Members", on: connection)
                try AccessAdmin.grant([.basicAccess], to: "Members", on: connection)
                for user in ["alice", "bob", "carol", "dave", "erin"] {
                    try AccessAdmin.addMember(user, to: "Members", on: connection)
                }
                try AccessAdmin.createGroup("Compliant", on: connection)
                try connection.execute("UPDATE access.groups SET is_compliance = true WHERE name = 'Compliant'")
            }
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await pool.transaction { try ComplianceGroups.update(on: $0).count } }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            // alice, dave and erin are compliant; whichever update came first added them.
            #expect(counts.reduce(0, +) == 3)
            let (members, recorded) = try await pool.withConnection { connection in
                (try self.members("Compliant", on: connection), try ComplianceGroups.changes(on: connection).count)
            }
            #expect(members == ["alice", "dave", "erin"])
            #expect(recorded == 3)
        }
    }
}
