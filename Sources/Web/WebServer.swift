import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Serves a ``WebApp`` over HTTP/1.1 with Hummingbird; `runService()` on the result stops
/// gracefully on SIGTERM or SIGINT (requests in flight finish).
public enum WebServer {
    /// A connection with no request in flight and nothing read or written for this long is closed.
    public static let idleTimeout = TimeAmount.seconds(60)
    /// A request's headers must be complete this long after the connection opened or the last
    /// answer was sent: a client that trickles headers (slowloris) cannot hold a connection.
    public static let headerTimeout = TimeAmount.seconds(20)

    public static func application(
        app: WebApp,
        host: String,
        port: Int,
        logger: Logger = Logger(label: "memberaudit.web"),
        headerTimeout: TimeAmount = Self.headerTimeout,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: app.router(),
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    additionalChannelHandlers: [HeaderTimeoutHandler(timeout: headerTimeout)],
                    idleTimeout: self.idleTimeout
                )
            ),
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
        logger: Logger = Logger(label: "memberaudit.web"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try await self.application(app: app, host: host, port: port, logger: logger, onRunning: onRunning)
            .runService()
    }
}

/// Closes a connection whose next request's headers have not all arrived within `timeout` of
/// the connection opening or the previous answer ending.
final class HeaderTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        self.deadline = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = self.unwrapInboundIn(data) {
            self.deadline?.cancel()
            self.deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) { self.arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        self.deadline?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: self.timeout) {
            bound.value.close(promise: nil)
        }
    }
}
