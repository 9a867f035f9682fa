/// Every route the app answers, with the query parameters and form fields it reads: the whole
/// surface, equal to the router's routes (a test holds them equal). The fuzz tests walk it, so a
/// new route is fuzzed as soon as it is reachable.
public struct Route: Sendable, CustomStringConvertible {
    public var method: String
    /// Path segments; `{name}` is a placeholder for one segment (an id, a tab, an action). A GET
    /// and a POST on one path name their placeholders alike (the router takes one name per
    /// place): `{what}` is a character's tab or section for a GET and the action for a POST.
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
}

extension WebApp {
    private static let moments = ["since", "until", "from", "to"]
    private static let table = ["sort", "dir", "q", "page"]
    private static let finder =
        table + [
            "corporation", "alliance", "main", "main_corporation", "main_alliance", "shared", "unregistered", "mains",
        ]

    /// The routes, page families first, then the JSON API (docs/openapi-web.yaml), then the health
    /// probes.
    public static let routes: [Route] = [
        Route("GET", "/"),
        Route("GET", "/static/app.css"),
        Route("GET", "/login"),
        Route("GET", "/sso/login", query: ["character_id"]),
        Route("GET", "/sso/add"),
        Route("GET", "/sso/callback", query: ["code", "state", "error", "error_description"]),
        Route("POST", "/logout"),
        Route("GET", "/launcher", query: ["missing"]),
        Route("GET", "/notifications"),
        Route("POST", "/notifications/read"),
        Route("GET", "/characters/{character}"),
        Route(
            "GET",
            "/characters/{character}/{what}",
            query: table + moments + ["container", "place", "label", "list"]
        ),
        Route("GET", "/characters/{character}/{what}/{item}"),
        Route("POST", "/characters/{character}/{what}", form: ["confirm"]),
        Route("GET", "/finder", query: finder),
        Route("GET", "/finder/csv", query: finder),
        Route("GET", "/reports"),
        Route("GET", "/reports/{report}", query: table),
        Route("GET", "/reports/{report}/csv", query: table),
        Route("GET", "/exports"),
        Route("GET", "/exports/{file}"),
        Route("GET", "/admin"),
        Route("GET", "/admin/characters", query: table + ["status"]),
        Route(
            "POST",
            "/admin/{action}",
            form: ["group", "description", "permission", "user", "value", "character", "confirm"]
        ),
        Route("GET", "/skillsets"),
        Route("GET", "/skillsets/{action}", query: ["set"]),
        Route(
            "POST",
            "/skillsets/{action}",
            form: ["name", "group", "fitting", "plan", "original", "description", "ship", "groups", "visible"]
                + ["skills", "add_skill", "add_required", "add_recommended", "set", "confirm"]
        ),
        Route("GET", "/api/me"),
        Route("GET", "/api/characters"),
        Route("GET", "/api/characters/{character}", query: moments),
        Route("GET", "/api/characters/{character}/{what}", query: moments),
        Route("GET", "/api/characters/{character}/series/{metric}", query: moments),
        Route("POST", "/api/characters/{character}/{what}"),
        Route(
            "GET",
            "/api/finder",
            query: ["q", "corporation", "alliance", "main", "shared", "unregistered", "mains"]
        ),
        Route("GET", "/api/reports/{report}"),
        Route("GET", "/api/skillsets"),
        Route("GET", "/api/admin/{list}"),
        Route("GET", "/healthz"),
        Route("GET", "/readyz"),
    ]
}
