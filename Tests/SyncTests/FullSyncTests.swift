import ESISimulator
import EventLog
import Foundation
import Sync
import SyncTestSupport
import Testing
import Vocabulary

@Suite struct FullSyncTests {
    @Test func everySectionOfEveryCharacterEndsAsEventsWithESIsBytes() async throws {
        try await withSyncHarness(characters: 4) { harness in
            try await harness.register()
            let summary = try await harness.engine().runPass(
                filter: PassFilter(sections: harness.settings.sections),
                force: false
            )
            let sections = harness.settings.sections
            #expect(summary.fetched == 4 * sections.count, "\(summary)")
            #expect(summary.failed == 0 && summary.skipped == 0)

            let events = try await harness.events()
            for id in harness.characterIDs {
                let stream = EventLog.Stream.character(id)
                for section in sections {
                    for route in section.routes {
                        let mine = events.filter { $0.stream == stream && $0.section == route.name }
                        #expect(mine.count == 1, "\(id) \(route.name): \(mine.count) events")
                        #expect(mine.first?.outcome == .fetched)
                        #expect(mine.first?.route == route.template)
                    }
                }
            }
            // The payloads are ESI's bytes: ask the simulator directly (same cache window).
            let store = EventStore(pool: harness.pool)
            let id = harness.characterIDs[0]
            for (section, path) in [
                ("skills", "/characters/\(id)/skills"), ("wallet_balance", "/characters/\(id)/wallet"),
                ("location", "/characters/\(id)/location"), ("character_details", "/characters/\(id)"),
                ("jump_clones", "/characters/\(id)/clones"), ("contacts", "/characters/\(id)/contacts"),
            ] {
                let token = try #require(
                    try harness.simulator.accessToken(characterID: Int(id), scopes: harness.simulator.allScopes)
                )
                let direct = harness.simulator.handle(
                    SimulatorRequest(method: "GET", path: path, headers: ["Authorization": "Bearer \(token)"])
                )
                #expect(direct.status == 200)
                let event = try #require(events.first { $0.stream == .character(id) && $0.section == section })
                let payload = try await store.payload(try #require(event.payloadHash))
                #expect(payload == direct.body, "\(section)")
            }
            // Dependent and public fetches: asset names, names of entities, stations.
            #expect(events.contains { $0.section == "asset_names" && $0.outcome == .fetched })
            #expect(events.contains { $0.stream == .public("universe_names") && $0.outcome == .fetched })
            #expect(events.contains { $0.stream == .public("stations") && $0.outcome == .fetched })
            // Every fourth character has a clone in a structure, read with its token.
            #expect(events.contains { $0.stream == .public("structures") && $0.outcome == .fetched })

            // The queue: everything done, due again after its stale time.
            let stats = try await SyncStatistics.load(harness.pool)
            #expect(stats.due == 0 && stats.leased == 0)
            #expect(stats.queued == 4 * sections.count)
        }
    }

    @Test func anUnchangedSectionIsANotModifiedEventPointingAtThePayload() async throws {
        try await withSyncHarness(characters: 1) { harness in
            try await harness.register()
            let filter = PassFilter(sections: [.skills, .assets, .walletTransactions, .mails])
            let first = try await harness.engine().runPass(filter: filter, force: false)
            #expect(first.fetched == 4)
            // Nothing is due yet: a plain pass does nothing.
            #expect(try await harness.engine().runPass(filter: filter, force: false).sections == 0)
            let second = try await harness.engine().runPass(filter: filter, force: true)
            #expect(second.notModified == 4, "\(second)")
            let events = try await harness.events().filter { $0.stream.characterID != nil }
            for name in ["skills", "assets", "wallet_transactions", "mails"] {
                let pair = events.filter { $0.section == name }
                #expect(pair.map(\.outcome) == [.fetched, .notModified], "\(name)")
                #expect(pair.count == 2 && pair[0].payloadHash == pair[1].payloadHash)
            }
            let outcomes: [String] = try await harness.column(
                "SELECT last_outcome FROM sync.work WHERE section = ANY($1)",
                [["skills", "assets"]]
            )
            #expect(outcomes == ["not_modified", "not_modified"])
        }
    }

    @Test func aMissingScopeSkipsThatSectionWithAClearStatus() async throws {
        try await withSyncHarness(characters: 1) { harness in
            let scopes = harness.simulator.allScopes.filter { $0 != "esi-assets.read_assets.v1" }
            try await harness.register(scopes: scopes)
            let summary = try await harness.engine().runPass(
                filter: PassFilter(sections: harness.settings.sections),
                force: false
            )
            #expect(summary.skipped == 1)
            #expect(summary.fetched == harness.settings.sections.count - 1)
            let status: [String] = try await harness.column(
                "SELECT last_outcome || ': ' || last_error FROM sync.work WHERE section = 'assets'"
            )
            #expect(
                status.first?.contains("skipped: the character's token lacks the scope esi-assets.read_assets.v1")
                    == true
            )
            #expect(try await harness.events().contains { $0.section == "assets" } == false)
        }
    }

    @Test func mailsFollowLastMailIDUpToTheLimitAndBodiesAreFetchedOnce() async throws {
        try await withSyncHarness(characters: 1) { harness in
            // A hundred simulated days bring more than two pages of mail.
            harness.simulator.clock.advance(by: 100 * 86_400)
            try await harness.register()
            let filter = PassFilter(sections: [.mails])
            _ = try await harness.engine { $0.maxMails = 60 }.runPass(filter: filter, force: false)
            let events = try await harness.events()
            let headers = try #require(events.first { $0.section == "mails" })
            let payload = try await EventStore(pool: harness.pool).payload(try #require(headers.payloadHash))
            let mails = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [[String: Any]])
            // 50 a call: a limit of 60 takes two calls, whole pages kept.
            #expect(mails.count > 50 && mails.count <= 100, "\(mails.count) mails")
            let ids = mails.compactMap { $0["mail_id"] as? Int }
            #expect(Set(ids).count == ids.count)
            let bodies = events.filter { $0.section == "mail_body" }
            #expect(bodies.count == mails.count)
            // A forced pass re-reads the headers (304) and fetches no body twice.
            harness.simulator.clock.advance(by: 3600)
            _ = try await harness.engine { $0.maxMails = 60 }.runPass(filter: filter, force: true)
            let again = try await harness.events().filter { $0.section == "mail_body" }
            let bodyIDs = again.compactMap { $0.parameters["mail_id"] }
            #expect(Set(bodyIDs).count == bodyIDs.count)
        }
    }
}
