import Vocabulary

/// An error from PostgreSQL or from this wrapper.
///
/// `description` is safe to log and show: it holds the server's primary message and SQLSTATE but
/// never the statement's parameters or the server's `DETAIL` (which can quote row values). Those
/// are in `debugDescription`.
public struct PostgresError: ClassifiedError, Sendable, CustomDebugStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case connectionFailed = "connection failed"
            case connectionClosed = "connection closed"
            case server = "server error"
            case cancelled = "cancelled"
            case decoding = "decoding error"
            case encoding = "encoding error"
            case poolClosed = "pool closed"
            case misuse = "misuse"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server could not be reached or refused the connection (down, bad credentials, ...).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke while in use.
        public static let connectionClosed = Code(.connectionClosed)
        /// The server rejected a statement; see ``PostgresError/sqlState``.
        public static let server = Code(.server)
        /// The Swift task was cancelled and the running statement with it.
        public static let cancelled = Code(.cancelled)
        /// A column could not be decoded as the requested Swift type.
        public static let decoding = Code(.decoding)
        /// A parameter cannot be sent: a date outside PostgreSQL's range, a value over 1 GiB, ...
        public static let encoding = Code(.encoding)
        /// The pool was shut down.
        public static let poolClosed = Code(.poolClosed)
        /// The wrapper was used in a way it does not allow (e.g. a nested transaction).
        public static let misuse = Code(.misuse)

        public var description: String { self.base.rawValue }
    }

    public var code: Code

    /// Only a value from outside can be one PostgreSQL cannot take (`.encoding`); a server that
    /// cannot be reached is unavailable; anything else is our failure.
    public var kind: ErrorKind {
        switch self.code {
        case .encoding: .invalidInput
        case .connectionFailed, .connectionClosed, .poolClosed, .cancelled: .unavailable
        default: .failure
        }
    }

    /// The SQLSTATE the server sent, for ``Code/server`` errors.
    public var sqlState: SQLState?
    /// A message fit for users: the server's primary message or the wrapper's explanation.
    public var message: String
    /// The server's detail and hint, and the statement. Not part of `description`.
    public var detail: String?
    public var statement: String?

    package init(
        _ code: Code,
        _ message: String,
        sqlState: SQLState? = nil,
        detail: String? = nil,
        statement: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.statement = statement
    }

    public var description: String {
        if let sqlState = self.sqlState { return "\(self.message) (SQLSTATE \(sqlState.rawValue))" }
        return self.message
    }

    public var debugDescription: String {
        var text = "PostgresError(\(self.code)): \(self.description)"
        if let detail = self.detail { text += "\n  detail: \(detail)" }
        if let statement = self.statement { text += "\n  statement: \(statement)" }
        return text
    }
}

/// A PostgreSQL SQLSTATE code, matchable in `catch` clauses:
/// `catch let error as PostgresError where error.sqlState == .uniqueViolation`.
public struct SQLState: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { self.rawValue }

    /// The class of the code (its first two characters), e.g. `23` for integrity violations.
    public var errorClass: String { String(self.rawValue.prefix(2)) }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let raiseException = SQLState(rawValue: "P0001")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let undefinedColumn = SQLState(rawValue: "42703")
    public static let undefinedFunction = SQLState(rawValue: "42883")
    public static let syntaxError = SQLState(rawValue: "42601")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let invalidPassword = SQLState(rawValue: "28P01")
    public static let invalidAuthorization = SQLState(rawValue: "28000")
    public static let invalidCatalogName = SQLState(rawValue: "3D000")
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    public static let adminShutdown = SQLState(rawValue: "57P01")
}
