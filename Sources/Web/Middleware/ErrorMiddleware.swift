import Foundation
import Hummingbird
import Logging
import Postgres
import Vocabulary

/// Turns every failure below it into an answer: a page for a browser, `{"error": …}` for the
/// API, the login page for a visitor who must log in. The status of each failure is decided in
/// ``WebApp/httpError(for:)`` and nowhere else.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = WebContext

    let app: WebApp

    func handle(
        _ request: Request,
        context: WebContext,
        next: (Request, WebContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = self.app.httpError(for: error, logger: context.logger, request: request)
            let message = failure.body ?? failure.status.reasonPhrase
            if request.isAPI { return try .json(["error": message], status: failure.status) }
            if failure.status == .unauthorized { return .redirect("/login") }
            // The page's frame shows who is logged in; asked again here, as the context that
            // found them lies below this middleware. A failure to find them leaves a plain frame.
            let caller = try? await self.app.caller(of: request)
            let title =
                switch failure.status {
                case .forbidden: "Not allowed"
                case .notFound: "Not found"
                case .badRequest: "That did not work"
                default: "Error"
                }
            var response = self.app.page(
                title,
                caller,
                "<p>\(message)</p><p><a href=\"/\">Back to the start</a></p>",
                status: failure.status
            )
            response.headers.append(contentsOf: failure.headers)
            return response
        }
    }
}

extension WebApp {
    /// The HTTP status of a failure of each kind: the one place they are decided.
    static func status(for kind: ErrorKind) -> HTTPResponse.Status {
        switch kind {
        case .invalidInput: .badRequest
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .conflict: .conflict
        case .unavailable: .serviceUnavailable
        case .failure: .internalServerError
        }
    }

    static let unavailableMessage =
        "A service this page needs (the database, EVE's ESI or SSO) cannot answer right now. Please try again in a minute."

    /// Every failure as the answer it gives: Hummingbird's and the pages' own `HTTPError`s as
    /// they are; every module's error by its kind (its message shown, except a failure's, which
    /// is logged and not shown); a stop of the server as 503.
    func httpError(for error: any Error, logger: Logger, request: Request) -> HTTPError {
        switch error {
        case let error as HTTPError:
            return error
        case let error as any ClassifiedError where error.kind != .failure:
            if error.kind == .unavailable {
                logger.warning("\(request.method) \(request.uri.path): \(error)")
                return HTTPError(.serviceUnavailable, message: Self.unavailableMessage)
            }
            let message = (error as? PostgresError)?.message ?? error.description
            return HTTPError(Self.status(for: error.kind), message: message)
        case is CancellationError:
            // The server is stopping (or the client went away): nothing to report.
            return HTTPError(.serviceUnavailable, message: "The server is stopping.")
        default:
            logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            return HTTPError(.internalServerError, message: "Something went wrong on our side; it has been logged.")
        }
    }
}
