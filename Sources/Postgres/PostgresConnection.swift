internal import CLibPQ
import Foundation
import Synchronization

/// One libpq connection. Its calls block, so it is used only inside a closure that a
/// ``PostgresPool`` runs on the connection's own serial queue, never on Swift's cooperative pool.
///
/// All values go to the server as parameters (`$1`, `$2`, ...) in binary format; results come back
/// in binary format too. The type is deliberately not `Sendable`: it must not escape its closure.
public final class PostgresConnection {
    let handle: OpaquePointer
    let canceller: Canceller

    /// Opens a connection. `conninfo` is a libpq connection string or URI; empty means libpq's
    /// defaults and the `PG*` environment variables. Blocks until connected or failed.
    public init(conninfo: String) throws(PostgresError) {
        guard let handle = PQconnectdb(conninfo) else {
            throw PostgresError(.connectionFailed, "cannot connect to PostgreSQL: out of memory")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(.connectionFailed, "cannot connect to PostgreSQL: \(reason)")
        }
        // Server notices (e.g. "table already exists, skipping") are not for our users' terminals.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        self.handle = handle
        self.canceller = Canceller(PQgetCancel(handle))
    }

    deinit { PQfinish(self.handle) }

    /// Whether the connection is usable (not broken by a network error or server restart).
    public var isHealthy: Bool { PQstatus(self.handle) == CONNECTION_OK }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(self.handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// The server's version number, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(self.handle)) }

    // MARK: - Statements

    /// Runs one statement with parameters and returns its rows.
    ///
    /// Disfavoured: a literal with interpolations goes to ``query(_:)-(PostgresQuery)`` instead,
    /// where `\(value)` is a bind; this one takes SQL text built elsewhere and `$n` parameters.
    @discardableResult
    @_disfavoredOverload
    public func query(
        _ sql: String,
        _ parameters: [any PostgresEncodable] = []
    ) throws(PostgresError)
        -> PostgresResult
    {
        try self.canceller.checkNotCancelled()
        // All parameter bytes live in one buffer; libpq gets a pointer into it per parameter.
        var types = [UInt32]()
        var lengths = [Int32]()
        var offsets = [Int?]()
        var bytes = [UInt8]()
        types.reserveCapacity(parameters.count)
        lengths.reserveCapacity(parameters.count)
        offsets.reserveCapacity(parameters.count)
        for parameter in parameters {
            types.append(type(of: parameter).postgresType.rawValue)
            if parameter.isPostgresNull {
                offsets.append(nil)
                lengths.append(0)
            } else {
                let start = bytes.count
                try parameter.encodePostgres(into: &bytes)
                guard let length = Int32(exactly: bytes.count - start), length < 1 << 30 else {
                    throw PostgresError(
                        .encoding,
                        "a parameter of \(bytes.count - start) bytes is over PostgreSQL's 1 GiB"
                    )
                }
                offsets.append(start)
                lengths.append(length)
            }
        }
        bytes.append(0)  // so that an empty last value still points into the buffer
        let formats = [Int32](repeating: 1, count: parameters.count)
        let result = bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in offset.map { base + $0 } }
            return PQexecParams(self.handle, sql, Int32(parameters.count), types, values, lengths, formats, 1)
        }
        return try self.check(result, sql: sql)
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    @_disfavoredOverload
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> Int {
        try self.query(sql, parameters).affectedRows
    }

    /// Runs a script of one or more statements without parameters (migrations, DDL).
    public func executeScript(_ sql: String) throws(PostgresError) {
        try self.canceller.checkNotCancelled()
        try self.check(PQexec(self.handle, sql), sql: sql)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        guard !self.isInTransaction else {
            throw PostgresError(.misuse, "a transaction is already open on this connection")
        }
        try self.executeScript("BEGIN")
        do {
            let value = try body(self)
            try self.executeScript("COMMIT")
            return value
        } catch {
            if self.isHealthy { PQclear(PQexec(self.handle, "ROLLBACK")) }
            throw error
        }
    }

    // MARK: - Results and errors

    @discardableResult
    func check(_ result: OpaquePointer?, sql: String) throws(PostgresError) -> PostgresResult {
        let wrapped = PostgresResult(result)
        switch result.map(PQresultStatus) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT:
            return wrapped
        case nil:
            throw self.connectionError(sql: sql)
        default:
            throw self.serverError(result!, sql: sql)
        }
    }

    func serverError(_ result: OpaquePointer, sql: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        guard let state = field("C") else { return self.connectionError(sql: sql) }
        let sqlState = SQLState(rawValue: state)
        let message = field("M") ?? Self.trimmed(PQresultErrorMessage(result))
        let detail = [field("D"), field("H").map { "hint: \($0)" }, field("W").map { "where: \($0)" }]
            .compactMap { $0 }.joined(separator: "; ")
        let code: PostgresError.Code =
            sqlState == .queryCanceled && self.canceller.wasCancelled ? .cancelled : .server
        return PostgresError(code, message, sqlState: sqlState, detail: detail.isEmpty ? nil : detail, statement: sql)
    }

    func connectionError(sql: String) -> PostgresError {
        let reason = Self.trimmed(PQerrorMessage(self.handle))
        return PostgresError(
            .connectionClosed,
            "lost the connection to PostgreSQL: \(reason.isEmpty ? "no reply" : reason)",
            statement: sql
        )
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

/// Sends `PQcancel` for a connection (libpq allows it from any thread) and knows whether the
/// body now using the connection was cancelled.
final class Canceller: Sendable {
    // The PGcancel object is only read by PQcancel, which libpq documents as thread-safe.
    private nonisolated(unsafe) let handle: OpaquePointer?
    private let current = Mutex<CancelToken?>(nil)

    init(_ handle: OpaquePointer?) { self.handle = handle }
    deinit { PQfreeCancel(self.handle) }

    /// Whether the body now running was cancelled.
    var wasCancelled: Bool { self.current.withLock { $0?.isCancelled ?? false } }

    /// Attaches the token of the body about to run; throws if it was cancelled already.
    func begin(_ token: CancelToken) throws(PostgresError) {
        self.current.withLock { $0 = token }
        guard token.attach(self) else {
            self.end(token)
            throw PostgresError(.cancelled, "the task was cancelled before its statements ran")
        }
    }

    func end(_ token: CancelToken) {
        token.detach()
        self.current.withLock { $0 = nil }
    }

    func signal() {
        guard let handle = self.handle else { return }
        // PQcancel opens a connection of its own, which a server at max_connections refuses; a
        // refused cancel would leave the statement running to its end, so it is tried again.
        var buffer = [CChar](repeating: 0, count: 256)
        for attempt in 0..<5 {
            if PQcancel(handle, &buffer, Int32(buffer.count)) == 1 { return }
            usleep(useconds_t(50_000 << attempt))
        }
    }

    func checkNotCancelled() throws(PostgresError) {
        if self.wasCancelled { throw PostgresError(.cancelled, "the statement was cancelled") }
    }
}

/// The cancellation state of one ``PostgresPool/withConnection(_:)`` call.
///
/// Signalling happens under the token's lock and detaching takes the same lock, so a late cancel
/// can never reach the statement of the next body that uses the connection.
final class CancelToken: Sendable {
    private let state = Mutex<(cancelled: Bool, canceller: Canceller?)>((false, nil))

    var isCancelled: Bool { self.state.withLock { $0.cancelled } }

    /// Marks the call cancelled and cancels its running statement, if any.
    func cancel() {
        self.state.withLock { state in
            state.cancelled = true
            state.canceller?.signal()
        }
    }

    /// Returns false when the call was cancelled before it could start.
    func attach(_ canceller: Canceller) -> Bool {
        self.state.withLock { state in
            state.canceller = canceller
            return !state.cancelled
        }
    }

    func detach() { self.state.withLock { $0.canceller = nil } }
}
