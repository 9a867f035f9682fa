import Foundation
import LocalPostgres
import Postgres
import Testing
import Vocabulary

@Suite struct LocalPostgresTests {
    @Test("the embedded cluster is created, started, reused, stopped and keeps its data")
    func lifecycle() async throws {
        let parent = URL(fileURLWithPath: "/tmp/memberaudit-localpg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        chmod(parent.path, 0o755)
        defer { try? FileManager.default.removeItem(at: parent) }

        let cluster = try LocalPostgres(dataDirectory: parent.appending(path: "data"), fsync: false)
        #expect(try cluster.start())
        defer { try? cluster.stop() }
        #expect(cluster.isRunning)
        // A second starter finds it running and does not own it.
        let again = try LocalPostgres(dataDirectory: parent.appending(path: "data"), fsync: false)
        #expect(try again.start() == false)

        do {
            let connection = try PostgresConnection(conninfo: cluster.conninfo)
            try connection.executeScript("CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)")
            // The server is the one of this data folder.
            let dataDirectory = try connection.query("SELECT current_setting('data_directory')")[0].get(
                0,
                as: String.self
            )
            #expect(dataDirectory.hasPrefix(parent.path))
        }
        try cluster.stop()
        #expect(!cluster.isRunning)

        #expect(try cluster.start())
        let connection = try PostgresConnection(conninfo: cluster.conninfo)
        #expect(try connection.query("SELECT id FROM kept")[0].get(0, as: Int.self) == 42)
        if geteuid() == 0 {
            let owner =
                try FileManager.default.attributesOfItem(atPath: parent.appending(path: "data/postgres").path)[
                    .ownerAccountName
                ] as? String
            #expect(owner == "postgres")
        }
    }

    @Test func unreachableDataFolderIsExplained() throws {
        guard geteuid() == 0 else { return }  // only root hands the server to another user
        let parent = URL(fileURLWithPath: "/tmp/memberaudit-private-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        chmod(parent.path, 0o700)
        defer { try? FileManager.default.removeItem(at: parent) }
        let cluster = try LocalPostgres(dataDirectory: parent.appending(path: "data"), fsync: false)
        let error = #expect(throws: LocalPostgresError.self) { try cluster.start() }
        #expect(error?.code == .setup && error?.description.contains("cannot reach") == true)
    }
}
