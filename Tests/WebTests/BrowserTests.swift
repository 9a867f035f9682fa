import Access
import Application
import ESISimulator
import Foundation
import Postgres
import SyncTestSupport
import Testing

@testable import Web

/// A real browser on the pages: headless Chromium (Debian's package; tools/test installs it) logs
/// in through the simulator's SSO, then loads the launcher, the viewer, the finder and a report;
/// each page's content is checked and a screenshot kept in .build/browser-screenshots.
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments =
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let collected = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return String(decoding: await collected.value, as: UTF8.self)
    }

    @Test func chromiumLoadsTheLauncherViewerFinderAndAReport() async throws {
        guard let chromium = try Self.chromium() else { return }
        try await withWebHarness(characters: 3, simulatorLogin: true) { web in
            let id = web.sync.characterIDs[0]
            let name = try #require(web.sync.simulator.world.name(ofCharacter: Int(id)))
            let other = try #require(web.sync.simulator.world.name(ofCharacter: Int(web.sync.characterIDs[1])))
            let user = try await web.owner(of: id)
            try await web.pool.withConnection { try AccessChanges.apply([.setSuperuser(user, true)], on: $0) }
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
                ("viewer", "/characters/\(id)", [escapeHTML(name), "Overview", "Assets", "Wallet journal"]),
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
