import ESI
import ESISimulator
import Foundation
import Settings
import Sync
import SyncTestSupport
import Testing
import Vocabulary

/// `MEMBERAUDIT_CLOCK_START`: a demo's or test's engine runs at the simulator's time in the past,
/// so a week of history is synced in a minute with events dated by that week.
@Suite struct ClockTests {
    @Test func theClockStartIsCheckedWhereItEnters() throws {
        let simulator = ["MEMBERAUDIT_ESI_BASE_URL": "http://127.0.0.1:1"]
        let past = "2026-11-26T00:00:00Z"
        let settings = try SyncSettings.load(
            from: Settings(values: simulator.merging(["MEMBERAUDIT_CLOCK_START": past]) { $1 })
        )
        let expected = try #require(ISO8601DateFormatter().date(from: past))
        #expect(abs(settings.clock.now().timeIntervalSince(expected)) < 5)
        #expect(settings.sso.clock == settings.clock, "the SSO client checks tokens by the same clock")
        #expect(try SyncSettings.load(from: Settings(values: simulator)).clock == .system)

        for (value, reason) in [
            ("yesterday", "ISO 8601"), ("2126-01-01T00:00:00Z", "past"), ("1900-01-01T00:00:00Z", "past"),
            (String(repeating: "9", count: 100), "ISO 8601"),
        ] {
            let error = #expect(throws: SettingsError.self) {
                try SyncSettings.load(
                    from: Settings(values: simulator.merging(["MEMBERAUDIT_CLOCK_START": value]) { $1 })
                )
            }
            #expect(error?.code == .badValue && error?.description.contains(reason) == true, "\(value)")
        }
        let real = #expect(throws: SettingsError.self) {
            try SyncSettings.load(from: Settings(values: ["MEMBERAUDIT_CLOCK_START": past]))
        }
        #expect(real?.code == .notAllowedHere, "\(String(describing: real))")
    }

    @Test func anEngineAtTheSimulatorsPastTimeSyncsDayAfterDay() async throws {
        // The simulator's clock starts three days ago, as tools/demo's does.
        let start = Date().addingTimeInterval(-3 * 86_400)
        try await withSyncHarness(characters: 1, origin: start) { harness in
            // By the system clock its tokens expired long ago: registration is refused.
            await #expect(throws: SyncError.self) { try await harness.register() }

            for day in 0..<3 {
                let now = harness.simulator.clock.now()
                var settings = harness.settings
                settings.clock = .starting(at: now)
                if day == 0 {
                    let sso = SSOClient(http: HTTPClient(userAgent: "memberaudit-tests"), configuration: settings.sso)
                    let id = harness.characterIDs[0]
                    let token = try #require(
                        harness.simulator.issueRefreshToken(characterID: Int(id), scopes: harness.simulator.allScopes)
                    )
                    _ = try await harness.registry.register(
                        refreshToken: token,
                        user: nil,
                        sso: sso,
                        sections: settings.sections
                    )
                }
                let engine = harness.engine { $0.clock = settings.clock }
                let pass = try await engine.runPass(
                    filter: PassFilter(sections: [.skills, .walletBalance]),
                    force: true
                )
                // Each day's access token is a day old to the simulator: refreshed, never refused.
                #expect(pass.failed == 0 && pass.fetched + pass.notModified == 2, "day \(day): \(pass)")
                // Dated by the simulated day: the engine's clock runs on from `now` at real speed,
                // so within the pass's wall time of it (minutes under the parallel suite's load),
                // never a day off.
                let dated = try await harness.events().suffix(2).map(\.fetchedAt)
                for fetchedAt in dated {
                    #expect(
                        abs(fetchedAt.timeIntervalSince(now)) < 600,
                        "day \(day): fetched at \(fetchedAt), not \(now)"
                    )
                }
                harness.simulator.clock.advance(by: 86_400)
            }
            #expect(try await harness.registry.list().first?.tokenState == "valid")
        }
    }
}
