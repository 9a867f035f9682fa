import Crypto
import Foundation
import Postgres
import Synchronization
import Vocabulary

/// Every projector the program has, and the DDL files of `projections/` embedded at build time.
public enum Catalog {
    public static let projectors: [Projector] = [
        CharacterReadModels.projector, ContactsReadModel.projector, SkillsReadModel.projector,
        AssetsReadModel.projector, MailsReadModel.projector, ContractsReadModel.projector,
        WalletReadModels.journalProjector, WalletReadModels.transactionsProjector, WalletReadModels.miningProjector,
        UniverseReadModel.projector, SyncStatusReadModel.projector, CorporationMembersReadModel.projector,
    ]

    public static func projector(named name: String) -> Projector? { self.projectors.first { $0.name == name } }

    /// Read models computed from other read models (see ``DerivedModel``).
    public static let derived: [DerivedModel] = [SkillSetChecks.model]

    public static func derived(named name: String) -> DerivedModel? { self.derived.first { $0.name == name } }

    /// Every projector's and derived model's name, as `rebuild --projection` takes them.
    public static var names: [String] { self.projectors.map(\.name) + self.derived.map(\.name) }

    /// The views over all read models (`projections/views.sql`).
    static var viewsSQL: String { EmbeddedFiles.text(named: "views.sql")! }

    /// What the `readmodel` schema's comment records once the views of this build are created: an
    /// upgrade whose views changed (and no read model's tables) recreates them at start.
    static var viewsStamp: String { "views.sql sha256 " + SHA256.hash(data: Data(viewsSQL.utf8)).hexEncoded }
}

/// A projector's DDL file: its text, the version its header declares, and its hash.
struct ProjectorDDL: Sendable {
    let sql: String
    let version: Int
    let hash: String

    init(_ projector: Projector) throws { try self.init(name: projector.name) }

    /// Read once per process: every command checks every read model's version and hash.
    private static let parsed = Mutex<[String: ProjectorDDL]>([:])

    init(name: String) throws {
        if let known = Self.parsed.withLock({ $0[name] }) {
            self = known
            return
        }
        try self.init(parsing: name)
        Self.parsed.withLock { [self] in $0[name] = self }
    }

    private init(parsing name: String) throws {
        let file = "\(name).sql"
        guard let sql = EmbeddedFiles.text(named: file) else {
            throw ProjectionError(.badSchema, "projections/\(file) is missing from the build")
        }
        let header = sql.split(separator: "\n").first { $0.hasPrefix("-- version:") }
        guard let header, let version = Int(header.dropFirst("-- version:".count).trimmingCharacters(in: .whitespaces))
        else {
            throw ProjectionError(.badSchema, "projections/\(file) has no '-- version: N' line")
        }
        self.sql = sql
        self.version = version
        self.hash = SHA256.hash(data: Data(sql.utf8)).hexEncoded
    }
}

/// A projection problem in words: a DDL file that disagrees with its projector, a verification
/// that found differences, a projector that is not installed.
/// A read model or projector problem: its code and a message.
public typealias ProjectionError = ModuleError<ProjectionErrorCodes>

/// The codes of ``ProjectionError``.
public enum ProjectionErrorCodes {}

extension ErrorCode where Owner == ProjectionErrorCodes {
    /// A read model's DDL that is missing, does not run or does not match its projector: a bug.
    public static let badSchema = Self("bad_schema", .failure)
    public static let unknownProjector = Self("unknown_projector", .invalidInput)
    /// No character has the id or name given.
    public static let unknownCharacter = Self("unknown_character", .notFound)
    /// Several characters match the name given.
    public static let ambiguousCharacter = Self("ambiguous_character", .invalidInput)
    /// A registered character's read models cannot be purged.
    public static let stillRegistered = Self("still_registered", .conflict)
}
