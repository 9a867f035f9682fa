import Access
import Foundation
import Postgres
import SyncTestSupport
import Testing
import Web

/// A superuser makes a group a compliance group on the admin page; a member who sets a main joins
/// it, sees so on the launcher, and leaves it (and sees that) when a character of theirs turns
/// out to be unregistered, at the server's housekeeping.
@Suite struct ComplianceGroupPageTests {
    @Test func membersJoinAndLeaveAndAreTold() async throws {
        try await withWebHarness(characters: 1) { web in
            let character = web.sync.characterIDs[0]
            let owner = try await web.owner(of: character)
            try await web.pool.withConnection { connection in
                try connection.execute("INSERT INTO sync.users (name, is_superuser) VALUES ('root', true)")
                try connection.execute("UPDATE sync.users SET main_character_id = NULL")
            }
            let (root, rootCSRF) = try await web.session(for: "root")
            for (action, form) in [
                ("group", ["group": "Pilots"]), ("grant", ["group": "Pilots", "permission": "finder_access"]),
                ("compliance", ["group": "Pilots", "value": "1"]),
            ] {
                let response = try await web.request(
                    "/admin/\(action)",
                    method: "POST",
                    cookie: root,
                    form: form.merging(["csrf": rootCSRF]) { $1 }
                )
                #expect(response.status == 303, "\(action): \(response.status) \(response.text.prefix(300))")
            }
            let admin = try await web.request("/admin", cookie: root).text
            #expect(admin.contains("A compliance group") && admin.contains("Make an ordinary group"))

            // Without a main, not compliant; with one, a member of Pilots at once.
            let (cookie, csrf) = try await web.session(for: owner)
            #expect(!(try await web.request("/launcher", cookie: cookie).text.contains("Pilots")))
            let main = try await web.request(
                "/characters/\(character)/main",
                method: "POST",
                cookie: cookie,
                form: ["csrf": csrf]
            )
            #expect(main.status == 303)
            let joined = try await web.request("/launcher", cookie: cookie).text
            #expect(joined.contains("you joined the group Pilots"), "\(joined.prefix(2000))")
            #expect(try await web.request("/finder", cookie: cookie).status == 200, "Pilots grants finder_access")

            // A character of theirs known from a login and not registered: out at the housekeeping.
            try await web.pool.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO sync.ownerships (character_id, user_id, character_name, owner_hash)
                    SELECT 2100000001, id, 'Hidden Alt', 'h' FROM sync.users WHERE name = $1
                    """,
                    [owner]
                )
            }
            try await web.app.housekeeping()
            let left = try await web.request("/launcher", cookie: cookie).text
            #expect(left.contains("you left the group Pilots"))
            #expect(try await web.request("/finder", cookie: cookie).status == 403)
            let members = try await web.pool.withConnection { try AccessAdmin.groups(on: $0) }
            #expect(members.first { $0.name == "Pilots" }?.members == [])
        }
    }
}
