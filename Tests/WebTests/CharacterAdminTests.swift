import Access
import Application
import Foundation
import Postgres
import SyncTestSupport
import Testing

@testable import Web

/// The character administration: superusers only; status filters; enable, disable, update now,
/// revoke a share, and remove after a confirmation.
@Suite struct CharacterAdminTests {
    @Test func superusersManageEveryCharacter() async throws {
        try await withWebHarness(characters: 2) { web in
            let ids = web.sync.characterIDs
            try await web.pool.withConnection { connection in
                try connection.execute("INSERT INTO sync.users (name, is_superuser) VALUES ('root', true)")
                try connection.execute("UPDATE sync.characters SET token_state = 'invalid' WHERE id = $1", [ids[1]])
                try connection.execute("INSERT INTO access.shared_characters (character_id) VALUES ($1)", [ids[0]])
            }
            let (root, csrf) = try await web.session(for: "root")
            let (plain, plainCSRF) = try await web.session(for: try await web.owner(of: ids[0]))
            #expect(try await web.request("/admin/characters", cookie: plain).status == 403)
            let refused = try await web.request(
                "/admin/character-disable",
                method: "POST",
                cookie: plain,
                form: ["csrf": plainCSRF, "character": String(ids[0])]
            )
            #expect(refused.status == 403)

            let page = try await web.request("/admin/characters", cookie: root)
            #expect(page.status == 200)
            for id in ids { #expect(page.text.contains("href=\"/characters/\(id)\"")) }
            #expect(page.text.contains("token invalid (1)") && page.text.contains("badge-token"))
            let tokens = try await web.request("/admin/characters?status=token", cookie: root).text
            #expect(
                tokens.contains("href=\"/characters/\(ids[1])\"") && !tokens.contains("href=\"/characters/\(ids[0])\"")
            )

            func post(_ action: String, _ extra: [String: String] = [:]) async throws -> PageResponse {
                try await web.request(
                    "/admin/\(action)",
                    method: "POST",
                    cookie: root,
                    form: ["csrf": csrf, "character": String(ids[0])].merging(extra) { $1 }
                )
            }
            func value<T: PostgresDecodable & Sendable>(_ sql: String, as: T.Type) async throws -> T {
                try await web.pool.withConnection { try $0.query(sql, [ids[0]])[0].get(0) }
            }
            #expect(try await post("character-disable").status == 303)
            #expect(!(try await value("SELECT enabled FROM sync.characters WHERE id = $1", as: Bool.self)))
            #expect(try await post("character-enable").status == 303)
            #expect(try await value("SELECT enabled FROM sync.characters WHERE id = $1", as: Bool.self))
            try await web.pool.withConnection {
                try $0.execute(
                    "UPDATE sync.work SET due_at = now() + interval '1 day' WHERE character_id = $1",
                    [ids[0]]
                )
            }
            #expect(try await post("character-update").status == 303)
            #expect(
                try await value(
                    "SELECT bool_and(due_at <= now()) FROM sync.work WHERE character_id = $1",
                    as: Bool.self
                )
            )
            #expect(try await post("character-unshare").status == 303)
            #expect(
                try await value("SELECT count(*) FROM access.shared_characters WHERE character_id = $1", as: Int64.self)
                    == 0
            )
            let ask = try await post("character-remove")
            #expect(ask.status == 200 && ask.text.contains("name=\"confirm\" value=\"yes\""))
            #expect(try await value("SELECT count(*) FROM sync.characters WHERE id = $1", as: Int64.self) == 1)
            #expect(try await post("character-remove", ["confirm": "yes"]).status == 303)
            #expect(try await value("SELECT count(*) FROM sync.characters WHERE id = $1", as: Int64.self) == 0)
            #expect(try await post("character-update", ["character": "x"]).status == 400)
        }
    }
}
