import Access
import ESI
import ESISimulator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import Projections
import Sync
import SyncTestSupport
import Testing

@testable import Web

/// A synced test database, the simulator, and the web app serving on a loopback port: a browser's
/// view of the whole system. `browser` keeps cookies between requests, as a browser does.
struct WebHarness: Sendable {
    let sync: SyncHarness
    let app: WebApp
    let base: String
    /// The router in process, for most tests; `base` is the same app on a socket.
    let client: any TestClientProtocol

    var pool: PostgresPool { self.sync.pool }

    /// A client with a cookie jar that follows no redirects (each step of a login is checked).
    final class Browser: @unchecked Sendable {
        let http = HTTPClient(userAgent: "memberaudit-web-tests")
        var cookies = [String: String]()
        let base: String
        init(base: String) { self.base = base }

        var cookieHeader: String { self.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

        func send(_ url: String, method: String = "GET", form: [String: String]? = nil) async throws -> ClientResponse {
            let absolute = url.hasPrefix("http") ? url : self.base + url
            var headers = [(String, String)]()
            if absolute.hasPrefix(self.base), !self.cookies.isEmpty {
                headers.append(("Cookie", self.cookieHeader))
            }
            var body: [UInt8]? = nil
            if let form {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
                body = Array(
                    form.map { "\(percentEncoded($0.key))=\(percentEncoded($0.value))" }.joined(separator: "&").utf8
                )
            }
            let response = try await self.http.send(
                ClientRequest(method: method, url: absolute, headers: headers, body: body)
            )
            for (name, value) in response.headers where name.lowercased() == "set-cookie" {
                let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { self.cookies[pair[0]] = pair[1].isEmpty ? nil : pair[1] }
            }
            return response
        }

        /// Logs in as `character` through the simulator's SSO: the app's redirect, the SSO's
        /// answer for that character, the app's callback. Returns the callback's response.
        func post(_ url: String, form: [String: String]) async throws -> ClientResponse {
            try await self.send(url, method: "POST", form: form)
        }

        func login(as character: Int64, path: String = "/sso/login") async throws -> ClientResponse {
            let start = try await self.send(path)
            let authorize = try #require(start.header("Location"), "no redirect to the SSO: \(start.status)")
            let approved = try await self.send(authorize + "&character_id=\(character)")
            let callback = try #require(approved.header("Location"), "the SSO did not approve: \(approved.status)")
            return try await self.send(callback)
        }
    }

    func browser() -> Browser { Browser(base: self.base) }

    /// The name of the user who owns a registered character.
    func owner(of character: Int64) async throws -> String {
        try await self.pool.withConnection { connection in
            try connection.query(
                "SELECT u.name FROM sync.users u JOIN sync.characters c ON c.user_id = u.id WHERE c.id = $1",
                [character]
            )[0].get(0)
        }
    }

    /// Sessions for tests that call the app directly: a user's cookie header and CSRF token.
    func session(for user: String) async throws -> (cookie: String, csrf: String) {
        try await self.pool.withConnection { connection in
            let id = try AccessAdmin.userID(user, on: connection)
            let token = try Sessions.create(userID: id, lifetime: 3600, on: connection)
            let csrf: String = try connection.query(
                "SELECT csrf_token FROM access.sessions WHERE token_hash = $1",
                [Sessions.hash(token)]
            )[0].get(0)
            return ("\(Sessions.cookieName)=\(token)", csrf)
        }
    }

    /// Sends a request to the app's router in process (Hummingbird's router test client): the
    /// same middleware and handlers as over a socket, without one.
    func request(
        _ path: String,
        method: String = "GET",
        cookie: String?,
        form: [String: String]? = nil,
        headers: [String: String] = [:]
    ) async throws -> PageResponse {
        var fields = HTTPFields()
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        if let cookie { fields[.cookie] = cookie }
        var body: ByteBuffer? = nil
        if let form {
            fields[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(
                string: form.map { "\(percentEncoded($0.key))=\(percentEncoded($0.value))" }.joined(separator: "&")
            )
        }
        let response = try await self.client.execute(
            uri: path,
            method: try #require(HTTPRequest.Method(method)),
            headers: fields,
            body: body
        )
        return PageResponse(
            status: response.status.code,
            headers: response.headers.map { ($0.name.rawName, $0.value) },
            body: Array(response.body.readableBytesView)
        )
    }
}

/// An answer as the tests read it.
struct PageResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The first value of the header `name` (any case).
    func header(_ name: String) -> String? { self.headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

    /// Every value of the header `name` (Set-Cookie comes once per cookie).
    func headers(_ name: String) -> [String] { self.headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
}

/// Runs `body` with `characters` registered and synced once, read models current, and the web app
/// listening on a free loopback port.
func withWebHarness(
    characters: Int = 4,
    simulatorLogin: Bool = false,
    publicURL: String? = nil,
    headerTimeout: TimeAmount = WebServer.headerTimeout,
    _ body: @Sendable (WebHarness) async throws -> Void
) async throws {
    try await withSyncHarness(characters: characters, rateLimitScale: 100) { sync in
        try await sync.register()
        _ = try await Rebuilder(pool: sync.pool).prepare()
        _ = try await sync.engine().runPass(filter: PassFilter(sections: sync.settings.sections), force: true)
        try await ProjectionRunner(pool: sync.pool).catchUp()
        // Members may use the app: the group new users join, and the harness's users are in it.
        try await sync.pool.transaction { connection in
            try AccessAdmin.createGroup("Members", on: connection)
            try AccessAdmin.grant([.basicAccess], to: "Members", on: connection)
            try connection.execute(
                "INSERT INTO access.user_groups SELECT u.id, g.id FROM sync.users u, access.groups g"
            )
        }
        let app = WebApp(
            pool: sync.pool,
            configuration: WebConfiguration(
                appName: "Test Audit",
                publicURL: publicURL,
                sso: sync.settings.sso,
                syncScopes: sync.simulator.allScopes,
                defaultGroup: "Members",
                simulatorLogin: simulatorLogin,
                imageServer: sync.base + "/images",
                serverStatus: ServerStatusWatch(settings: sync.settings)
            ),
            cipher: sync.cipher,
            sections: sync.settings.sections,
            tokenPolicies: [:],
            http: HTTPClient(userAgent: "memberaudit-web")
        )
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = WebServer.application(
            app: app,
            host: "127.0.0.1",
            port: 0,
            logger: {
                var logger = Logger(label: "memberaudit.web")
                logger.logLevel = .critical
                return logger
            }(),
            headerTimeout: headerTimeout
        ) {
            app.listening(host: "127.0.0.1", port: $0)
            continuation.yield($0)
        }
        let serving = Task { try await server.runService() }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        var quiet = Logger(label: "memberaudit.web")
        quiet.logLevel = .critical
        try await Application(router: app.router(), logger: quiet).test(.router) { client in
            try await body(WebHarness(sync: sync, app: app, base: "http://127.0.0.1:\(port)", client: client))
        }
    }
}
