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
            case archiveRefused = "archive refused"
            case damagedArchive = "damaged archive"
            case corruptEnvelopes = "corrupt envelopes"
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
        /// Archiving or restoring a partition that may not be: not sealed, still needed, already
        /// archived or still in the log.
        public static let archiveRefused = Code(.archiveRefused)
        /// An archive's files do not match their manifest, or do not hold what it says.
        public static let damagedArchive = Code(.damagedArchive)
        /// A packed block of envelopes does not decode.
        public static let corruptEnvelopes = Code(.corruptEnvelopes)

        public var description: String { self.base.rawValue }
    }

    public var code: Code
    public var message: String

    /// A damaged log is our failure; a database without the log wants `memberaudit migrate`.
    public var kind: ErrorKind {
        switch self.code {
        case .notMigrated: .unavailable
        case .invalidEvent: .invalidInput
        case .archiveRefused: .conflict
        default: .failure
        }
    }

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// An archiving or restore the log's state does not allow, with the reason.
    public static func refused(_ message: String) -> EventLogError { EventLogError(.archiveRefused, message) }

    public var description: String { self.message }
}

extension SQLState {
    /// Raised by the log's triggers on UPDATE, DELETE or TRUNCATE.
    public static let appendOnlyViolation = SQLState(rawValue: "EL001")
}
