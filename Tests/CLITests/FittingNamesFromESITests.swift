import Foundation
import TestSupport
import Testing

/// A fitting naming items of a later game patch (the simulator's patch-era types, which the
/// bundled static data lacks): `import-eft` asks ESI (`/universe/ids`, then the types) before it
/// reports anything unknown, so even `--strict` accepts it; a name ESI does not know either stays
/// unknown.
@Suite struct FittingNamesFromESITests {
    @Test func namesTheStaticDataLacksAreAskedOfESI() async throws {
        try await withCLISession(characters: 1) { session in
            let folder = FileManager.default.temporaryDirectory.appending(path: "eft-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let fitting = folder.appending(path: "frontier.eft")
            try Data(
                """
                [Rifter, Frontier Rifter]
                Damage Control II

                Frontier Cargo Container x1
                Frontier Navigation x1
                """.utf8
            ).write(to: fitting)
            let imported = try await session.run(["skillsets", "import-eft", fitting.path, "--strict"])
            #expect(imported.status == 0, "\(imported.output)")
            #expect(imported.output.contains("asking ESI about 2 name(s)"), "\(imported.output)")
            let shown = try await session.run(["skillsets", "show", "Frontier Rifter", "--format", "json"])
            #expect(shown.status == 0, "\(shown.output)")
            // The new skill book needs Navigation III (its prerequisite, from its dogma attributes).
            #expect(shown.output.contains("\"skill_name\" : \"Navigation\""), "\(shown.output)")

            let bogus = folder.appending(path: "bogus.eft")
            try Data("[Rifter, Bogus]\nBogus Module II\n".utf8).write(to: bogus)
            let refused = try await session.run(["skillsets", "import-eft", bogus.path, "--strict"])
            #expect(refused.status != 0 && refused.output.contains("Bogus Module II"), "\(refused.output)")
        }
    }
}
