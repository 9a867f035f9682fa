/// The SQL types read-model columns use (each has a binary COPY form that ``Cell`` writes).
public enum ColumnType: String, Sendable {
    case bigint
    case double = "double precision"
    case text
    case boolean
    case timestamptz = "timestamp with time zone"
    case date
    case bigintArray = "bigint[]"
    case textArray = "text[]"
    case doubleArray = "double precision[]"
    case booleanArray = "boolean[]"
}

/// A read-model table as its projector writes it. The DDL in `projections/` creates it; the
/// framework checks at install time that both agree, column by column.
public struct TableSpec: Sendable, Hashable {
    /// How an event's rows replace what the table holds.
    public enum Mode: Sendable, Hashable {
        /// A snapshot: an event replaces every row of its scope (e.g. all skills of a character).
        case replace(scope: [String])
        /// Accumulating: each row replaces the row with its key and nothing else, so rows no longer
        /// in ESI's answer are kept (journal entries, mails, ...).
        case upsert
    }

    public let name: String
    public let columns: [(name: String, type: ColumnType)]
    /// The primary key; rows with the same key within one event or batch keep the last one.
    public let key: [String]
    public let mode: Mode
    /// Whether the projector reads its own earlier rows (the framework then loads them for the
    /// characters of each batch). Such tables are upsert tables with `character_id` as their first
    /// key column.
    public let stateful: Bool

    let keyIndexes: [Int]
    let scopeIndexes: [Int]

    public init(
        _ name: String,
        _ columns: [(String, ColumnType)],
        key: [String],
        mode: Mode,
        stateful: Bool = false
    ) {
        self.name = name
        self.columns = columns.map { (name: $0.0, type: $0.1) }
        self.key = key
        self.mode = mode
        self.stateful = stateful
        precondition(
            !stateful || (mode == .upsert && key.first == "character_id"),
            "\(name): a stateful table upserts by character"
        )
        let names = columns.map(\.0)
        self.keyIndexes = key.map { names.firstIndex(of: $0)! }
        if case .replace(let scope) = mode {
            self.scopeIndexes = scope.map { names.firstIndex(of: $0)! }
        } else {
            self.scopeIndexes = []
        }
    }

    public static func == (lhs: TableSpec, rhs: TableSpec) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.name) }

    var columnList: String { self.columns.map { "\"\($0.name)\"" }.joined(separator: ", ") }
}
