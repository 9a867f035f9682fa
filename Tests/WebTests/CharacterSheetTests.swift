import Access
import Application
import ESI
import ESISimulator
import Foundation
import Postgres
import Sync
import SyncTestSupport
import Testing

@testable import Projections
@testable import Web

/// The character sheet as a player reads it: the overview with pictures, words and readable
/// numbers, a contract's detail, a skill set's detail with its skill plan, and contacts by group.
@Suite struct CharacterSheetTests {
    @Test func theOverviewShowsWhoWhereWhatAndWhen() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            let page = try await web.request("/characters/\(id)", cookie: cookie)
            #expect(page.status == 200)
            let html = page.text
            let sheet = try #require(try await web.pool.withConnection { try CharacterSheet.load(id, on: $0) })
            for text in [
                "\(web.app.configuration.imageServer)/characters/\(id)/portrait?size=256", "alt=\"Portrait of ",
                "https://zkillboard.com/character/\(id)/", "https://evewho.com/character/\(id)",
                "https://forums.eveonline.com/u/", "Security status", "Skill points", "Wallet", "Location",
                "Update status", "Last login",
            ] {
                #expect(html.contains(text), "the overview lacks \(text)")
            }
            if let corporation = sheet.corporationID {
                #expect(html.contains("\(web.app.configuration.imageServer)/corporations/\(corporation)/logo"))
                #expect(html.contains("https://evemaps.dotlan.net/corp/"))
            }
            // Numbers as players read them, with the exact figure on hover; no column names.
            let wallet = try #require(sheet.wallet)
            #expect(html.contains("title=\"\(Format.isk(wallet))\""), "wallet \(wallet) not shown readably")
            for raw in [">Total sp", ">Ship type name", ">total_sp<", ">wallet_balance<", ">Security status<dd>0."] {
                #expect(!html.contains(raw), "the overview shows the column name \(raw)")
            }
            // Every section's update status, with a badge.
            #expect(html.contains("badge-ok") || html.contains("badge-stale"))
        }
    }

    @Test func aFailingSectionIsMarkedOnItsTab() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            try await web.pool.withConnection { connection in
                try connection.execute(
                    """
                    UPDATE readmodel.sync_status SET last_outcome = 'failed', last_error = 'HTTP 502'
                    WHERE character_id = $1 AND section = 'wallet_journal'
                    """,
                    [id]
                )
            }
            let html = try await web.request("/characters/\(id)", cookie: cookie).text
            let tab = try #require(html.components(separatedBy: "/wallet_journal\"").dropFirst().first)
            #expect(tab.prefix(200).contains("class=\"marker\""), "\(tab.prefix(200))")
            #expect(html.contains("badge-failing") && html.contains("HTTP 502"))
            let journal = try await web.request("/characters/\(id)/wallet_journal", cookie: cookie).text
            #expect(journal.contains("badge-failing"))
        }
    }

    @Test func aContractsDetailSeparatesOfferedFromAskedAndTotalsThem() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            let contract: Int64 = try await web.pool.withConnection { connection in
                try connection.query(
                    "SELECT contract_id FROM readmodel.contract_items WHERE character_id = $1 ORDER BY 1 LIMIT 1",
                    [id]
                )[0].get(0)
            }
            let list = try await web.request("/characters/\(id)/contracts", cookie: cookie).text
            #expect(list.contains("href=\"/characters/\(id)/contracts/\(contract)\""))
            let page = try await web.request("/characters/\(id)/contracts/\(contract)", cookie: cookie)
            #expect(page.status == 200)
            let detail = try #require(
                try await web.pool.withConnection {
                    try ContractDetail.load(character: id, contract: contract, on: $0)
                }
            )
            #expect(!(detail.offered.isEmpty && detail.asked.isEmpty))
            if !detail.offered.isEmpty { #expect(page.text.contains("Items offered")) }
            if !detail.asked.isEmpty { #expect(page.text.contains("Items asked for")) }
            let offeredTotal = detail.offered.compactMap(\.value).reduce(0, +)
            #expect(page.text.contains(Format.isk(offeredTotal)), "offered total \(offeredTotal)")
            for item in detail.offered + detail.asked {
                #expect(page.text.contains("\(web.app.configuration.imageServer)/types/\(item.typeID)/icon"))
            }
            #expect(try await web.request("/characters/\(id)/contracts/1", cookie: cookie).status == 404)
            #expect(try await web.request("/characters/\(id)/assets/1", cookie: cookie).status == 404)
        }
    }

    @Test func aSkillSetsDetailListsEverySkillAndThePlanOfWhatIsMissing() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let owner = try await web.owner(of: id)
            try await web.pool.withConnection { try AccessChanges.apply([.setSuperuser(owner, true)], on: $0) }
            let (cookie, csrf) = try await web.session(for: owner)
            // A plan no simulated character has fully trained: every level V of a few skills.
            let saved = try await web.request(
                "/skillsets/import-plan",
                method: "POST",
                cookie: cookie,
                form: ["csrf": csrf, "plan": "Navigation 5\nSpaceship Command 5\nGunnery 5", "name": "All fives"]
            )
            #expect(saved.status == 200, "\(saved.text.prefix(300))")
            let tab = try await web.request("/characters/\(id)/skill_sets", cookie: cookie).text
            let link = try #require(
                tab.components(separatedBy: "href=\"/characters/\(id)/skill_sets/").dropFirst().first?
                    .split(separator: "\"").first,
                "no link to the set's detail: \(tab.prefix(600))"
            )
            let setID = try #require(Int64(link))
            let page = try await web.request("/characters/\(id)/skill_sets/\(setID)", cookie: cookie)
            #expect(page.status == 200)
            let detail = try #require(
                try await web.pool.withConnection {
                    try SkillSetDetail.load(character: id, skillSet: setID, on: $0)
                }
            )
            #expect(Set(detail.skills.map(\.name)) == ["Navigation", "Spaceship Command", "Gunnery"])
            for skill in detail.skills {
                #expect(page.text.contains(">\(skill.name)<"))
                // The plan names every level from the one after the active level up to V.
                let lines = detail.skillPlan.filter { $0.hasPrefix(skill.name + " ") }
                #expect(lines == (max(0, skill.active) + 1...5).map { "\(skill.name) \($0)" }, "\(lines)")
            }
            #expect(page.text.contains(detail.skillPlan.joined(separator: "\n")))
            #expect(try await web.request("/characters/\(id)/skill_sets/999999", cookie: cookie).status == 404)
        }
    }

    @Test func theMenuCountsCharactersThatNeedTheUser() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            #expect(!(try await web.request("/launcher", cookie: cookie).text.contains("class=\"count\"")))
            try await web.pool.withConnection { connection in
                try connection.execute("UPDATE sync.characters SET token_state = 'invalid' WHERE id = $1", [id])
                try connection.execute(
                    """
                    INSERT INTO sync.ownerships (character_id, character_name, owner_hash, user_id)
                    SELECT 2112999999, 'Unregistered Alt', 'hash', user_id FROM sync.characters WHERE id = $1
                    """,
                    [id]
                )
            }
            let page = try await web.request("/launcher", cookie: cookie).text
            #expect(page.contains("class=\"count\""), "\(page.prefix(600))")
            #expect(page.contains(">2</span>") && page.contains("Unregistered Alt"))
        }
    }

    @Test func theLauncherShowsPlayersOnlineAndTheMonthsTotals() async throws {
        try await withWebHarness(characters: 2) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            let status = try #require(await web.app.configuration.serverStatus?.current())
            // The simulator counts 20,000 players and its own characters.
            #expect(status.players == 20_000 + web.sync.characterIDs.count)
            let page = try await web.request("/launcher", cookie: cookie).text
            #expect(page.contains("Players online: <strong>\(Format.int(Int64(status.players)))</strong>"), "\(page)")
            #expect(page.contains("This month: mined <strong>"))
        }
    }

    @Test func theShipESILeavesOutOfTheAssetsIsAddedWithItsFitting() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            // In space (Jita, no station), the simulator's asset list leaves out the ship, as ESI's can.
            #expect(
                web.sync.simulator.world.script(
                    Int(id),
                    .travel(solarSystemID: 30_000_142, stationID: nil),
                    at: web.sync.simulator.clock.now()
                )
            )
            // Past ESI's cache of the asset list (an hour).
            try await web.sync.advanceTime(by: 3_601)
            _ = try await web.sync.engine().runPass(
                filter: PassFilter(sections: web.sync.settings.sections),
                force: true
            )
            try await ProjectionRunner(pool: web.pool).catchUp()
            try await web.pool.withConnection { connection in
                let ship = try connection.query(
                    "SELECT ship_item_id, ship_name FROM readmodel.character_ship WHERE character_id = $1",
                    [id]
                )[0]
                let (shipID, shipName) = (try ship.get(0, as: Int64.self), try ship.get(1, as: String.self))
                // The read model keeps what ESI sent ...
                let listed = try connection.query(
                    "SELECT count(*) FROM readmodel.assets WHERE character_id = $1 AND item_id = $2",
                    [id, shipID]
                )
                #expect(try listed[0].get(0, as: Int64.self) == 0)
                // ... the views add the ship where the character is, with its fitting inside it.
                let added = try connection.query(
                    """
                    SELECT item_name, root_location_id FROM readmodel.assets_view
                    WHERE character_id = $1 AND item_id = $2 AND added_current_ship
                    """,
                    [id, shipID]
                )
                #expect(added.count == 1)
                #expect(try added.first?.get(0, as: String.self) == shipName)
                #expect(try added.first?.get(1, as: Int64.self) == 30_000_142)
                let inside = try connection.query(
                    """
                    SELECT count(*), count(*) FILTER (WHERE root_location_id = 30000142 AND depth = 1)
                    FROM readmodel.assets_view WHERE character_id = $1 AND parent_item_id = $2
                    """,
                    [id, shipID]
                )[0]
                #expect(try inside.get(0, as: Int64.self) > 0)
                #expect(try inside.get(0, as: Int64.self) == inside.get(1, as: Int64.self))
            }
            let page = try await web.request("/characters/\(id)/assets?place=30000142", cookie: cookie).text
            #expect(page.contains("current ship, not in ESI"), "\(page)")
        }
    }

    @Test func aServerStatusIsReadOnlyFromAPlausibleAnswer() {
        #expect(ServerStatus(json: ["players": 23_456, "server_version": "2945123"])?.players == 23_456)
        #expect(ServerStatus(json: ["players": 0, "vip": true])?.vip == true)
        let hostile: [Any] = [
            ["players": -1], ["players": 1e300], ["players": "many"], ["server_version": "1"], "<html>502</html>",
            [1, 2, 3], ["players": 20_000_000],
        ]
        for json in hostile {
            #expect(ServerStatus(json: json) == nil, "\(json)")
        }
    }

    @Test func removalAsksFirst() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, csrf) = try await web.session(for: try await web.owner(of: id))
            func registered() async throws -> Bool {
                try await web.pool.withConnection {
                    try $0.query("SELECT count(*) FROM sync.characters WHERE id = $1", [id])[0].get(0, as: Int64.self)
                        == 1
                }
            }
            let ask = try await web.request(
                "/characters/\(id)/remove",
                method: "POST",
                cookie: cookie,
                form: ["csrf": csrf]
            )
            #expect(ask.status == 200 && ask.text.contains("name=\"confirm\" value=\"yes\""), "\(ask.status)")
            #expect(try await registered())
            let removed = try await web.request(
                "/characters/\(id)/remove",
                method: "POST",
                cookie: cookie,
                form: ["csrf": csrf, "confirm": "yes"]
            )
            #expect(removed.status == 303 && removed.header("Location") == "/launcher")
            #expect(!(try await registered()))
        }
    }

    @Test func militiaRanksHaveTheirTitles() async throws {
        try await withWebHarness(characters: 4) { web in
            let (cookie, _) = try await web.superuserSessionAndNames()
            let enlisted: [(Int64, Int64, Int64)] = try await web.pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT character_id, faction_id, current_rank FROM readmodel.character_fw_stats
                    WHERE faction_id BETWEEN 500001 AND 500004 AND current_rank BETWEEN 0 AND 9
                    """
                ).map { try $0.decode((Int64, Int64, Int64).self) }
            }
            try #require(!enlisted.isEmpty, "a simulated character is in a militia")
            for (id, faction, rank) in enlisted {
                let title = try #require(MilitiaRanks.titles.first { $0.faction == faction }?.names[Int(rank)])
                let page = try await web.request("/characters/\(id)/fw_stats", cookie: cookie).text
                #expect(page.contains("<dt>Current title</dt><dd>\(title)</dd>"), "\(id): \(title)")
            }
        }
    }

    @Test func contactsAreGroupedByStanding() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            let groups: [String] = try await web.pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT DISTINCT CASE WHEN standing > 5 THEN 'Excellent' WHEN standing > 0 THEN 'Good'
                        WHEN standing = 0 THEN 'Neutral' WHEN standing >= -5 THEN 'Bad' ELSE 'Terrible' END
                    FROM readmodel.contacts WHERE character_id = $1
                    """,
                    [id]
                ).map { try $0.get(0) }
            }
            try #require(!groups.isEmpty, "the simulated character has contacts")
            let html = try await web.request("/characters/\(id)/contacts", cookie: cookie).text
            for group in groups {
                #expect(html.contains("href=\"/characters/\(id)/contacts?q=\(group)\""), "no link to \(group)")
            }
            let first = try #require(groups.first)
            let filtered = try await web.request("/characters/\(id)/contacts?q=\(first)", cookie: cookie)
            #expect(filtered.status == 200 && filtered.text.contains("standing-"))
        }
    }
}

/// Reports on the page: sorted, filtered and paged on the server, names linked to the sheets, and
/// the rows shown downloadable as CSV.
@Suite struct ReportPageTests {
    @Test func reportsSortFilterLinkAndDownloadWhatIsShown() async throws {
        try await withWebHarness(characters: 3) { web in
            let ids = web.sync.characterIDs
            let (cookie, names) = try await web.superuserSessionAndNames()
            let page = try await web.request("/reports/compliance?sort=main&dir=desc", cookie: cookie)
            #expect(page.status == 200)
            let positions = names.map { page.text.range(of: ">\(escapeHTML($0))<")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "\(page.text.prefix(800))")
            let sorted = zip(names, positions).sorted { $0.1! < $1.1! }.map(\.0)
            #expect(sorted == names.sorted(by: >), "\(sorted)")
            for id in ids { #expect(page.text.contains("href=\"/characters/\(id)\"")) }
            #expect(page.text.contains("href=\"/reports/compliance/csv?dir=desc&amp;page=1&amp;sort=main\""))

            let csv = try await web.request(
                "/reports/compliance/csv?sort=main&dir=desc&q=\(percentEncoded(names[1]))",
                cookie: cookie
            )
            #expect(csv.status == 200 && csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(whereSeparator: \.isNewline)
            #expect(lines.count == 2 && lines[1].contains(names[1]), "\(csv.text)")
            let (plain, _) = try await web.session(for: try await web.owner(of: ids[1]))
            #expect(try await web.request("/reports/compliance/csv", cookie: plain).status == 403)
        }
    }
}

/// The finder on the shared table: sorted by any column on the server, the rows shown as CSV.
@Suite struct FinderPageTests {
    @Test func theFinderSortsAndDownloadsWhatItShows() async throws {
        try await withWebHarness(characters: 3) { web in
            let ids = web.sync.characterIDs
            let (cookie, names) = try await web.superuserSessionAndNames()
            let page = try await web.request("/finder?sort=character&dir=asc", cookie: cookie)
            #expect(page.status == 200)
            let positions = try names.map { try #require(page.text.range(of: ">\(escapeHTML($0))</a>")?.lowerBound) }
            #expect(zip(names, positions).sorted { $0.1 < $1.1 }.map(\.0) == names.sorted())
            let csv = try await web.request("/finder/csv?sort=character&dir=desc", cookie: cookie)
            #expect(csv.status == 200 && csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(whereSeparator: \.isNewline)
            #expect(lines.first?.hasPrefix("character_id,character,") == true)
            let listed = lines.dropFirst().compactMap { $0.split(separator: ",").dropFirst().first.map(String.init) }
            #expect(listed == names.sorted(by: >), "\(csv.text)")
            let (plain, _) = try await web.session(for: try await web.owner(of: ids[1]))
            #expect(try await web.request("/finder/csv", cookie: plain).status == 403)
        }
    }
}

extension WebHarness {
    /// The first character's owner made a superuser, their session, and every character's name.
    func superuserSessionAndNames() async throws -> (cookie: String, names: [String]) {
        let ids = self.sync.characterIDs
        let owner = try await self.owner(of: ids[0])
        try await self.pool.withConnection { try AccessChanges.apply([.setSuperuser(owner, true)], on: $0) }
        let (cookie, _) = try await self.session(for: owner)
        let names = try await self.pool.withConnection { connection in
            try ids.map { try CharacterQueries.resolve(String($0), on: connection).name }
        }
        return (cookie, names)
    }
}
