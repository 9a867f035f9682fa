import Foundation
import FoundationNetworking
import Postgres
import TestSupport
import Testing

/// `log archive` and `log restore` end to end, on a log of small partitions (100 positions, chosen
/// while it is empty) so that a few syncs seal some.
@Suite struct LogArchiveCommandTests {
    @Test func archivedPartitionsLeaveVerifiedAndComeBackWhole() async throws {
        try await withCLISession(characters: 2) { session in
            let database = try await smallPartitionLog(session)

            // A first sync whose events no read model has applied: archiving them is refused.
            let unprojected = try await session.run(["sync", "--force", "--no-project"])
            #expect(unprojected.status == 0, "\(unprojected.output)")
            let folder = FileManager.default.temporaryDirectory.appending(path: "archive-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let early = try await session.run(["log", "archive", "--before", "now", "--to", folder.path])
            #expect(
                early.status == 1 && early.output.contains("is still needed")
                    && early.output.contains("has applied the log up to 0"),
                "\(early.output)"
            )
            #expect(!FileManager.default.fileExists(atPath: folder.path))

            // Hours of simulated time between syncs: payloads change, so older versions are
            // referred to only by the events that will be archived, and newer ones rest on them.
            for _ in 0..<3 {
                try await advanceSimulator(session.base, hours: 6)
                let sync = try await session.run(["sync", "--force"])
                #expect(sync.status == 0, "\(sync.output)")
            }
            let head = try database.query("SELECT position FROM eventlog.head")[0].get(0, as: Int64.self)
            #expect(head > 200, "at least two partitions sealed")
            let before = try await RecoveryDrillTests().readModelChecksums(session.conninfo)
            let dry = try await session.run(["log", "archive", "--before", "now", "--to", folder.path, "--dry-run"])
            #expect(dry.status == 0 && dry.output.contains("would archive entries_000000"), "\(dry.output)")

            let archived = try await session.run(["log", "archive", "--before", "now", "--to", folder.path])
            #expect(archived.status == 0 && archived.output.contains("archived entries_000000"), "\(archived.output)")
            let sealed = Int(head / 100)  // the partition holding the head is still filling
            for index in 0..<sealed {
                let name = "entries_" + String(format: "%06d", index)
                for file in ["manifest.json", "entries.pgcopy", "names.json", "payloads.bin"] {
                    #expect(FileManager.default.fileExists(atPath: folder.appending(path: "\(name)/\(file)").path))
                }
                #expect(try database.query("SELECT to_regclass('eventlog.\(name)')")[0].get(0, as: String?.self) == nil)
            }
            let listed = try await session.run(["log", "partitions", "--format", "json"])
            let partitions = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]],
                "\(listed.output)"
            )
            #expect(partitions.filter { $0["archived"] as? Bool == true }.count == sealed)
            #expect(partitions.first?["location"] as? String == folder.appending(path: "entries_000000").path)
            #expect(partitions.last?["sealed"] as? Bool == false, "the partition being filled")
            let history = try database.query(
                "SELECT count(*), sum(payloads_removed) FROM eventlog.archive_history WHERE action = 'archived'"
            )[0]
            #expect(try history.get(0, as: Int64.self) == Int64(sealed))
            #expect(try history.get(1, as: Int64.self) > 0, "some payloads left with the partitions")
            #expect(
                try database.query("SELECT count(*) FROM eventlog.entries WHERE position <= $1", [Int64(sealed * 100)])[
                    0
                ]
                .get(0, as: Int64.self) == 0
            )

            // The log without them is whole; the read models are untouched; a rebuild is refused.
            let verify = try await session.run(["audit", "verify"])
            #expect(verify.status == 0, "\(verify.output)")
            #expect(try await RecoveryDrillTests().readModelChecksums(session.conninfo) == before)
            let rebuild = try await session.run(["rebuild"])
            #expect(rebuild.status == 1 && rebuild.output.contains("archived"), "\(rebuild.output)")

            // A question about the archived period names the archive to restore.
            let gone = try database.query(
                """
                SELECT c.character_id, c.section, c.fetched_at FROM audit.changes c
                WHERE NOT EXISTS (SELECT FROM eventlog.payloads p WHERE p.hash = c.payload_hash)
                  AND c.section IN ('skills', 'wallet_balance', 'location', 'assets', 'character_details', 'skill_queue')
                ORDER BY c.position LIMIT 1
                """
            ).first
            let row = try #require(gone, "a change whose payload left with the archive")
            // The change's moment, to the next whole second (the option reads whole seconds).
            let moment = Date(timeIntervalSince1970: (try row.get(2, as: Date.self)).timeIntervalSince1970.rounded(.up))
                .formatted(.iso8601)
            let at = try await session.run([
                "audit", "at", String(try row.get(0, as: Int64.self)),
                "--time", moment,
                "--section", try row.get(1, as: String.self), "--format", "json",
            ])
            #expect(at.output.contains("archived with entries_") && at.output.contains("log restore"), "\(at.output)")
            // Before the first fetch still in the database, the coverage says where the fetches went.
            let first = try await session.run([
                "audit", "at", String(try row.get(0, as: Int64.self)), "--time", moment, "--section", "online_status",
                "--format", "json",
            ])
            #expect(
                first.output.contains("archived: the fetches before this moment are in entries_"),
                "\(first.output)"
            )

            // Appends go on; no archived partition is made again.
            try await advanceSimulator(session.base, hours: 6)
            #expect(try await session.run(["sync", "--force"]).status == 0)
            #expect(
                try database.query("SELECT to_regclass('eventlog.entries_000000')")[0].get(0, as: String?.self) == nil
            )

            // A damaged copy is refused and changes nothing; the archive itself restores.
            let damaged = FileManager.default.temporaryDirectory.appending(path: "damaged-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: damaged) }
            try FileManager.default.copyItem(at: folder.appending(path: "entries_000000"), to: damaged)
            let payloads = damaged.appending(path: "payloads.bin")
            var bytes = try Data(contentsOf: payloads)
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: payloads)
            let refused = try await session.run(["log", "restore", damaged.path])
            #expect(refused.status == 1 && refused.output.contains("SHA-256"), "\(refused.output)")
            #expect(
                try database.query("SELECT to_regclass('eventlog.entries_000000')")[0].get(0, as: String?.self) == nil
            )

            let restored = try await session.run(["log", "restore", folder.path])
            #expect(restored.status == 0 && restored.output.contains("restored entries_000000"), "\(restored.output)")
            #expect(
                try database.query("SELECT count(*) FROM eventlog.archived")[0].get(0, as: Int64.self) == 0
            )
            #expect(try await session.run(["audit", "verify"]).status == 0)
            // The whole log again: a rebuild gives the read models the incremental path made.
            let equal = try await session.run(["rebuild", "--verify"])
            #expect(equal.status == 0, "\(equal.output)")
            let again = try await session.run([
                "audit", "at", String(try row.get(0, as: Int64.self)),
                "--time", moment, "--section", try row.get(1, as: String.self),
            ])
            #expect(again.status == 0 && !again.output.contains("archived with"), "\(again.output)")
            let second = try await session.run(["log", "restore", folder.path])
            #expect(second.status == 0 && second.output.contains("nothing to restore"), "\(second.output)")
        }
    }
}

/// A migrated database whose log has partitions of 100 positions (chosen while it is empty, so
/// that a few syncs seal some), with the session's characters registered.
func smallPartitionLog(_ session: CLISession) async throws -> PostgresConnection {
    #expect(try await session.run(["migrate"]).status == 0)
    let database = try PostgresConnection(conninfo: session.conninfo)
    try database.execute("SELECT eventlog.set_partition_size(100)")
    for token in session.tokens {
        #expect(try await session.run(["characters", "add", "--refresh-token", token]).status == 0)
    }
    return database
}

/// Moves the simulator's clock on by `hours` (the log tests sync across simulated hours).
func advanceSimulator(_ base: String, hours: Int) async throws {
    var request = URLRequest(url: try #require(URL(string: base + "/_sim/clock/advance")))
    request.httpMethod = "POST"
    request.httpBody = Data(#"{"seconds": \#(hours * 3600)}"#.utf8)
    let (_, response) = try await URLSession.shared.data(for: request)
    #expect((response as? HTTPURLResponse)?.statusCode == 200)
}
