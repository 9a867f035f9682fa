import Access
import ESI
import Foundation
import NIOCore
import Postgres
import Reports
import SkillSets
import SyncTestSupport
import TestSupport
import Testing

@testable import Web

/// The smaller holes: reports without basic access or outside the viewer's scope, hidden skill
/// sets in the API, spreadsheet formulas in CSV, connections that never finish their headers.
@Suite struct HardeningTests {
    @Test func reportsNeedBasicAccessAndStayInTheViewersScope() async throws {
        try await withWebHarness(characters: 2) { web in
            let character = web.sync.characterIDs[0]
            try await web.pool.transaction { connection in
                for (user, permissions) in [
                    ("everythingbutbasic", [Permission.reportsAccess, .viewEverything]),
                    ("ownscope", [Permission.basicAccess, .reportsAccess]),
                ] {
                    try connection.execute("INSERT INTO sync.users (name) VALUES ($1)", [user])
                    try AccessAdmin.createGroup(user, on: connection)
                    try AccessAdmin.grant(permissions, to: user, on: connection)
                    try AccessAdmin.addMember(user, to: user, on: connection)
                }
                // ownscope's main is in a corporation with other members' characters.
                try connection.execute(
                    """
                    UPDATE sync.characters SET user_id = (SELECT id FROM sync.users WHERE name = 'ownscope') WHERE id = $1;
                    """,
                    [character]
                )
                try connection.execute(
                    "UPDATE sync.users SET main_character_id = $1 WHERE name = 'ownscope'",
                    [character]
                )
            }
            let (noBasic, _) = try await web.session(for: "everythingbutbasic")
            #expect(try await web.request("/reports/compliance", cookie: noBasic).status == 403)
            #expect(try await web.request("/api/reports/corporations", cookie: noBasic).status == 403)

            // Reports access without a corporation or alliance scope: the corporation-keyed
            // reports show no corporation, not the viewer's own.
            let (own, _) = try await web.session(for: "ownscope")
            for report in ["corporations", "membership"] {
                let answer = try await web.request("/api/reports/\(report)", cookie: own)
                #expect(answer.status == 200)
                let rows = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [[String: Any]]
                #expect(rows?.isEmpty == true, "\(report): \(answer.text.prefix(300))")
            }
            // The user-keyed ones show the viewer alone.
            let compliance = try await web.request("/api/reports/compliance", cookie: own)
            let users = (try JSONSerialization.jsonObject(with: Data(compliance.body)) as? [[String: Any]])?
                .compactMap { $0["user"] as? String }
            #expect(users == ["ownscope"])
        }
    }

    @Test func hiddenSkillSetsAreForTheirAdministratorsOnly() async throws {
        try await withWebHarness(characters: 1) { web in
            try await web.pool.transaction { connection in
                _ = try SkillSetStore.save(
                    SkillSet(name: "Public Doctrine", skills: [SkillLevels(skillID: 3327, required: 1)]),
                    by: "test",
                    on: connection
                )
                _ = try SkillSetStore.save(
                    SkillSet(name: "Secret Draft", isVisible: false, skills: [SkillLevels(skillID: 3327, required: 2)]),
                    by: "test",
                    on: connection
                )
                _ = try SkillSetStore.save(
                    SkillSetGroup(name: "Fleet", skillSets: ["Public Doctrine", "Secret Draft"]),
                    by: "test",
                    on: connection
                )
                try connection.execute("INSERT INTO sync.users (name) VALUES ('viewer')")
                try AccessAdmin.createGroup("Viewers", on: connection)
                try AccessAdmin.grant([.basicAccess, .viewSkillSets], to: "Viewers", on: connection)
                try AccessAdmin.addMember("viewer", to: "Viewers", on: connection)
                try connection.execute("INSERT INTO sync.users (name, is_superuser) VALUES ('root', true)")
            }
            let (viewer, _) = try await web.session(for: "viewer")
            let seen = try await web.request("/api/skillsets", cookie: viewer).text
            #expect(seen.contains("Public Doctrine") && !seen.contains("Secret Draft"), "\(seen.prefix(400))")
            let (root, _) = try await web.session(for: "root")
            #expect(try await web.request("/api/skillsets", cookie: root).text.contains("Secret Draft"))
        }
    }

    @Test func csvCellsThatSpreadsheetsWouldRunAreNeutralised() async throws {
        // Report CSV: text that starts like a formula gets a leading quote; numbers keep their sign.
        let table = ReportTable(
            name: "t",
            columns: ["name", "amount"],
            rows: [
                [.text("=HYPERLINK(\"http://evil\",\"x\")"), .double(-12.5)], [.text("+1"), .int(-3)],
                [.text("@SUM(A1)"), .null], [.text("\tTab"), .null], [.text("Plain, name"), .int(4)],
            ]
        )
        #expect(
            table.csv() == """
                name,amount\r
                "'=HYPERLINK(""http://evil"",""x"")",-12.50\r
                '+1,-3\r
                '@SUM(A1),\r
                '\tTab,\r
                "Plain, name",4\r

                """
        )

        // The data export, written by PostgreSQL: a contract titled as a formula.
        try await withWebHarness(characters: 1) { web in
            let character = web.sync.characterIDs[0]
            let updated = try await web.pool.withConnection { connection in
                try connection.execute(
                    "INSERT INTO readmodel.contracts (character_id, contract_id, title) VALUES ($1, 1, '=cmd|'' /C calc''!A0')",
                    [character]
                )
            }
            try #require(updated == 1)
            try await web.pool.withConnection { connection in
                try connection.execute("INSERT INTO sync.users (name, is_superuser) VALUES ('root', true)")
            }
            let (root, _) = try await web.session(for: "root")
            let export = try await web.request("/exports/contracts.zip", cookie: root)
            #expect(export.status == 200)
            let text = try inspectZip(export.body).first?.text ?? ""
            #expect(text.contains(",'=cmd|' /C calc'!A0,") && !text.contains(",=cmd|"), "\(text.prefix(400))")
        }
    }

    /// Logins under way are bounded: a flood of /sso/login requests meets the bound, expired
    /// ones are cleared first, and nothing else grows.
    @Test func aFloodOfLoginsMeetsABound() async throws {
        try await withWebHarness(characters: 1) { web in
            func pending() async throws -> Int64 {
                try await web.pool.withConnection { try $0.query("SELECT count(*) FROM access.sso_logins")[0].get(0) }
            }
            try await web.pool.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO access.sso_logins (state, code_verifier, purpose, expires_at)
                    SELECT 'flood' || i, 'v', 'login', now() + interval '10 minutes'
                    FROM generate_series(1, $1::int) i
                    """,
                    [Int32(SSOLogin.maximumPending)]
                )
            }
            let refused = try await web.request("/sso/login", cookie: nil)
            #expect(refused.status == 503 && refused.text.contains("Too many logins"))
            #expect(try await pending() == Int64(SSOLogin.maximumPending))
            // Once they expire, logins start again and the expired rows are gone.
            try await web.pool.withConnection {
                try $0.execute("UPDATE access.sso_logins SET expires_at = now() - interval '1 second'")
            }
            #expect(try await web.request("/sso/login", cookie: nil).status == 302)
            #expect(try await pending() == 1)
        }
    }

    /// A client that opens a connection and trickles its headers is cut off.
    @Test func aConnectionThatNeverFinishesItsHeadersIsClosed() async throws {
        try await withWebHarness(characters: 1, headerTimeout: .milliseconds(500)) { web in
            let port = try #require(Int(web.base.split(separator: ":").last ?? ""))
            // The server cuts it off after 500 ms; the client waits far longer, so a machine busy
            // with the rest of the suite does not turn a late close into a failure (seen once
            // with 3 s while the suite ran on two cores).
            let closed = try await Task.detached { try slowClient(port: port, waiting: 15) }.value
            #expect(closed, "the server closed the connection before the client finished its headers")
            #expect(try await web.browser().send("/login").status == 200)
        }
    }
}

/// Sends half a request, then waits up to `waiting` seconds for the server to close.
private func slowClient(port: Int, waiting: Int) throws -> Bool {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw TestSetupError("no socket") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { throw TestSetupError("cannot connect to port \(port)") }
    let partial = Array("GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
    _ = partial.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
    var timeout = timeval(tv_sec: waiting, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var buffer = [UInt8](repeating: 0, count: 512)
    let received = recv(socket, &buffer, buffer.count, 0)
    return received == 0  // end of stream: closed by the server; -1 with EAGAIN: still open
}
