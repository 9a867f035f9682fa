import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Serves a ``WebApp`` over HTTP/1.1 with Hummingbird; `runService()` on the result stops
/// gracefully on SIGTERM or SIGINT (requests in flight finish).
public enum WebServer {
    /// The largest request body taken (forms and skill-set imports are far smaller).
    static let maximumBody = 2 << 20

    public static func application(
        app: WebApp,
        host: String,
        port: Int,
        logLevel: Logger.Level = .info,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await self.respond(to: request, app: app)
        }
        var logger = Logger(label: "memberaudit.web")
        logger.logLevel = logLevel
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "memberaudit"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT (or cancellation), then finishes the requests in flight.
    public static func serve(
        app: WebApp,
        host: String,
        port: Int,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try await self.application(app: app, host: host, port: port, onRunning: onRunning).runService()
    }

    static func respond(to request: Request, app: WebApp) async throws -> Response {
        var query = [String: String]()
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        var headers = [String: String]()
        for field in request.headers {
            let name = field.name.canonicalName
            // Several Cookie fields (HTTP/2 style) are one list.
            headers[name] = headers[name].map { $0 + (name == "cookie" ? "; " : ", ") + field.value } ?? field.value
        }
        let body = try await request.body.collect(upTo: self.maximumBody)
        let answer = await app.handle(
            WebRequest(
                method: request.method.rawValue,
                path: request.uri.path,
                query: query,
                headers: headers,
                body: Array(body.readableBytesView)
            )
        )
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}
