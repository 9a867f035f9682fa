import Access
import Application
import Foundation
import Postgres
import Projections
import Sync
import SyncTestSupport
import Testing

@testable import Web

/// The inbox: removals told to those with notified_on_character_removal who could see the
/// character (and to no one else), token problems, unread counts in the menu, marking read.
@Suite struct InboxTests {
    @Test func aRemovalIsToldToWhoCouldSeeItAndHoldsThePermission() async throws {
        try await withWebHarness(characters: 2) { web in
            let ids = web.sync.characterIDs
            let owner = try await web.owner(of: ids[0])
            try await web.pool.transaction { connection in
                try connection.execute("INSERT INTO sync.users (name) VALUES ('watcher'), ('bystander'), ('blind')")
                try AccessAdmin.createGroup("Auditors", on: connection)
                try AccessAdmin.grant(
                    [.basicAccess, .charactersAccess, .viewEverything, .notifiedOnCharacterRemoval],
                    to: "Auditors",
                    on: connection
                )
                try AccessAdmin.createGroup("Viewers", on: connection)
                try AccessAdmin.grant(
                    [.basicAccess, .charactersAccess, .viewEverything],
                    to: "Viewers",
                    on: connection
                )
                try AccessAdmin.createGroup("Told", on: connection)
                try AccessAdmin.grant([.basicAccess, .notifiedOnCharacterRemoval], to: "Told", on: connection)
                try AccessAdmin.addMember("watcher", to: "Auditors", on: connection)
                try AccessAdmin.addMember("bystander", to: "Viewers", on: connection)
                // Holds the permission but may not see the character: not told.
                try AccessAdmin.addMember("blind", to: "Told", on: connection)
            }
            let name = try await web.pool.withConnection { try CharacterQueries.resolve(String(ids[0]), on: $0).name }
            let (ownerCookie, csrf) = try await web.session(for: owner)
            let removed = try await web.request(
                "/characters/\(ids[0])/remove",
                method: "POST",
                cookie: ownerCookie,
                form: ["csrf": csrf, "confirm": "yes"]
            )
            #expect(removed.status == 303)

            let (watcher, watcherCSRF) = try await web.session(for: "watcher")
            let inbox = try await web.request("/notifications", cookie: watcher)
            #expect(inbox.status == 200 && inbox.text.contains("Character removed"))
            #expect(inbox.text.contains("\(escapeHTML(name)) (\(ids[0])) was removed"), "\(inbox.text.prefix(800))")
            #expect(inbox.text.contains("title=\"not read yet\">1<"))
            for user in ["bystander", "blind"] {
                let (cookie, _) = try await web.session(for: user)
                let page = try await web.request("/notifications", cookie: cookie).text
                #expect(!page.contains("Character removed") && page.contains("Nothing yet"), "\(user)")
            }

            let read = try await web.request(
                "/notifications/read",
                method: "POST",
                cookie: watcher,
                form: ["csrf": watcherCSRF]
            )
            #expect(read.status == 303 && read.header("Location") == "/notifications")
            let after = try await web.request("/notifications", cookie: watcher).text
            #expect(after.contains("Character removed") && !after.contains("title=\"not read yet\""))
        }
    }

    @Test func tokenProblemsReachTheOwnersInbox() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let owner = try await web.owner(of: id)
            try await web.pool.withConnection { connection in
                let user = try AccessAdmin.userID(owner, on: connection)
                try Notifications.add(
                    user: user,
                    character: id,
                    kind: "token_invalid",
                    message: "EVE SSO refused the refresh token <b>",
                    on: connection
                )
            }
            let (cookie, _) = try await web.session(for: owner)
            let page = try await web.request("/notifications", cookie: cookie).text
            #expect(page.contains("Token no longer works") && page.contains("href=\"/characters/\(id)\""))
            #expect(page.contains("refresh token &lt;b&gt;") && !page.contains("token <b>"))
            #expect(try await web.request("/notifications", cookie: nil).status != 200)
        }
    }
}
