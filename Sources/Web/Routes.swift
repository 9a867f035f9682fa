/// Every route the app answers, with the query parameters and form fields it reads: the router
/// refuses (404) any request whose method and path match none of them, so this table is the
/// whole surface. The fuzz tests walk it, and a new route is fuzzed as soon as it is reachable.
public struct Route: Sendable, CustomStringConvertible {
    public var method: String
    /// Path segments; `{name}` is a placeholder for one segment (an id, a tab, an action).
    public var segments: [String]
    public var query: [String]
    public var form: [String]

    init(_ method: String, _ path: String, query: [String] = [], form: [String] = []) {
        self.method = method
        self.segments = path.split(separator: "/").map(String.init)
        self.query = query
        self.form = method == "POST" ? form + ["csrf"] : form
    }

    public var description: String { "\(self.method) /\(self.segments.joined(separator: "/"))" }

    /// The placeholders of the path, in order.
    public var placeholders: [String] {
        self.segments.filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    func matches(method: String, parts: [String]) -> Bool {
        guard method == self.method, parts.count == self.segments.count else { return false }
        return zip(self.segments, parts).allSatisfy { segment, part in segment.hasPrefix("{") || segment == part }
    }
}

extension WebApp {
    private static let moments = ["since", "until", "from", "to"]
    private static let table = ["sort", "dir", "q", "page"]

    /// The routes, page families first, then the JSON API (docs/openapi-web.yaml).
    public static let routes: [Route] = [
        Route("GET", "/"),
        Route("GET", "/static/app.css"),
        Route("GET", "/login"),
        Route("GET", "/sso/login", query: ["character_id"]),
        Route("GET", "/sso/add"),
        Route("GET", "/sso/callback", query: ["code", "state", "error", "error_description"]),
        Route("POST", "/logout"),
        Route("GET", "/launcher", query: ["missing"]),
        Route("GET", "/characters/{character}"),
        Route(
            "GET",
            "/characters/{character}/{tab}",
            query: table + moments + ["container", "place", "label", "list"]
        ),
        Route("POST", "/characters/{character}/{action}"),
        Route(
            "GET",
            "/finder",
            query: table + ["corporation", "alliance", "main", "main_corporation", "main_alliance"]
                + ["shared", "unregistered", "mains"]
        ),
        Route("GET", "/reports"),
        Route("GET", "/reports/{report}"),
        Route("GET", "/exports"),
        Route("GET", "/exports/{file}"),
        Route("GET", "/admin"),
        Route("POST", "/admin/{action}", form: ["group", "description", "permission", "user", "value"]),
        Route("GET", "/skillsets"),
        Route("GET", "/skillsets/{action}"),
        Route("POST", "/skillsets/{action}", form: ["name", "group", "fitting", "plan"]),
        Route("GET", "/api/me"),
        Route("GET", "/api/characters"),
        Route("GET", "/api/characters/{character}", query: moments),
        Route("GET", "/api/characters/{character}/{section}", query: moments),
        Route("GET", "/api/characters/{character}/series/{metric}", query: moments),
        Route("POST", "/api/characters/{character}/{action}"),
        Route(
            "GET",
            "/api/finder",
            query: ["q", "corporation", "alliance", "main", "shared", "unregistered", "mains"]
        ),
        Route("GET", "/api/reports/{report}"),
        Route("GET", "/api/skillsets"),
        Route("GET", "/api/admin/{list}"),
    ]

    /// The route a request is for; nil: no page or API call has this method and path.
    static func route(of request: WebRequest) -> Route? {
        let parts = request.parts
        return Self.routes.first { $0.matches(method: request.method, parts: parts) }
    }
}
