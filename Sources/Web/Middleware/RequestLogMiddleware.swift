import HTTPTypes
import Hummingbird
import Logging
import Observability

/// The outermost middleware: every answer carries its request id (`X-Request-Id`, the id
/// Hummingbird gives each request and puts in the metadata of every line logged for it), is
/// logged in one line and counted for the metrics by route family.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = WebContext

    /// The first path segments the app routes; anything else is counted as `other`, so a scan of
    /// made-up paths cannot make new series.
    private static let families: Set<String> = Set(
        WebApp.routes.map { $0.segments.first ?? "" }
    )

    static func family(of path: String) -> String {
        let first = path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        if first.isEmpty { return "root" }
        return self.families.contains(first) ? first : "other"
    }

    func handle(
        _ request: Request,
        context: WebContext,
        next: (Request, WebContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let family = Self.family(of: request.uri.path)
        let requestID = context.id
        do {
            var response = try await next(request, context)
            let elapsed = ContinuousClock.now - start
            response.headers[.requestID] = requestID
            Measure.webRequest(family: family, status: response.status.code, duration: elapsed)
            // The path only: a query can hold the SSO's one-time code.
            context.logger.info(
                "\(request.method) \(request.uri.path) \(response.status.code)",
                metadata: ["family": "\(family)", "duration_ms": "\(elapsed.milliseconds)"]
            )
            return response
        } catch {
            // Only what no middleware below could answer (the error middleware answers the rest).
            Measure.webRequest(family: family, status: 500, duration: ContinuousClock.now - start)
            throw error
        }
    }
}

extension Duration {
    /// Whole milliseconds, for log lines.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds.multipliedReportingOverflow(by: 1000).partialValue + attoseconds / 1_000_000_000_000_000
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}
