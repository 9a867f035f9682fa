import HTTPTypes
import Hummingbird

/// Adds the security headers to every answer, pages, API and errors alike: a strict content
/// security policy (no inline script; forms post only here and to the SSO), no sniffing, no
/// framing, no caching of what is shown, and HSTS when the app is served over https. Images come
/// from the image server only (with a trailing slash: a CSP source with a path matches that path
/// exactly, one ending in `/` everything below it).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebContext

    let headers: HTTPFields

    init(ssoBaseURL: String, imageServer: String, https: Bool) {
        var headers: HTTPFields = [
            .contentSecurityPolicy:
                "default-src 'self'; img-src 'self' \(imageServer)/ data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self' \(ssoBaseURL)",
            .xContentTypeOptions: "nosniff",
            .xFrameOptions: "DENY",
            .referrerPolicy: "same-origin",
            .cacheControl: "no-store",
        ]
        if https { headers[.strictTransportSecurity] = "max-age=31536000" }
        self.headers = headers
    }

    func handle(
        _ request: Request,
        context: WebContext,
        next: (Request, WebContext) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers.append(contentsOf: self.headers)
        return response
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let csrfToken = Self("X-CSRF-Token")!
}
