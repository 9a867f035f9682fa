import Postgres
import Vocabulary

/// An error of the event log.
public struct EventLogError: ClassifiedError, Sendable {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case corruptPayload = "corrupt payload"
            case missingPayload = "missing payload"
            case invalidEvent = "invalid event"
            case notMigrated = "not migrated"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A stored payload does not decode, or decodes to bytes with another hash.
        public static let corruptPayload = Code(.corruptPayload)
        /// An event refers to a payload that is not stored.
        public static let missingPayload = Code(.missingPayload)
        /// An event to append is inconsistent (e.g. a fetched event without a payload).
        public static let invalidEvent = Code(.invalidEvent)
        /// The database has no event log yet: run `memberaudit migrate`.
        public static let notMigrated = Code(.notMigrated)

        public var description: String { self.base.rawValue }
    }

    public var code: Code
    public var message: String

    /// A damaged log is our failure; a database without the log wants `memberaudit migrate`.
    public var kind: ErrorKind {
        self.code == .notMigrated ? .unavailable : (self.code == .invalidEvent ? .invalidInput : .failure)
    }

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}

extension SQLState {
    /// Raised by the log's triggers on UPDATE, DELETE or TRUNCATE.
    public static let appendOnlyViolation = SQLState(rawValue: "EL001")
}
