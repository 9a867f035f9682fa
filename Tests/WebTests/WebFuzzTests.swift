import Access
import ESI
import Foundation
import Postgres
import SyncTestSupport
import Testing

@testable import Web

/// Hostile values for every route the router knows (``WebApp/routes``, so a new route is fuzzed
/// without touching this test), as every role of the access matrix: each path placeholder, query
/// parameter and form field in turn. No answer may be a 5xx, no hostile markup may come back
/// unescaped, and the server must still answer afterwards.
@Suite struct WebFuzzTests {
    /// What a hostile client sends: numbers past every integer type, non-numbers, moments before
    /// the calendar, empty and huge strings, NUL, broken percent-encoding, SQL and HTML.
    static let hostile: [String] = [
        "-1", "9223372036854775807", "9223372036854775808", "99999999999999999999999", "NaN", "inf", "1e308",
        "-1e308", "-1e9d", "-1e400w", "1.5", "", String(repeating: "A", count: 100_000), "a\u{0}b", "%00", "%zz",
        "%", "\u{FFFD}\u{202E}🚀", "' OR 1=1 --", "\"; DROP TABLE sync.characters; --", "<script>alert(1)</script>",
        "../../etc/passwd", "0001-01-01", "9999-12-31T23:59", "10000-01-01", "2026-02-30", "\r\nX-Forged: 1",
    ]

    /// The tabs whose pages read parameters of their own: each gets every parameter fuzzed.
    static let tabsWithParameters = ["history", "assets", "mails"]

    /// A harmless valid value for each placeholder, so that fuzzing one reaches the handler.
    static func valid(_ placeholder: String, route: Route, character: Int64) -> String {
        switch placeholder {
        case "character": String(character)
        case "what" where route.method == "POST": "share"
        case "what": route.segments.first == "api" ? "wallet_journal" : "assets"
        case "metric": "wallet"
        case "report": "compliance"
        case "file": "contracts.zip"
        case "list": "users"
        case "action":
            switch route.segments.first {
            case "admin": "group"
            case "skillsets": route.method == "GET" ? "export" : "import-plan"
            default: "share"
            }
        default: "1"
        }
    }

    @Test func noRouteAnswers5xxToHostileValuesForAnyRole() async throws {
        try await withWebHarness(characters: 2) { web in
            let character = web.sync.characterIDs[0]
            try await web.pool.transaction { connection in
                try AccessMatrixTests.addRoleUsers(on: connection)
                // The member owns the character the routes are asked about.
                try connection.execute(
                    "UPDATE sync.characters SET user_id = (SELECT id FROM sync.users WHERE name = 'member') WHERE id = $1",
                    [character]
                )
            }
            // New sessions for each route: a fuzzed POST /logout ends the one it was sent with.
            var sessions: [(role: String, cookie: String?, csrf: String?)] = []
            func startSessions() async throws {
                sessions = [("anonymous", nil, nil)]
                for role in AccessMatrixTests.roles {
                    let (cookie, csrf) = try await web.session(for: role.user)
                    sessions.append((role.user, cookie, csrf))
                }
            }

            var failures = [String]()
            var requests = 0
            /// Sends one request as every role (and as a stranger), concurrently.
            func send(_ route: Route, path: [String: String], query: [String: String], form: [String: String]) async {
                let chosen = sessions
                let results = await withTaskGroup(of: String?.self) { group in
                    for session in chosen {
                        group.addTask {
                            let segments = route.segments.map { segment in
                                segment.hasPrefix("{")
                                    ? percentEncoded(path[String(segment.dropFirst().dropLast())] ?? "") : segment
                            }
                            var fields = form
                            if route.method == "POST", fields["csrf"] == nil { fields["csrf"] = session.csrf ?? "" }
                            let encoded = query.map { "\(percentEncoded($0.key))=\(percentEncoded($0.value))" }
                            let uri =
                                "/" + segments.joined(separator: "/")
                                + (encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&"))
                            let response: PageResponse
                            do {
                                response = try await web.request(
                                    uri,
                                    method: route.method,
                                    cookie: session.cookie,
                                    form: route.method == "POST" ? fields : nil
                                )
                            } catch {
                                return "no answer (\(error)): \(route)"
                            }
                            let shown =
                                "\(session.role) \(route) path \(path.mapValues { $0.prefix(40) }) "
                                + "query \(query.mapValues { $0.prefix(40) }) form \(form.mapValues { $0.prefix(40) })"
                            // A 503 is what /readyz answers while the app cannot work (read models
                            // behind the log while this test runs): its meaning, not a failure.
                            let notReady = route.description == "GET /readyz" && response.status == 503
                            if response.status >= 500 && !notReady { return "\(response.status): \(shown)" }
                            if response.text.contains("<script>alert(1)</script>") { return "unescaped: \(shown)" }
                            // A live session must reach the handlers, not the login page (but logout).
                            if session.cookie != nil, route.segments != ["logout"],
                                response.status == 401 || response.header("Location") == "/login"
                            {
                                return "logged out: \(shown)"
                            }
                            return nil
                        }
                    }
                    var results = [String?]()
                    for await result in group { results.append(result) }
                    return results
                }
                requests += chosen.count
                failures += results.compactMap { $0 }
            }

            // Each route valid, with every parameter hostile at once, and each hostile value in
            // each place alone; every request as every role of the access matrix and a stranger.
            for route in WebApp.routes {
                try await startSessions()
                let defaults = Dictionary(
                    uniqueKeysWithValues: route.placeholders.map {
                        ($0, Self.valid($0, route: route, character: character))
                    }
                )
                await send(route, path: defaults, query: [:], form: [:])
                await send(
                    route,
                    path: defaults,
                    query: Dictionary(uniqueKeysWithValues: route.query.map { ($0, "-1e9d") }),
                    form: Dictionary(uniqueKeysWithValues: route.form.filter { $0 != "csrf" }.map { ($0, "NaN") })
                )
                for value in Self.hostile {
                    for placeholder in route.placeholders {
                        await send(
                            route,
                            path: defaults.merging([placeholder: value]) { $1 },
                            query: [:],
                            form: [:]
                        )
                    }
                    for name in route.query {
                        let pages = route.method == "GET" && route.segments.first == "characters"
                        let tabs: [String?] =
                            pages && route.placeholders.contains("what") ? Self.tabsWithParameters : [nil]
                        for tab in tabs {
                            let path = tab.map { defaults.merging(["what": $0]) { $1 } } ?? defaults
                            await send(route, path: path, query: [name: value], form: [:])
                        }
                    }
                    for name in route.form {
                        await send(route, path: defaults, query: [:], form: [name: value])
                    }
                }
            }
            #expect(
                failures.isEmpty,
                "\(failures.count) of \(requests) requests failed:\n\(failures.prefix(30).joined(separator: "\n"))"
            )
            #expect(requests > 20_000)
            // A route missing from the table is not reachable: the table is the whole surface.
            try await startSessions()
            #expect(
                try await web.request("/characters/\(character)/assets/extra", cookie: sessions[2].cookie).status == 404
            )
        }
    }

    /// The named cases, through the server over a real socket: each refused with a reason, and
    /// the server still answering after each.
    @Test func hostileRequestsOverTheWireGetClearAnswers() async throws {
        try await withWebHarness(characters: 1) { web in
            let character = web.sync.characterIDs[0]
            let browser = web.browser()
            #expect(try await browser.login(as: character).status == 303)
            func expectAlive() async throws {
                #expect(try await web.browser().send("/login").status == 200)
            }

            let history = try await browser.send("/characters/\(character)/history?since=-1e9d")
            #expect(history.status == 400 && String(decoding: history.body, as: UTF8.self).contains("years 1 to 9999"))
            try await expectAlive()
            let api = try await browser.send("/api/characters/\(character)/timeline?since=-1e9d")
            #expect(api.status == 400 && String(decoding: api.body, as: UTF8.self).contains("\"error\""))
            try await expectAlive()

            // A page far past the last shows the last; the finder needs finder_access (403 here).
            let finder = try await browser.send("/finder?page=9223372036854775807")
            #expect(finder.status < 500)
            let assets = try await browser.send("/characters/\(character)/assets?page=9223372036854775807")
            #expect(assets.status == 200)
            try await expectAlive()

            // Broken percent-encoding, repeated parameters, NUL, a 100 KB value.
            for query in [
                "since=%zz", "since=%", "page=1&page=-1&page=99999999999999999999", "q=%00", "since=%C0%AF",
                "q=" + String(repeating: "x", count: 100_000),
            ] {
                let answer = try await browser.send("/characters/\(character)/history?\(query)")
                #expect(answer.status < 500, "\(query.prefix(60)): \(answer.status)")
                try await expectAlive()
            }

            // Bodies: malformed JSON to the API is no JSON it reads (403: no CSRF token); 2 MB and
            // more are refused before the app sees them.
            let malformed = try await browser.http.send(
                ClientRequest(
                    method: "POST",
                    url: web.base + "/api/characters/\(character)/share",
                    headers: [("Content-Type", "application/json"), ("Cookie", browser.cookieHeader)],
                    body: Array("{\"a\": [1, 2,, }".utf8)
                )
            )
            #expect(malformed.status == 403 || malformed.status == 400)
            let huge = try await browser.http.send(
                ClientRequest(
                    method: "POST",
                    url: web.base + "/api/characters/\(character)/share",
                    headers: [("Content-Type", "application/json"), ("Cookie", browser.cookieHeader)],
                    body: Array(repeating: UInt8(ascii: "["), count: 3 << 20)
                )
            )
            #expect(huge.status == 413)
            try await expectAlive()
        }
    }
}
