import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Serves a ``Simulator`` over HTTP/1.1 with keep-alive; ESI and SSO share one port.
public enum SimulatorServer {
    /// Builds the application. `onRunning` receives the bound port (useful with port 0).
    public static func application(
        simulator: Simulator,
        host: String,
        port: Int,
        logLevel: Logger.Level = .warning,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await self.respond(to: request, simulator: simulator)
        }
        var logger = Logger(label: "esi-simulator")
        logger.logLevel = logLevel
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "esi-simulator"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    static func respond(to request: Request, simulator: Simulator) async throws -> Response {
        var query = [String: String]()
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        var headers = [String: String]()
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let body = try await request.body.collect(upTo: 4 << 20)
        let answer = simulator.handle(
            SimulatorRequest(
                method: request.method.rawValue,
                path: request.uri.path,
                query: query,
                headers: headers,
                body: Array(body.readableBytesView)
            )
        )
        if answer.delay > 0 { try await Task.sleep(for: .seconds(answer.delay)) }
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

    /// Serves `simulator` on a free loopback port while `body` runs (tests and benchmarks), and
    /// stops it after: `body` gets the base URL.
    package static func withRunning<T: Sendable>(
        _ simulator: Simulator,
        _ body: (String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = self.application(simulator: simulator, host: "127.0.0.1", port: 0, logLevel: .critical) {
            continuation.yield($0)
        }
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return try await body("http://127.0.0.1:\(port)")
    }
}
