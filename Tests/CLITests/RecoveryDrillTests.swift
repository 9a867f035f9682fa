import Foundation
import LocalPostgres
import Postgres
import Projections
import TestSupport
import Testing

/// The recovery procedures of docs/deploy.md, performed: a synced database backed up with
/// pg_dump and restored into a fresh cluster, and read models lost entirely and rebuilt.
@Suite struct RecoveryDrillTests {
    /// Registers two characters and syncs them (the read models and the audit index follow).
    func syncedDatabase(_ environment: [String: String], tokens: [String]) async throws {
        for token in tokens.prefix(2) {
            let add = try await runMemberAudit(
                ["characters", "add", "--refresh-token", token],
                environment: environment
            )
            #expect(add.status == 0, "\(add.output)")
        }
        let sync = try await runMemberAudit(["sync"], environment: environment)
        #expect(sync.status == 0 && sync.output.contains("48 fetched"), "\(sync.output)")
    }

    /// Every read-model table's row count and checksum (`rebuild --verify`'s own, order-independent).
    func readModelChecksums(_ conninfo: String) async throws -> [String: String] {
        try await runBlocking {
            let connection = try PostgresConnection(conninfo: conninfo)
            var checksums = [String: String]()
            for table in try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'readmodel'") {
                let name = try table.get(0, as: String.self)
                let (rows, sum) = try Rebuilder.checksum(schema: "readmodel", table: name, on: connection)
                checksums[name] = "\(rows) \(sum)"
            }
            return checksums
        }
    }

    @Test func aDumpRestoredIntoAFreshClusterVerifiesAndRebuildsEqual() async throws {
        let (simulator, base, tokens) = try await startSimulator(characters: 2)
        defer { simulator.terminate() }
        let folder = URL(fileURLWithPath: "/tmp/memberaudit-drill-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        chmod(folder.path, 0o755)
        defer { try? FileManager.default.removeItem(at: folder) }

        try await TestDatabase.with { _, conninfo in
            try await self.syncedDatabase(simulatorEnvironment(database: conninfo, simulator: base), tokens: tokens)
            let before = try await self.readModelChecksums(conninfo)
            #expect(before["character_details"]?.hasPrefix("2 ") == true, "\(before)")

            // The backup: the cluster's roles (grants name them), then the database.
            let roles = folder.appending(path: "roles.sql")
            let dump = folder.appending(path: "memberaudit.dump")
            try runTool("pg_dumpall", ["--roles-only", "-d", conninfo, "-f", roles.path])
            try runTool("pg_dump", ["--format=custom", "-d", conninfo, "-f", dump.path])

            // The restore, into a cluster made for it, then its checks.
            let cluster = try LocalPostgres(dataDirectory: folder.appending(path: "restored"), fsync: false)
            try cluster.start()
            defer { try? cluster.stop() }
            // Roles that exist already (postgres) are reported and skipped.
            _ = try? runTool("psql", ["-q", "-d", cluster.conninfo, "-f", roles.path])
            try runTool("pg_restore", ["--exit-on-error", "-d", cluster.conninfo, dump.path])
            #expect(try await self.readModelChecksums(cluster.conninfo) == before)

            let restored = simulatorEnvironment(database: cluster.conninfo, simulator: base)
            let verify = try await runMemberAudit(["audit", "verify"], environment: restored)
            #expect(verify.status == 0, "\(verify.output)")
            let rebuild = try await runMemberAudit(["rebuild", "--verify", "--format", "json"], environment: restored)
            #expect(rebuild.status == 0, "\(rebuild.output)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(jsonPart(rebuild.output).utf8)) as? [String: Any]
            )
            let checks = try #require(report["checks"] as? [[String: Any]])
            #expect(!checks.isEmpty && checks.allSatisfy { $0["matches"] as? Bool == true }, "\(checks)")
            // The restored log takes new events: a sync there appends after the restored positions.
            let sync = try await runMemberAudit(["sync", "--force", "--section", "skills"], environment: restored)
            #expect(sync.status == 0 && sync.output.contains("0 failed"), "\(sync.output)")
        }
    }

    @Test func readModelsDroppedEntirelyAreRebuiltEqual() async throws {
        let (simulator, base, tokens) = try await startSimulator(characters: 2)
        defer { simulator.terminate() }
        try await TestDatabase.with { _, conninfo in
            let environment = simulatorEnvironment(database: conninfo, simulator: base)
            try await self.syncedDatabase(environment, tokens: tokens)
            let before = try await self.readModelChecksums(conninfo)
            #expect(before.count > 30, "\(before.keys.sorted())")

            try PostgresConnection(conninfo: conninfo).executeScript("DROP SCHEMA readmodel CASCADE")
            let rebuild = try await runMemberAudit(["rebuild"], environment: environment)
            #expect(rebuild.status == 0, "\(rebuild.output)")
            #expect(try await self.readModelChecksums(conninfo) == before)
            let show = try await runMemberAudit(["overview"], environment: environment)
            #expect(show.status == 0, "the views are back too: \(show.output)")

            // Without anyone running rebuild: any command that prepares the read models (here a
            // sync with nothing due) finds them gone and makes them again.
            try PostgresConnection(conninfo: conninfo).executeScript("DROP SCHEMA readmodel CASCADE")
            let sync = try await runMemberAudit(["sync"], environment: environment)
            #expect(sync.status == 0 && sync.output.contains("0 sections"), "\(sync.output)")
            #expect(try await self.readModelChecksums(conninfo) == before)
        }
    }
}

/// The JSON document at the end of a command's output (after any progress lines).
private func jsonPart(_ output: String) -> String {
    output.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("{") }.joined(separator: "\n")
}

/// Runs one of PostgreSQL's client programs to its end; throws with its output when it fails.
@discardableResult
private func runTool(_ name: String, _ arguments: [String]) throws -> String {
    let run = try BuiltProgram.run(executable: try LocalPostgres.findBinDirectory().appending(path: name), arguments)
    guard run.status == 0 else {
        throw TestSetupError("\(name) \(arguments.joined(separator: " ")) failed: \(run.output)")
    }
    return run.output
}
