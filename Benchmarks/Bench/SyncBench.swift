import ArgumentParser
import ESI
import Foundation
import Migrations
import Postgres
import Sync
import TokenVault

/// The first full sync of many characters against the simulator, then a second pass an hour of
/// simulated time later. Measures wall time, this process's CPU time and peak memory, and the
/// simulator's CPU time (it shares the machine).
struct SyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Full sync of every section of every character of a running simulator, twice."
    )

    @Option(help: "The simulator's base URL.") var simulator: String
    @Option(help: "The simulator's process id, to read its CPU time.") var simulatorPid: Int32
    @Option(help: "The simulator's --tokens-file.") var tokens: String
    @Option(help: "ESI fetches in flight at once.") var concurrency = 256

    func run() async throws {
        let pool = PostgresPool(conninfo: "", maxConnections: 16)
        _ = try await pool.withConnection { try Migrator().migrate($0) }
        let key = TokenCipher.generateKey()
        let cipher = try TokenCipher(key: Array(Data(base64Encoded: key)!))
        var settings = SyncSettings(
            sso: SSOConfiguration(
                baseURL: self.simulator,
                clientID: "memberaudit-demo",
                clientSecret: "memberaudit-demo-secret"
            )
        )
        settings.esi = ESIConfiguration(baseURL: self.simulator)
        settings.concurrency = self.concurrency

        // Registration (one SSO refresh per character) is set-up, not measured.
        let grants = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: self.tokens)))
        let refreshTokens = (grants as? [[String: Any]] ?? []).compactMap { $0["refresh_token"] as? String }
        let registry = Registry(pool: pool, cipher: cipher)
        let sso = SSOClient(http: HTTPClient(userAgent: "memberaudit-bench"), configuration: settings.sso)
        let started = Date()
        let sections = settings.sections
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, token) in refreshTokens.enumerated() {
                if index >= 32 { try await group.next() }
                group.addTask {
                    _ = try await registry.register(refreshToken: token, user: nil, sso: sso, sections: sections)
                }
            }
            try await group.waitForAll()
        }
        let characters = refreshTokens.count
        print(machineDescription())
        print("registered \(characters) characters in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        let filter = PassFilter(sections: settings.sections)
        try await self.measure("first pass", characters: characters) {
            try await SyncEngine(pool: pool, settings: settings, cipher: cipher).runPass(filter: filter, force: false)
        }
        // An hour later: the simulator's clock moves on, and the access tokens (20 minutes) are gone.
        _ = try await HTTPClient(userAgent: "memberaudit-bench").send(
            ClientRequest(
                method: "POST",
                url: self.simulator + "/_sim/clock/advance",
                headers: [("Content-Type", "application/json")],
                body: Array(#"{"seconds": 3600}"#.utf8)
            )
        )
        try await pool.withConnection { connection in
            try connection.execute("UPDATE sync.characters SET access_token = NULL, access_token_expires_at = NULL")
        }
        try await self.measure("second pass (+1 h simulated, forced)", characters: characters) {
            try await SyncEngine(pool: pool, settings: settings, cipher: cipher).runPass(filter: filter, force: true)
        }
        let events = try await pool.withConnection { connection in
            try connection.query("SELECT count(*), pg_database_size(current_database()) FROM eventlog.events")[0]
        }
        print(
            "events \(try events.get(0, as: Int.self)), database size \(try events.get(1, as: Int.self) / 1_048_576) MiB"
        )
        pool.close()
    }

    private func measure(_ name: String, characters: Int, _ pass: () async throws -> PassSummary) async throws {
        let cpuBefore = processCPUSeconds()
        let simulatorBefore = otherProcessCPUSeconds(self.simulatorPid)
        let postgresBefore = postgresCPUSeconds()
        let summary = try await pass()
        let cpu = processCPUSeconds() - cpuBefore
        let simulatorCPU = otherProcessCPUSeconds(self.simulatorPid) - simulatorBefore
        let postgresCPU = postgresCPUSeconds() - postgresBefore
        print(
            """
            \(name): \(String(format: "%.1f", summary.seconds)) s wall, \(summary.sections) sections \
            (\(summary.fetched) fetched, \(summary.notModified) not modified, \(summary.failed) failed, \
            \(summary.skipped) skipped), \(summary.requests) requests = \
            \(String(format: "%.0f", Double(summary.requests) / summary.seconds)) requests/s
              sync process CPU \(String(format: "%.1f", cpu)) s = \(String(format: "%.3f", cpu / Double(characters))) s per character; \
            simulator CPU \(String(format: "%.1f", simulatorCPU)) s; PostgreSQL CPU \(String(format: "%.1f", postgresCPU)) s; \
            peak RSS \(peakRSSMegabytes()) MB
            """
        )
    }
}

/// CPU seconds of another process, from /proc (utime + stime in clock ticks).
func otherProcessCPUSeconds(_ pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// CPU seconds of all PostgreSQL server processes (ended backends are not counted, so this
/// undercounts a little; the pool keeps its connections for the whole pass).
func postgresCPUSeconds() -> Double {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).reduce(0) { total, pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains("(postgres)")
        else { return total }
        return total + otherProcessCPUSeconds(pid)
    }
}

/// The process's peak resident memory (VmHWM) in megabytes.
func peakRSSMegabytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}
