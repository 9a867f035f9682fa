import Access
import Foundation
import Postgres
import SyncTestSupport
import Testing

@testable import Web

/// Hostile text in the read models reaches the pages harmless; skill sets are imported on the web.
@Suite struct PageSafetyTests {
    @Test func hostileBiosMailsAndNamesAreShownSafely() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            try await web.pool.withConnection { connection in
                try connection.execute(
                    "UPDATE readmodel.character_details SET description = $2, name = $3 WHERE character_id = $1",
                    [
                        id, #"<script>alert(1)</script><b onclick="x()">hi</b><a href="javascript:alert(2)">link</a>"#,
                        "<img src=x onerror=alert(3)>",
                    ]
                )
                try connection.execute(
                    """
                    INSERT INTO readmodel.mail_headers (character_id, mail_id, from_id, subject, "timestamp", is_read)
                    VALUES ($1, 1, $1, '<i>subject</i>', now(), false) ON CONFLICT DO NOTHING
                    """,
                    [id]
                )
                let mails = try connection.execute(
                    """
                    INSERT INTO readmodel.mail_bodies SELECT character_id, mail_id, $2 FROM readmodel.mail_headers
                    WHERE character_id = $1 ON CONFLICT (character_id, mail_id) DO UPDATE SET body = excluded.body
                    """,
                    [id, #"<svg onload=alert(4)></svg><a href="showinfo:1377//\#(id)">me</a>"#]
                )
                try #require(mails > 0, "the character has mails")
            }
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            for path in [
                "/characters/\(id)", "/characters/\(id)/character_details", "/characters/\(id)/mails", "/launcher",
            ] {
                let page = try await web.request(path, cookie: cookie)
                #expect(page.status == 200, "\(path)")
                let html = page.text.lowercased()
                // Escaped text may say "onerror=": no tag may carry it.
                for tag in ["<script>alert", "<img src=x", "<svg", " onclick=", " onload=", "href=\"javascript:"] {
                    #expect(!html.contains(tag), "\(path) has \(tag)")
                }
            }
            let bio = try await web.request("/characters/\(id)/character_details", cookie: cookie).text
            #expect(bio.contains("<b>hi</b>"))
            let mails = try await web.request("/characters/\(id)/mails", cookie: cookie).text
            #expect(mails.contains("https://evewho.com/character/\(id)"))
            let api = try await web.request("/api/characters/\(id)/character_details", cookie: cookie).text
            #expect(
                !api.contains("<script>") && (api.contains("<b>hi<\\/b>") || api.contains("<b>hi</b>")),
                "\(api.prefix(300))"
            )
        }
    }

    @Test func superusersImportFittingsAndPlansOthersMayNot() async throws {
        try await withWebHarness(characters: 1) { web in
            try await web.pool.withConnection { connection in
                try connection.execute(
                    "INSERT INTO sync.users (name, is_superuser) VALUES ('root', true), ('plain', false)"
                )
            }
            let fitting = try String(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appending(path: "docs/examples/fleet-rifter.eft"),
                encoding: .utf8
            )
            let (plain, plainCSRF) = try await web.session(for: "plain")
            #expect(
                try await web.request(
                    "/skillsets/import-eft",
                    method: "POST",
                    cookie: plain,
                    form: ["csrf": plainCSRF, "fitting": fitting]
                ).status == 403
            )
            let (root, csrf) = try await web.session(for: "root")
            #expect(
                try await web.request("/skillsets/import-eft", method: "POST", cookie: root, form: ["fitting": fitting])
                    .status == 403
            )
            // Browsers send a textarea's lines with CRLF.
            let saved = try await web.request(
                "/skillsets/import-eft",
                method: "POST",
                cookie: root,
                form: [
                    "csrf": csrf, "fitting": fitting.replacingOccurrences(of: "\n", with: "\r\n"), "group": "Doctrine",
                ]
            )
            #expect(saved.status == 200 && saved.text.contains("Saved Fleet Rifter"), "\(saved.text.prefix(500))")
            let plan = try await web.request(
                "/skillsets/import-plan",
                method: "POST",
                cookie: root,
                form: [
                    "csrf": csrf, "plan": "Navigation IV\r\nNo Such Skill 3\r\nSpaceship Command 2", "name": "Basics",
                ]
            )
            #expect(
                plan.status == 200 && plan.text.contains("Saved Basics with 2 skills") && plan.text.contains("line 2")
            )
            let export = try await web.request("/skillsets/export", cookie: root)
            #expect(export.status == 200 && export.text.contains("Fleet Rifter") && export.text.contains("Doctrine"))
            let page = try await web.request("/skillsets", cookie: root).text
            #expect(page.contains("Fleet Rifter") && page.contains("Basics"))
        }
    }
}

/// The assets tab browses places, then items, then containers' contents; mails filter by label.
@Suite struct BrowsingTests {
    @Test func assetsAsATreeAndMailsByLabel() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            func links(_ html: String, _ marker: String) -> [String] {
                html.components(separatedBy: "href=\"").dropFirst().compactMap {
                    $0.split(separator: "\"").first.map(String.init)
                }
                .filter { $0.contains(marker) }.map { $0.replacingOccurrences(of: "&amp;", with: "&") }
            }
            let places = try await web.request("/characters/\(id)/assets", cookie: cookie)
            #expect(places.status == 200 && places.text.contains("places"))
            let place = try #require(links(places.text, "?place=").first)
            let inPlace = try await web.request(place, cookie: cookie)
            #expect(inPlace.status == 200 && inPlace.text.contains("All places"))
            let items: Int64 = try await web.pool.withConnection { connection in
                try connection.query(
                    "SELECT count(*) FROM readmodel.assets WHERE character_id = $1 AND parent_item_id IS NOT NULL",
                    [id]
                )[0].get(0)
            }
            try #require(items > 0, "the simulated character has items in containers or ships")
            do {
                let parent: Int64 = try await web.pool.withConnection { connection in
                    try connection.query(
                        "SELECT parent_item_id FROM readmodel.assets WHERE character_id = $1 AND parent_item_id IS NOT NULL LIMIT 1",
                        [id]
                    )[0].get(0)
                }
                let container = "/characters/\(id)/assets?container=\(parent)"
                let inside = try await web.request(container, cookie: cookie)
                #expect(inside.status == 200 && inside.text.contains("All places") && inside.text.contains("<td>"))
            }
            let search = try await web.request("/characters/\(id)/assets?q=a", cookie: cookie)
            #expect(search.status == 200 && search.text.contains("rows"))
            let mails = try await web.request("/characters/\(id)/mails?label=Inbox", cookie: cookie)
            #expect(mails.status == 200 && mails.text.contains("All mail"))
        }
    }
}
