import Foundation

/// One ESI route as the route table describes it.
public struct RouteSpec: Sendable, Hashable {
    public enum Paging: String, Sendable {
        case none
        case pages = "X-Pages/page"
        case fromID = "from_id"
        case lastMailID = "last_mail_id"
        case fromEvent = "from_event"
    }

    public struct RateLimit: Sendable, Hashable {
        public var group: String
        public var maxTokens: Int
        public var window: TimeInterval
    }

    public var method: String
    /// The unversioned template, e.g. `/characters/{character_id}/assets`.
    public var path: String
    /// The one scope a token needs, or nil for a public route.
    public var scope: String?
    /// Seconds a response stays cached (`Expires` − `Last-Modified`); nil when the route is not
    /// cached (POST routes) and `daily` for the static routes that expire at 11:05 UTC.
    public var cacheSeconds: Int?
    public var expiresDaily: Bool
    public var rateLimit: RateLimit?
    public var paging: Paging
    public var segments: [Substring]

    /// Path parameters of a matching request path, or nil when it does not match.
    func match(_ requestSegments: [Substring]) -> [String: String]? {
        guard requestSegments.count == self.segments.count else { return nil }
        var parameters = [String: String]()
        for (template, actual) in zip(self.segments, requestSegments) {
            if template.first == "{" && template.last == "}" {
                parameters[String(template.dropFirst().dropLast())] = String(actual)
            } else if template != actual {
                return nil
            }
        }
        return parameters
    }
}

/// The routes the simulator serves, from the embedded `data/esi/endpoints.json`.
public struct RouteTable: Sendable {
    public let routes: [RouteSpec]

    public static let shipped: RouteTable = {
        do {
            return try RouteTable(json: Data((EmbeddedFiles.text(named: "endpoints.json") ?? "").utf8))
        } catch {
            fatalError("the embedded route table does not decode: \(error)")
        }
    }()

    init(json: Data) throws {
        struct Entry: Decodable {
            struct Limit: Decodable {
                let group: String
                let maxTokens: Int
                let windowSize: String
                enum CodingKeys: String, CodingKey {
                    case group
                    case maxTokens = "max-tokens"
                    case windowSize = "window-size"
                }
            }
            struct Legacy: Decodable { let cached: AnyCache? }
            let method: String
            let path: String
            let scopes: [String]
            let cache: Int?
            let rl: Limit?
            let pag: [String]
            let legacy: Legacy?
        }
        /// `cached` is a number, null, or the text "daily@11:05".
        struct AnyCache: Decodable {
            let daily: Bool
            init(from decoder: any Decoder) throws {
                self.daily = (try? decoder.singleValueContainer().decode(String.self))?.hasPrefix("daily") ?? false
            }
        }
        let entries = try JSONDecoder().decode([Entry].self, from: json)
        self.routes = entries.map { entry in
            let window = Double(entry.rl?.windowSize.dropLast() ?? "15").map { $0 * 60 } ?? 900
            let daily = entry.cache == nil && entry.legacy?.cached?.daily == true
            return RouteSpec(
                method: entry.method,
                path: entry.path,
                scope: entry.scopes.first,
                cacheSeconds: entry.cache,
                expiresDaily: daily,
                rateLimit: entry.rl.map {
                    RouteSpec.RateLimit(group: $0.group, maxTokens: $0.maxTokens, window: window)
                },
                paging: RouteSpec.Paging(rawValue: entry.pag.first ?? "none") ?? .none,
                segments: entry.path.split(separator: "/")
            )
        }
    }

    /// Finds the route for a method and request path, accepting ESI's legacy forms: an optional
    /// `/latest`, `/dev`, `/legacy` or `/vN` prefix and an optional trailing slash.
    public func route(method: String, path: String) -> (RouteSpec, [String: String])? {
        let segments = normalizedSegments(path)
        // A literal segment beats a placeholder: /mail/labels is not /mail/{mail_id}.
        var best: (RouteSpec, [String: String])?
        for route in self.routes where route.method == method {
            guard let parameters = route.match(segments) else { continue }
            if parameters.count < best?.1.count ?? Int.max { best = (route, parameters) }
        }
        return best
    }

    /// Whether any route has this path with another method (so the answer is 405, not 404).
    func hasPath(_ path: String) -> Bool {
        let segments = normalizedSegments(path)
        return self.routes.contains { $0.match(segments) != nil }
    }
}

/// Path segments without a version prefix; a trailing slash makes no difference.
func normalizedSegments(_ path: String) -> [Substring] {
    var segments = path.split(separator: "/")
    if let first = segments.first,
        first == "latest" || first == "dev" || first == "legacy"
            || (first.count >= 2 && first.first == "v" && first.dropFirst().allSatisfy(\.isNumber))
    {
        segments.removeFirst()
    }
    return segments
}
