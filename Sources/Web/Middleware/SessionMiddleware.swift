import HTTPTypes
import Hummingbird

/// Finds who is asking from the session cookie and puts them in the context; a request without
/// a live session goes on as a visitor's (each handler decides whether it needs a login).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebContext

    let app: WebApp

    func handle(
        _ request: Request,
        context: WebContext,
        next: (Request, WebContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.caller = try await self.app.caller(of: request)
        return try await next(request, context)
    }
}

/// A state-changing request of a logged-in caller must carry the session's CSRF token: a form
/// field `csrf`, or the `X-CSRF-Token` header for the API. A visitor's POST goes on to its
/// handler, which asks them to log in.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(
        _ request: Request,
        context: WebContext,
        next: (Request, WebContext) async throws -> Response
    ) async throws -> Response {
        if request.method == .post, let caller = context.caller {
            let sent = request.headers[.csrfToken] ?? context.form["csrf"] ?? ""
            guard Sessions.constantTimeEqual(sent, caller.csrf) else {
                throw HTTPError(
                    .forbidden,
                    message:
                        "The form was stale or not sent by this site (CSRF check). Please reload the page and try again."
                )
            }
        }
        return try await next(request, context)
    }
}
