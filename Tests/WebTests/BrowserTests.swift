import Access
import Application
import ESISimulator
import Foundation
import Postgres
import SkillSets
import SyncTestSupport
import TestSupport
import Testing

@testable import Web

/// A real browser on the pages: headless Chromium (Debian's package; tools/test installs it) logs
/// in through the simulator's SSO, then loads the launcher, the overview, a contract's detail, the
/// skill-set tab, a set's detail, the skill-set editor, the finder and reports; each page's content
/// is checked and a screenshot kept in .build/browser-screenshots. Pictures come from the
/// simulator's mirror of CCP's image server.
@Suite struct BrowserTests {
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: ".build/browser-screenshots")

    /// Chromium's path; a missing browser fails the test (a skipped test would count as passed)
    /// unless MEMBERAUDIT_SKIP_BROWSER=1 says to go without.
    static func chromium() throws -> String? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        if ProcessInfo.processInfo.environment["MEMBERAUDIT_SKIP_BROWSER"] == "1" { return nil }
        throw TestFailure(
            "headless Chromium is not installed: run tools/setup --browser (or set MEMBERAUDIT_SKIP_BROWSER=1)"
        )
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs Chromium to its end without blocking a thread of the test's pool; gives standard output.
    static func run(_ chromium: String, _ arguments: [String]) async throws -> String {
        try await runBlocking {
            try BuiltProgram.run(
                executable: URL(fileURLWithPath: chromium),
                ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"]
                    + arguments,
                keepErrors: false
            ).output
        }
    }

    @Test func chromiumLoadsTheLauncherViewerFinderAndAReport() async throws {
        guard let chromium = try Self.chromium() else { return }
        try await withWebHarness(characters: 3, simulatorLogin: true) { web in
            let id = web.sync.characterIDs[0]
            let name = try #require(web.sync.simulator.world.name(ofCharacter: Int(id)))
            let other = try #require(web.sync.simulator.world.name(ofCharacter: Int(web.sync.characterIDs[1])))
            let user = try await web.owner(of: id)
            try await web.pool.withConnection { try AccessChanges.apply([.setSuperuser(user, true)], on: $0) }
            // A set made from a fitting, as an administrator pastes one on /skillsets.
            let fitting = try String(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appending(path: "docs/examples/fleet-rifter.eft"),
                encoding: .utf8
            )
            let (contract, skillSet): (Int64, Int64) = try await web.pool.transaction { connection in
                let imported = try Fitting.parse(fitting).skillSet(name: nil, catalog: SkillCatalog.shipped)
                try SkillSetEditing.save(
                    imported.skillSet,
                    inGroups: ["Doctrine"],
                    creatingGroups: true,
                    by: "test",
                    on: connection
                )
                return (
                    try connection.query(
                        "SELECT contract_id FROM readmodel.contract_items WHERE character_id = $1 ORDER BY 1 LIMIT 1",
                        [id]
                    )[0].get(0),
                    try connection.query("SELECT id FROM skillsets.sets WHERE name = 'Fleet Rifter'")[0].get(0)
                )
            }
            let profile = FileManager.default.temporaryDirectory.appending(
                path: "memberaudit-browser-\(UUID().uuidString)"
            )
            defer { try? FileManager.default.removeItem(at: profile) }
            try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
            let common = ["--user-data-dir=\(profile.path)", "--window-size=1280,1000"]

            // Logging in: redirects to the SSO and back end on the launcher, and leave the cookie.
            let login = try await Self.run(
                chromium,
                common + ["--dump-dom", "\(web.base)/sso/login?character_id=\(id)"]
            )
            #expect(login.contains("Your characters") && login.contains(escapeHTML(name)), "\(login.prefix(400))")

            let pages: [(file: String, path: String, expected: [String])] = [
                ("launcher", "/launcher", ["Your characters", escapeHTML(name), "Register a character", "Share"]),
                (
                    "viewer", "/characters/\(id)",
                    [
                        escapeHTML(name), "Overview", "Assets", "Wallet journal", "Security status",
                        "/images/characters/\(id)/portrait",
                    ]
                ),
                ("contract", "/characters/\(id)/contracts/\(contract)", ["Total at market prices", "/images/types/"]),
                ("skill-sets-tab", "/characters/\(id)/skill_sets", ["Fleet Rifter", "Doctrine", "Can fly"]),
                ("skill-set", "/characters/\(id)/skill_sets/\(skillSet)", ["Fleet Rifter", "Recommended", "Training"]),
                ("skill-set-admin", "/skillsets", ["Fleet Rifter", "New skill set", "Import an EFT fitting"]),
                (
                    "skill-set-editor", "/skillsets/edit?set=Fleet%20Rifter",
                    ["Add a skill", "Minmatar Frigate", "Rifter"]
                ),
                ("skill-set-report", "/reports/skillsets", ["Doctrine", "Can fly"]),
                ("viewer-assets", "/characters/\(id)/assets", ["Search all assets", "places", "at market prices"]),
                ("history", "/characters/\(id)/history", ["Wallet balance", "Location timeline"]),
                ("finder", "/finder", ["Character finder", escapeHTML(name), escapeHTML(other)]),
                ("report", "/reports/compliance", ["User compliance", "Compliant"]),
            ]
            for page in pages {
                let dom = try await Self.run(chromium, common + ["--dump-dom", web.base + page.path])
                for text in page.expected {
                    #expect(dom.contains(text), "\(page.path) lacks \(text): \(dom.prefix(300))")
                }
                #expect(!dom.contains("Log in with EVE Online"), "\(page.path) was not logged in")
                let file = Self.screenshots.appending(path: "\(page.file).png")
                _ = try await Self.run(chromium, common + ["--screenshot=\(file.path)", web.base + page.path])
                let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
                #expect(size > 10_000, "\(file.path): \(size) bytes")
            }
        }
    }
}
