import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `GET /metrics` in the Prometheus text format, on a listener of its own: off the public router
/// (the numbers describe the whole installation and answer anyone who reaches the port), on the
/// loopback unless the operator says otherwise. Nothing else is served there.
public enum MetricsServer {
    /// - Parameters:
    ///   - render: the exposition, made anew for each scrape (it may read the database first).
    ///   - onRunning: told the bound port (useful with port 0).
    public static func application(
        host: String,
        port: Int,
        logger: Logger,
        render: @escaping @Sendable () async -> String,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let text = await render()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text))
            )
        }
        var quiet = logger
        quiet.logLevel = .warning  // a scrape every few seconds is not news
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "memberaudit-metrics"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: quiet
        )
    }
}
