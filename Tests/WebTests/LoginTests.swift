import Access
import ESI
import ESISimulator
import Foundation
import Hummingbird
import Postgres
import SyncTestSupport
import Testing

@testable import Web

/// EVE SSO's login over real sockets, browser → app → simulator → app: a good login, and each way
/// one must fail (a state the app never issued, a replayed code, an expired code, a character that
/// moved to another account); then CSRF, logout and session expiry.
@Suite struct LoginTests {
    @Test func aLoginStartsASessionAndEveryBadOneIsRefused() async throws {
        try await withWebHarness(characters: 2) { web in
            let id = web.sync.characterIDs[0]
            let name = try #require(web.sync.simulator.world.name(ofCharacter: Int(id)))

            // Without a session, pages send to the login page and the API says 401.
            let browser = web.browser()
            #expect(try await browser.send("/launcher").header("Location") == "/login")
            #expect(try await browser.send("/api/me").status == 401)

            // The redirect carries state and an S256 challenge.
            let start = try await browser.send("/sso/login")
            let authorize = try #require(start.header("Location"))
            #expect(start.status == 302 && authorize.hasPrefix(web.sync.base + "/v2/oauth/authorize?"))
            #expect(authorize.contains("code_challenge_method=S256") && authorize.contains("state="))

            // A good login: a session cookie, HttpOnly and SameSite, and the launcher.
            let approved = try await browser.send(authorize + "&character_id=\(id)")
            let callback = try #require(approved.header("Location"))
            let done = try await browser.send(callback)
            #expect(done.status == 303 && done.header("Location") == "/launcher")
            let cookie = try #require(done.header("Set-Cookie"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            let launcher = try await browser.send("/launcher")
            #expect(launcher.status == 200)
            #expect(String(decoding: launcher.body, as: UTF8.self).contains(escapeHTML(name)))

            // The same callback again: the state was used up.
            let replay = web.browser()
            let again = try await replay.send(callback)
            #expect(again.status == 400 && String(decoding: again.body, as: UTF8.self).contains("already used"))
            #expect(replay.cookies.isEmpty)

            // A state this app never issued (a forged or mixed-up callback).
            let code = try #require(URLComponents(string: callback)?.queryItems?.first { $0.name == "code" }?.value)
            let forged = try await web.browser().send("/sso/callback?code=\(code)&state=not-ours")
            #expect(forged.status == 400)

            // A replayed code under a fresh state: the SSO refuses a code used once.
            let thief = web.browser()
            let fresh = try #require(try await thief.send("/sso/login").header("Location"))
            let state = try #require(URLComponents(string: fresh)?.queryItems?.first { $0.name == "state" }?.value)
            let reused = try await thief.send("/sso/callback?code=\(code)&state=\(state)")
            #expect(
                reused.status == 400 && String(decoding: reused.body, as: UTF8.self).contains("EVE SSO did not accept")
            )
            #expect(thief.cookies[Sessions.cookieName] == nil)

            // An expired code: approved, then the SSO's clock passes its five minutes.
            let slow = web.browser()
            let slowStart = try #require(try await slow.send("/sso/login").header("Location"))
            let slowCallback = try #require(try await slow.send(slowStart + "&character_id=\(id)").header("Location"))
            web.sync.simulator.clock.advance(by: 400)
            let late = try await slow.send(slowCallback)
            #expect(late.status == 400 && slow.cookies[Sessions.cookieName] == nil)

            // The character moves to another EVE account: its new owner logs in as a new user and
            // does not see the old owner's characters.
            let before = try await web.pool.withConnection { connection in
                try connection.query("SELECT user_id FROM sync.ownerships WHERE character_id = $1", [id])[0].get(
                    0,
                    as: Int64.self
                )
            }
            _ = web.sync.simulator.world.transferCharacter(Int(id))
            let buyer = web.browser()
            #expect(try await buyer.login(as: id).status == 303)
            let after = try await web.pool.withConnection { connection in
                try connection.query("SELECT user_id FROM sync.ownerships WHERE character_id = $1", [id])[0].get(
                    0,
                    as: Int64.self
                )
            }
            #expect(after != before)
            let buyersView = String(decoding: try await buyer.send("/api/characters").body, as: UTF8.self)
            #expect(buyersView.contains("\"characters\":[]"))
            let registrations = try await web.pool.withConnection { connection in
                try connection.query("SELECT count(*) FROM sync.characters WHERE id = $1", [id])[0].get(
                    0,
                    as: Int64.self
                )
            }
            #expect(registrations == 0, "the old registration ends: it does not sync the new owner's data")

            // Sold again, and a third time: each buyer is a user of their own, under a free name.
            var buyers = Set([after])
            for _ in 0..<2 {
                _ = web.sync.simulator.world.transferCharacter(Int(id))
                #expect(try await web.browser().login(as: id).status == 303)
                let owner = try await web.pool.withConnection { connection in
                    try connection.query("SELECT user_id FROM sync.ownerships WHERE character_id = $1", [id])[0].get(
                        0,
                        as: Int64.self
                    )
                }
                #expect(!buyers.contains(owner) && owner != before)
                buyers.insert(owner)
            }
        }
    }

    /// Login CSRF: a callback URL an attacker obtained for their own character, opened by a victim,
    /// logs nobody in; a logged-in browser keeps its session whatever callback it is sent.
    @Test func aLoginFinishesOnlyInTheBrowserThatStartedIt() async throws {
        try await withWebHarness(characters: 2) { web in
            let (victimCharacter, attackerCharacter) = (web.sync.characterIDs[0], web.sync.characterIDs[1])

            // The attacker starts a login for their own character and keeps the callback URL.
            func plantedCallback() async throws -> String {
                let attacker = web.browser()
                let start = try #require(try await attacker.send("/sso/login").header("Location"))
                #expect(attacker.cookies[Sessions.loginCookieName] != nil, "the login's browser cookie")
                let approved = try await attacker.send(start + "&character_id=\(attackerCharacter)")
                return try #require(approved.header("Location"))
            }

            // A browser that never started a login: refused, with a page that says why; no session.
            let victim = web.browser()
            let planted = try await victim.send(try await plantedCallback())
            #expect(planted.status == 400)
            #expect(String(decoding: planted.body, as: UTF8.self).contains("not started in this browser"))
            #expect(victim.cookies[Sessions.cookieName] == nil)

            // A browser that started a login of its own: the attacker's callback is still refused.
            _ = try await victim.send("/sso/login")
            #expect(try await victim.send(try await plantedCallback()).status == 400)
            #expect(victim.cookies[Sessions.cookieName] == nil)

            // A logged-in victim: the planted callback does not replace the session, and a new
            // login is not started over it.
            #expect(try await victim.login(as: victimCharacter).status == 303)
            let session = try #require(victim.cookies[Sessions.cookieName])
            #expect(try await victim.send(try await plantedCallback()).status == 400)
            #expect(victim.cookies[Sessions.cookieName] == session)
            #expect(try await victim.send("/sso/login").header("Location") == "/launcher")
            let me =
                try JSONSerialization.jsonObject(with: Data(try await victim.send("/api/me").body)) as? [String: Any]
            let victimName = try #require(web.sync.simulator.world.name(ofCharacter: Int(victimCharacter)))
            #expect(me?["user"] as? String == victimName)

            // The cookie: HttpOnly, SameSite=Lax, only under /sso on http, and ten minutes long.
            let cookie = try #require(try await web.browser().send("/sso/login").header("Set-Cookie"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/sso"))
            #expect(cookie.contains("Max-Age=600"))
        }
    }

    /// On https the cookies carry the `__Host-` prefix and the answers HSTS.
    @Test func httpsCookiesAreHostBoundAndAnswersAskForHTTPS() async throws {
        try await withWebHarness(characters: 1, publicURL: "https://audit.example.org") { web in
            let start = try await web.request("/sso/login", cookie: nil)
            let cookie = try #require(start.header("Set-Cookie"))
            #expect(cookie.hasPrefix("__Host-\(Sessions.loginCookieName)="))
            let attributes = Set(cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes.isSuperset(of: ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"]), "\(attributes)")
            #expect(start.header("Strict-Transport-Security")?.hasPrefix("max-age=") == true)
            let session = Sessions.cookie("t", lifetime: 60, secure: true)
            #expect(session.name == "__Host-\(Sessions.cookieName)" && session.value == "t")
            #expect(session.path == "/" && session.secure && session.httpOnly && session.sameSite == .lax)
        }
    }

    @Test func formsNeedTheSessionsCSRFTokenAndSessionsEnd() async throws {
        try await withWebHarness(characters: 2) { web in
            let id = web.sync.characterIDs[0]
            let browser = web.browser()
            #expect(try await browser.login(as: id).status == 303)
            let user = try await web.pool.withConnection { connection in
                try connection.query("SELECT user_id FROM sync.ownerships WHERE character_id = $1", [id])[0].get(
                    0,
                    as: Int64.self
                )
            }
            // The login's user owns the character registered by the harness's user: register it
            // to this user through "add character" (the sync scopes).
            let added = try await browser.login(as: id, path: "/sso/add")
            #expect(added.status == 303 && added.header("Location")?.hasPrefix("/launcher") == true)
            let owner = try await web.pool.withConnection { connection in
                try connection.query("SELECT user_id FROM sync.characters WHERE id = $1", [id])[0].get(
                    0,
                    as: Int64.self
                )
            }
            #expect(owner == user)

            // Making it the main: refused without the token, with a wrong one, done with the right one.
            #expect(try await browser.post("/characters/\(id)/main", form: [:]).status == 403)
            #expect(try await browser.post("/characters/\(id)/main", form: ["csrf": "guess"]).status == 403)
            let me =
                try JSONSerialization.jsonObject(with: Data(try await browser.send("/api/me").body)) as? [String: Any]
            let csrf = try #require(me?["csrfToken"] as? String)
            let made = try await browser.post("/characters/\(id)/main", form: ["csrf": csrf])
            #expect(made.status == 303)
            let main = try await web.pool.withConnection { connection in
                try connection.query("SELECT main_character_id FROM sync.users WHERE id = $1", [user])[0].get(
                    0,
                    as: Int64?.self
                )
            }
            #expect(main == id)
            // The page's forms carry the token.
            let page = String(decoding: try await browser.send("/launcher").body, as: UTF8.self)
            #expect(page.contains("name=\"csrf\" value=\"\(csrf)\""))

            // An expired session is no session.
            try await web.pool.withConnection { connection in
                try connection.execute(
                    "UPDATE access.sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
                    [user]
                )
            }
            #expect(try await browser.send("/launcher").header("Location") == "/login")

            // Logging out ends the session for good.
            #expect(try await browser.login(as: id).status == 303)
            let csrf2 = try #require(
                (try JSONSerialization.jsonObject(with: Data(try await browser.send("/api/me").body)) as? [String: Any])?[
                    "csrfToken"
                ] as? String
            )
            let token = try #require(browser.cookies[Sessions.cookieName])
            #expect(try await browser.post("/logout", form: ["csrf": csrf2]).status == 303)
            browser.cookies[Sessions.cookieName] = token
            #expect(try await browser.send("/launcher").header("Location") == "/login")
        }
    }
}
