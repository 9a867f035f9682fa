/// What kind of failure an error is: the one thing the web app turns into an HTTP status and the
/// command line into an exit status, each in one place (`WebApp.status(for:)`,
/// `MemberAudit.exitStatus(for:)`). Every module's public error says its kind; its message says
/// what happened and, where it can, what to do.
public enum ErrorKind: String, Sendable, CaseIterable {
    /// A value from outside (a form, a query, an argument, a file) is not acceptable: 400, exit 2.
    case invalidInput = "invalid_input"
    /// What was asked for does not exist: 404, exit 1.
    case notFound = "not_found"
    /// The caller may not do this: 403, exit 1.
    case forbidden
    /// It exists already, or the state does not allow it now: 409, exit 1.
    case conflict
    /// A service we depend on (the database, ESI, the SSO) cannot answer now: 503, exit 1.
    case unavailable
    /// Our own failure (a bug, a damaged log): 500 and logged, exit 1.
    case failure
}

/// An error that says its kind.
public protocol ClassifiedError: Error, CustomStringConvertible {
    var kind: ErrorKind { get }
}

/// What went wrong, as a stable name (`unknown_group`) with its kind: what tests, scripts and API
/// clients compare, never the message, which may be reworded. `Owner` is the error type whose
/// code it is, so each error's codes are its own static constants:
///
///     extension ErrorCode where Owner == AccessError {
///         public static let unknownGroup = Self("unknown_group", .invalidInput)
///     }
public struct ErrorCode<Owner>: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let kind: ErrorKind

    public init(_ name: String, _ kind: ErrorKind) {
        self.name = name
        self.kind = kind
    }

    public var description: String { self.name }
}

/// An error of one module: its code (what went wrong, with its kind) and a message in words.
/// Each module names its own, with its codes as constants:
///
///     public enum AccessErrorCodes {}
///     public typealias AccessError = ModuleError<AccessErrorCodes>
///     extension ErrorCode where Owner == AccessErrorCodes { ... }
public struct ModuleError<Codes>: ClassifiedError, Sendable, Equatable {
    public let code: ErrorCode<Codes>
    public let description: String
    public var kind: ErrorKind { self.code.kind }

    public init(_ code: ErrorCode<Codes>, _ description: String) {
        self.code = code
        self.description = description
    }
}
