internal import CCurl
import Foundation
import Synchronization

/// An HTTP client on libcurl's multi interface: one thread drives every transfer, connections are
/// reused, many requests are in flight at once, HTTP/2 is used where the server offers it, and
/// gzip bodies are decoded. No request ever blocks a Swift task's thread.
public final class HTTPClient: Sendable {
    private let multi: Multi
    private let userAgent: String

    /// - Parameters:
    ///   - userAgent: sent with every request (ESI asks for an app name and contact address).
    ///   - maxConnectionsPerHost: the most connections to one host at once.
    public init(userAgent: String, maxConnectionsPerHost: Int = 20) {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        self.userAgent = userAgent
        let multi = Multi(maxConnectionsPerHost: maxConnectionsPerHost)
        self.multi = multi
        let thread = Thread { multi.run() }
        thread.name = "memberaudit.http"
        thread.start()
    }

    deinit { self.multi.stop() }

    /// Sends a request and returns its answer, whatever the status.
    ///
    /// - Throws: ``HTTPClientError`` when no answer came (timeout, refused connection, ...).
    public func send(_ request: ClientRequest) async throws -> ClientResponse {
        let transfer = Transfer(request: request, userAgent: self.userAgent)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                self.multi.submit(transfer)
            }
        } onCancel: {
            self.multi.cancel(transfer)
        }
    }
}

/// The curl multi handle and the loop that drives it. Only `run()` (on the client's thread)
/// touches curl; other threads hand work over through `inbox` and wake the loop.
private final class Multi: Sendable {
    // Used only on the client's thread, except curl_multi_wakeup, which libcurl allows from any thread.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer
    private let inbox = Mutex<(new: [Transfer], cancelled: [Transfer], stopping: Bool)>(([], [], false))

    init(maxConnectionsPerHost: Int) {
        self.handle = curl_multi_init()!
        ccurl_multi_setopt_long(self.handle, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        ccurl_multi_setopt_long(self.handle, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    func submit(_ transfer: Transfer) {
        self.inbox.withLock { $0.new.append(transfer) }
        curl_multi_wakeup(self.handle)
    }

    func cancel(_ transfer: Transfer) {
        self.inbox.withLock { $0.cancelled.append(transfer) }
        curl_multi_wakeup(self.handle)
    }

    func stop() {
        self.inbox.withLock { $0.stopping = true }
        curl_multi_wakeup(self.handle)
    }

    func run() {
        var active = [UnsafeMutableRawPointer: Transfer]()
        while true {
            let (new, cancelled, stopping) = self.inbox.withLock { inbox in
                defer {
                    inbox.new = []
                    inbox.cancelled = []
                }
                return (inbox.new, inbox.cancelled, inbox.stopping)
            }
            for transfer in new {
                guard let easy = transfer.makeEasyHandle() else {
                    transfer.finish(.failure(HTTPClientError(.other, "cannot create a curl handle")))
                    continue
                }
                active[easy] = transfer
                curl_multi_add_handle(self.handle, easy)
            }
            for transfer in cancelled {
                guard let easy = transfer.easy, active.removeValue(forKey: easy) != nil else { continue }
                curl_multi_remove_handle(self.handle, easy)
                transfer.finish(.failure(HTTPClientError(.cancelled, "the request was cancelled")))
            }
            if stopping && active.isEmpty { break }

            var running: Int32 = 0
            curl_multi_perform(self.handle, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(self.handle, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let transfer = active.removeValue(forKey: easy)
                else { continue }
                let result = message.pointee.data.result
                curl_multi_remove_handle(self.handle, easy)
                transfer.complete(code: result)
            }
            curl_multi_poll(self.handle, nil, 0, 1_000, nil)
        }
        curl_multi_cleanup(self.handle)
    }
}
