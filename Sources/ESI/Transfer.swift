internal import CCurl
import Foundation
import Synchronization

/// One request in flight: its curl easy handle, what has arrived so far, and whom to tell.
// After `submit`, only the client's curl thread touches the mutable state (the inbox's lock
// publishes it to that thread); `finish` resumes the continuation exactly once.
final class Transfer: @unchecked Sendable {
    let request: ClientRequest
    let userAgent: String
    var continuation: CheckedContinuation<ClientResponse, any Error>?
    var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    fileprivate var body = [UInt8]()
    /// Set when the body passed the request's limit and curl was told to stop.
    fileprivate var oversized = false
    fileprivate var headers = [(String, String)]()
    private let finished = Mutex(false)

    init(request: ClientRequest, userAgent: String) {
        self.request = request
        self.userAgent = userAgent
    }

    /// Creates and configures the easy handle (on the curl thread).
    func makeEasyHandle() -> UnsafeMutableRawPointer? {
        guard let easy = curl_easy_init() else { return nil }
        self.easy = easy
        let context = Unmanaged.passUnretained(self).toOpaque()
        ccurl_easy_setopt_string(easy, CURLOPT_URL, self.request.url)
        ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(self.request.timeout * 1000))
        ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(min(self.request.timeout, 10) * 1000))
        ccurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")  // every encoding curl can decode
        ccurl_easy_setopt_string(easy, CURLOPT_USERAGENT, self.userAgent)
        ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        ccurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, writeBody)
        ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        ccurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, writeHeader)
        ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        for (name, value) in self.request.headers {
            self.headerList = curl_slist_append(self.headerList, "\(name): \(value)")
        }
        if let list = self.headerList { ccurl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, list) }
        switch self.request.method {
        case "GET": break
        case "POST":
            let body = self.request.body ?? []
            ccurl_easy_setopt_long(easy, CURLOPT_POST, 1)
            ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies, so the body need not outlive this call.
                ccurl_easy_setopt_pointer(
                    easy,
                    CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                )
            }
        default:
            ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, self.request.method)
        }
        return easy
    }

    /// Turns curl's result into an answer or an error (on the curl thread).
    func complete(code: CURLcode) {
        guard let easy = self.easy else { return }
        if code == CURLE_OK {
            var status = 0
            ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            var version = 0
            ccurl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
            let versionText =
                version == Int(CURL_HTTP_VERSION_2_0) ? "2" : version == Int(CURL_HTTP_VERSION_1_0) ? "1.0" : "1.1"
            self.finish(
                .success(
                    ClientResponse(status: status, headers: self.headers, body: self.body, httpVersion: versionText)
                )
            )
        } else if self.oversized {
            self.finish(
                .failure(
                    HTTPClientError(
                        .tooLarge,
                        "\(self.request.method) \(self.request.url): the answer is larger than "
                            + "\(self.request.maximumBody >> 20) MiB and was not taken"
                    )
                )
            )
        } else {
            let reason = String(cString: curl_easy_strerror(code))
            let kind: HTTPClientError.Kind
            switch code {
            case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: kind = .couldNotConnect
            default: kind = .other
            }
            self.finish(.failure(HTTPClientError(kind, "\(self.request.method) \(self.request.url): \(reason)")))
        }
    }

    /// Resumes the caller once and frees curl's resources.
    func finish(_ result: Result<ClientResponse, any Error>) {
        let first = self.finished.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        if let easy = self.easy { curl_easy_cleanup(easy) }
        self.easy = nil
        curl_slist_free_all(self.headerList)
        self.headerList = nil
        self.continuation?.resume(with: result)
        self.continuation = nil
    }
}

/// The common part of curl's write callbacks: find the transfer, hand over the bytes.
private func receive(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ context: UnsafeMutableRawPointer?,
    _ handle: (Transfer, UnsafeBufferPointer<UInt8>) -> Void
) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        handle(transfer, UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private func writeBody(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let (length, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow, length <= transfer.request.maximumBody - transfer.body.count else {
        transfer.oversized = true
        return 0  // anything but `length` makes curl stop with CURLE_WRITE_ERROR
    }
    return receive(data, size, count, context) { transfer, bytes in transfer.body.append(contentsOf: bytes) }
}

private func writeHeader(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    receive(data, size, count, context) { transfer, bytes in
        // Byte-level parsing: this runs for every header of every answer.
        if bytes.starts(with: "HTTP/".utf8) {
            transfer.headers = []  // a new status line (after a 100 Continue): start over
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            let name = trimmed(bytes[bytes.startIndex..<colon])
            let value = trimmed(bytes[(colon + 1)..<bytes.endIndex])
            transfer.headers.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
    }
}

/// `bytes` without leading and trailing spaces, tabs, CR and LF.
private func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
    guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
    else { return bytes[bytes.startIndex..<bytes.startIndex] }
    return bytes[first...last]
}
