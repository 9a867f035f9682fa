import Access
import ArgumentParser
import ESI
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Migrations
import Postgres
import Projections
import TokenVault
import Web

/// The web pages under load: a database of N characters (a day of the simulator's syncing, made
/// into read models), 50 users of the original's roles with sessions, the app served in this
/// process, and wrk as the users: first with think time (each user opens a page, reads for
/// 0.5–1.5 s, opens the next), then without (every connection loads pages back to back).
struct WebBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Page times of the web app with 50 concurrent users on N characters (wrk)."
    )

    @Option(help: "Characters.") var characters = 1000
    @Option(help: "Days of hourly syncing in the log.") var days = 1
    @Option(help: "Concurrent users (wrk connections).") var users = 50
    @Option(help: "Seconds of each load.") var seconds = 30
    @Option(help: "Database connections of the web app.") var connections = 8

    func run() async throws {
        let pool = PostgresPool(conninfo: "", maxConnections: self.connections)
        _ = try await pool.withConnection { try Migrator().migrate($0) }
        print("machine: \(machineDescription())")
        let existing = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM sync.users")[0].get(0, as: Int64.self)
        }
        if existing == 0 {
            let generated = try await measureAsync {
                try await LogGenerator(pool: pool, characters: self.characters, days: self.days).generate()
            }
            print(String(format: "generated %d days of %d characters in %.0f s", self.days, self.characters, generated))
            let projected = try await measureAsync { _ = try await Rebuilder(pool: pool).prepare() }
            print(String(format: "projected the read models in %.0f s", projected))
            try await Self.people(pool)
        }
        let sessions = try await Self.sessions(pool, users: self.users)

        let key = TokenCipher.generateKey()
        let app = WebApp(
            pool: pool,
            configuration: WebConfiguration(
                publicURL: nil,
                sso: SSOConfiguration(baseURL: "http://127.0.0.1:9", clientID: "bench", clientSecret: "bench"),
                syncScopes: []
            ),
            cipher: try TokenCipher(key: Array(Data(base64Encoded: key)!)),
            sections: [],
            tokenPolicies: [:],
            http: HTTPClient(userAgent: "memberaudit-bench")
        )
        var tokens = [(cookie: String, paths: [String])]()
        for session in sessions {
            let token = try await app.startSession(userID: session.user)
            tokens.append(("\(WebApp.sessionCookieName)=\(token)", session.paths))
        }
        let requests = FileManager.default.temporaryDirectory.appending(path: "memberaudit-web-bench-requests.txt")
        let lines = tokens.flatMap { token in token.paths.map { "\(token.cookie)\t\($0)" } }
        try lines.joined(separator: "\n").appending("\n").write(to: requests, atomically: true, encoding: .utf8)
        print("\(sessions.count) users, \(lines.count) distinct requests (pages of their roles)")

        // Each kind of page alone, one request at a time (the router called in process): where the time goes.
        var kinds = [String: (cookie: String, path: String)]()
        for token in tokens {
            for path in token.paths {
                let kind = path.replacingOccurrences(of: #"[0-9]{6,}"#, with: "ID", options: .regularExpression)
                if kinds[kind] == nil { kinds[kind] = (token.cookie, path) }
            }
        }
        let samples = kinds.sorted { $0.key < $1.key }
        try await Application(router: app.router(), logger: quietLogger).test(.router) { client in
            for (kind, sample) in samples {
                var times = [Double]()
                var status = 0
                for _ in 0..<5 {
                    let started = ContinuousClock.now
                    status = try await client.execute(
                        uri: sample.path,
                        method: .get,
                        headers: [.cookie: sample.cookie]
                    ).status.code
                    let elapsed = ContinuousClock.now - started
                    times.append(
                        Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                    )
                }
                print(String(format: "  %@: median %.1f ms (HTTP %d)", kind, times.sorted()[2], status))
            }
        }

        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = Task {
            try await WebServer.serve(app: app, host: "127.0.0.1", port: 0, logger: quietLogger) {
                continuation.yield($0)
            }
        }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        for (label, think) in [("with 0.5-1.5 s think time", true), ("back to back (saturation)", false)] {
            let result = try await Self.wrk(
                port: port,
                requests: requests,
                users: self.users,
                seconds: self.seconds,
                think: think
            )
            print("\(self.users) users \(label): \(result)")
        }
    }

    /// Users of the original's example roles own the characters, two or three each; a tenth of
    /// the characters are shared.
    static func people(_ pool: PostgresPool) async throws {
        try await pool.transaction { connection in
            let ids: [Int64] = try connection.query("SELECT character_id FROM readmodel.character_details ORDER BY 1")
                .map {
                    try $0.get(0)
                }
            let roles: [(String, [Permission])] = [
                ("Members", [.basicAccess, .shareCharacters, .viewSkillSets]),
                ("Recruiters", [.basicAccess, .finderAccess, .viewSharedCharacters]),
                ("Leadership", [.basicAccess, .finderAccess, .reportsAccess, .charactersAccess, .viewSameCorporation]),
                ("Auditors", [.basicAccess, .finderAccess, .reportsAccess, .charactersAccess, .viewSameAlliance]),
            ]
            for (group, permissions) in roles {
                try AccessAdmin.createGroup(group, on: connection)
                try AccessAdmin.grant(permissions, to: group, on: connection)
            }
            var index = 0
            var user = 0
            while index < ids.count {
                let count = 2 + user % 2
                let owned = Array(ids[index..<min(ids.count, index + count)])
                let userID: Int64 = try connection.query(
                    "INSERT INTO sync.users (name, is_superuser) VALUES ($1, $2) RETURNING id",
                    ["user \(user)", user % 50 == 49]
                )[0].get(0)
                try connection.execute(
                    """
                    INSERT INTO sync.characters (id, name, user_id, owner_hash, scopes, refresh_token)
                    SELECT c, coalesce((SELECT name FROM readmodel.character_details WHERE character_id = c), c::text),
                           $2, 'hash', '{}', '\\x00' FROM unnest($1::bigint[]) c
                    """,
                    [owned, userID]
                )
                try connection.execute(
                    """
                    INSERT INTO sync.ownerships (character_id, user_id, character_name, owner_hash)
                    SELECT id, user_id, name, owner_hash FROM sync.characters WHERE user_id = $1
                    """,
                    [userID]
                )
                try connection.execute(
                    "UPDATE sync.users SET main_character_id = $2 WHERE id = $1",
                    [userID, owned[0]]
                )
                let group = roles[[0, 0, 0, 1, 2, 3][user % 6]].0
                try connection.execute(
                    "INSERT INTO access.user_groups SELECT $1, id FROM access.groups WHERE name = ANY($2)",
                    [userID, Array(Set(["Members", group]))]
                )
                index += count
                user += 1
            }
            try connection.execute(
                "INSERT INTO access.shared_characters (character_id) SELECT id FROM sync.characters WHERE id % 10 = 3"
            )
            try connection.executeScript("ANALYZE")
        }
    }

    /// `users` users spread over the roles, with the pages each would open.
    static func sessions(_ pool: PostgresPool, users: Int) async throws -> [(user: Int64, paths: [String])] {
        try await pool.withConnection { connection in
            let people = try connection.query(
                """
                SELECT u.id, u.is_superuser, coalesce((SELECT g.name FROM access.user_groups ug JOIN access.groups g ON g.id = ug.group_id
                        WHERE ug.user_id = u.id AND g.name <> 'Members'), 'Members'),
                       ARRAY(SELECT id FROM sync.characters c WHERE c.user_id = u.id ORDER BY id)
                FROM sync.users u ORDER BY u.id
                """
            ).map { row in
                (
                    id: try row.get(0, as: Int64.self), superuser: try row.get(1, as: Bool.self),
                    role: try row.get(2, as: String.self),
                    characters: try row.get(3, as: [Int64].self)
                )
            }
            let viewer = { (id: Int64) -> Viewer in try AccessStore.viewer(userID: id, on: connection)! }
            var chosen = [(user: Int64, paths: [String])]()
            let byRole = Dictionary(grouping: people) { $0.superuser ? "Superusers" : $0.role }
            let order = ["Members", "Recruiters", "Leadership", "Auditors", "Superusers"]
            var round = 0
            // Round robin over the roles until there are enough users (or no more people).
            while chosen.count < users, round < people.count {
                for role in order where chosen.count < users {
                    guard let list = byRole[role], round < list.count else { continue }
                    let person = list[round]
                    let own = person.characters[0]
                    let visible = try AccessStore.visibleCharacterIDs(of: try viewer(person.id), on: connection)
                    let other = visible.first { !person.characters.contains($0) } ?? own
                    var paths = [
                        "/launcher", "/characters/\(own)", "/characters/\(own)/assets",
                        "/characters/\(own)/wallet_journal",
                        "/characters/\(own)/mails", "/characters/\(own)/skills", "/api/characters/\(own)/assets",
                    ]
                    // The richer pages of issue 18: a contract's detail and the NPC standings.
                    let contract: Int64? = try connection.query(
                        "SELECT min(contract_id) FROM readmodel.contracts WHERE character_id = $1",
                        [own]
                    )[0].get(0)
                    if let contract { paths.append("/characters/\(own)/contracts/\(contract)") }
                    paths.append("/characters/\(own)/standings")
                    if role != "Members" {
                        paths += ["/finder", "/finder?q=a", "/characters/\(other)", "/characters/\(other)/contacts"]
                    }
                    if role == "Leadership" || role == "Auditors" || role == "Superusers" {
                        paths += ["/reports/compliance", "/reports/skillsets", "/reports/corporations"]
                    }
                    chosen.append((person.id, paths))
                }
                round += 1
            }
            return chosen
        }
    }

    /// wrk's answer for the requests in `requests` (each connection starts at its own line and
    /// walks on), as "N requests, R/s, p50 … p95 … p99 …, non-2xx …".
    static func wrk(port: Int, requests: URL, users: Int, seconds: Int, think: Bool) async throws -> String {
        let script = FileManager.default.temporaryDirectory.appending(path: "memberaudit-web-bench.lua")
        try """
        local lines = {}
        for line in io.lines("\(requests.path)") do
            local cookie, path = line:match("([^\\t]+)\\t(.+)")
            lines[#lines + 1] = { cookie = cookie, path = path }
        end
        local counter = 0
        local next = 0
        function setup(thread) counter = counter + 1; thread:set("id", counter) end
        function init(args) next = (tonumber(wrk.thread:get("id")) or 1) * 7919 math.randomseed(next) end
        function request()
            next = next + 1
            local entry = lines[(next % #lines) + 1]
            return wrk.format("GET", entry.path, { ["Cookie"] = entry.cookie })
        end
        \(think ? "function delay() return math.random(500, 1500) end" : "")
        local statuses = {}
        function response(status, headers, body)
            if status ~= 200 then statuses[status] = (statuses[status] or 0) + 1 end
        end
        function done(summary, latency, requests)
            io.write(string.format("RESULT %d requests, %.1f/s, p50 %.1f ms, p90 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms, errors %d, non-2xx %d\\n",
                summary.requests, summary.requests / (summary.duration / 1e6),
                latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
                latency:percentile(99) / 1000, latency.max / 1000,
                summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
                summary.errors.status))
        end
        """.write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = [
            "-t", "2", "-c", String(users), "-d", "\(seconds)s", "--timeout", "10s", "-s", script.path,
            "http://127.0.0.1:\(port)",
        ]
        let output = Pipe()
        process.standardOutput = output
        let collected = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let text = String(decoding: await collected.value, as: UTF8.self)
        return text.split(separator: "\n").first { $0.hasPrefix("RESULT ") }.map { String($0.dropFirst(7)) } ?? text
    }
}

/// The web app's loggers in the benchmark: a line per request would measure the terminal.
private let quietLogger: Logger = {
    var logger = Logger(label: "memberaudit.web")
    logger.logLevel = .warning
    return logger
}()
