import Foundation
import Hummingbird
import NIOCore

/// Reads and checks, before any handler, what a request brings from outside: the query and a
/// POST's form, decoded by Hummingbird's URL-encoded form decoder into ``WebContext``. Refused
/// with 400: NUL anywhere (PostgreSQL's text cannot hold it, and no name or search has one),
/// query values past 4 KB, a query or form that cannot be decoded; with 413: a body past 2 MiB.
struct InputMiddleware: RouterMiddleware {
    typealias Context = WebContext

    /// The longest query value taken: searches, moments and names are far shorter.
    static let maximumQueryValue = 4096
    /// The largest request body taken (forms and skill-set imports are far smaller).
    static let maximumBody = 2 << 20

    func handle(
        _ request: Request,
        context: WebContext,
        next: (Request, WebContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        var request = request
        guard !request.uri.path.utf8.contains(0) else {
            throw HTTPError(.badRequest, message: "The address holds a NUL character.")
        }
        context.query = try Self.fields(request.uri.query ?? "", of: "query")
        for (name, value) in context.query where value.utf8.count > Self.maximumQueryValue {
            throw HTTPError(
                .badRequest,
                message: "The parameter \(name.prefix(40)) is longer than \(Self.maximumQueryValue) bytes."
            )
        }
        if request.method == .post {
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maximumBody)
            } catch is NIOTooManyBytesError {
                throw HTTPError(
                    .contentTooLarge,
                    headers: [.connection: "close"],
                    message: "The request's body is over \(Self.maximumBody >> 20) MiB."
                )
            }
            let contentType = request.headers[.contentType] ?? ""
            if contentType.hasPrefix("application/x-www-form-urlencoded") {
                context.form = try Self.fields(String(buffer: body), of: "form")
            }
        }
        return try await next(request, context)
    }

    /// `a=1&b=two+words` as fields, refused (400) if it cannot be read or holds a NUL.
    static func fields(_ encoded: String, of what: String) throws -> [String: String] {
        guard !encoded.isEmpty else { return [:] }
        let fields: [String: String]
        do {
            fields = try URLEncodedFormDecoder().decode([String: String].self, from: encoded)
        } catch {
            throw HTTPError(
                .badRequest,
                message: "The \(what) cannot be read (a name repeated or nested, or a bad %-escape)."
            )
        }
        if fields.contains(where: { $0.key.utf8.contains(0) || $0.value.utf8.contains(0) }) {
            throw HTTPError(.badRequest, message: "A \(what) field holds a NUL character.")
        }
        return fields
    }
}
