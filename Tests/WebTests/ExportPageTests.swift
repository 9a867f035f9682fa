import Access
import Foundation
import Postgres
import Projections
import Sync
import SyncTestSupport
import TestSupport
import Testing
import Web

/// The data export page: exports_access needed, each topic a zip of CSV holding exactly the
/// characters the viewer may open, read back with Python's zipfile.
@Suite struct ExportPageTests {
    @Test func exportsHoldWhatTheViewerMayOpen() async throws {
        try await withWebHarness(characters: 2) { web in
            let (mine, theirs) = (web.sync.characterIDs[0], web.sync.characterIDs[1])
            let owner = try await web.owner(of: mine)
            try await web.pool.withConnection { connection in
                try AccessAdmin.createGroup("Exporters", on: connection)
                try AccessAdmin.grant([.exportsAccess], to: "Exporters", on: connection)
                try AccessAdmin.addMember(owner, to: "Exporters", on: connection)
                try connection.execute("INSERT INTO sync.users (name, is_superuser) VALUES ('root', true)")
            }
            let (other, _) = try await web.session(for: try await web.owner(of: theirs))
            #expect(try await web.request("/exports", cookie: other).status == 403)
            #expect(try await web.request("/exports/wallet-journal.zip", cookie: other).status == 403)

            let (cookie, _) = try await web.session(for: owner)
            let page = try await web.request("/exports", cookie: cookie)
            #expect(page.status == 200 && page.text.contains("/exports/contract-items.zip"))
            #expect(try await web.request("/exports/nothing.zip", cookie: cookie).status == 404)

            func journal(_ cookie: String) async throws -> (name: String, lines: [String]) {
                let response = try await web.request("/exports/wallet-journal.zip", cookie: cookie)
                #expect(response.status == 200)
                #expect(response.headers.contains { $0.0 == "Content-Type" && $0.1 == "application/zip" })
                let entries = try inspectZip(response.body)
                try #require(entries.count == 1)
                return (entries[0].name, entries[0].text.split(separator: "\n").map(String.init))
            }
            // Two simulated days of trading make journals.
            try await web.sync.advanceTime(by: 2 * 86_400)
            _ = try await web.sync.engine().runPass(
                filter: PassFilter(sections: web.sync.settings.sections),
                force: true
            )
            try await ProjectionRunner(pool: web.pool).catchUp()
            let counts = try await web.pool.withConnection { connection in
                try connection.query(
                    "SELECT character_id, count(*) FROM readmodel.wallet_journal GROUP BY 1"
                ).reduce(into: [Int64: Int]()) { $0[try $1.get(0)] = Int(try $1.get(1, as: Int64.self)) }
            }
            try #require((counts[mine] ?? 0) > 0 && (counts[theirs] ?? 0) > 0, "both characters have a journal")

            let (name, lines) = try await journal(cookie)
            #expect(name.hasPrefix("memberaudit-wallet-journal-") && name.hasSuffix(".csv"))
            #expect(lines.first?.hasPrefix("character_id,character,id,date,ref_type,amount,balance") == true)
            #expect(lines.count - 1 == counts[mine])
            #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("\(mine),") }, "only the viewer's own character")

            let (root, _) = try await web.session(for: "root")
            let everything = try await journal(root).lines
            #expect(everything.count - 1 == counts.values.reduce(0, +))
            #expect(everything.dropFirst().contains { $0.hasPrefix("\(theirs),") })
        }
    }
}
