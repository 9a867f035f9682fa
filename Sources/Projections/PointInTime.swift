import EventLog
import Foundation
import Vocabulary

/// A fetched payload of the log, as the audit trail replays it.
public struct PastFetch: Sendable {
    public var position: Int64
    public var section: String
    public var parameters: [String: String]
    public var fetchedAt: Date
    public var payloadHash: PayloadHash
    public var payload: [UInt8]

    public init(
        position: Int64,
        section: String,
        parameters: [String: String],
        fetchedAt: Date,
        payloadHash: PayloadHash,
        payload: [UInt8]
    ) {
        self.position = position
        self.section = section
        self.parameters = parameters
        self.fetchedAt = fetchedAt
        self.payloadHash = payloadHash
        self.payload = payload
    }
}

/// Rows of one read-model table as the projectors made them from some fetches.
public struct PastTable: Sendable {
    public let name: String
    public let columns: [String]
    /// The table's key columns (within the character).
    public let key: [String]
    /// Sorted by key.
    public let rows: [[Cell]]

    /// Where each column is, and the key columns' places.
    private let columnIndexes: [String: Int]
    public let keyIndexes: [Int]

    public init(name: String, columns: [String], key: [String], rows: [[Cell]]) {
        self.name = name
        self.columns = columns
        self.key = key
        self.rows = rows
        let indexes = Dictionary(columns.enumerated().map { ($1, $0) }) { first, _ in first }
        self.columnIndexes = indexes
        self.keyIndexes = key.compactMap { indexes[$0] }
    }

    public func index(of column: String) -> Int? { self.columnIndexes[column] }

    /// The same rows in key order.
    public func sortedByKey() -> PastTable {
        PastTable(
            name: self.name,
            columns: self.columns,
            key: self.key,
            rows: self.rows.sorted { sortsBefore($0, $1, at: self.keyIndexes) }
        )
    }

    /// The rows by their key cells.
    public var byKey: [[Cell]: [Cell]] {
        Dictionary(self.rows.map { row in (self.keyIndexes.map { row[$0] }, row) }) { _, last in last }
    }
}

/// A character's sections at some moment, made by the same pure projector functions that build the
/// read models, from payloads of the log: the audit trail's as-of and diffs. Nothing is written.
public enum PointInTime {
    /// Every section a payload-reading projector consumes, with how it accumulates.
    public static let sections: [String: SectionKind] = {
        var result = [String: SectionKind]()
        for projector in Catalog.projectors where projector.readsPayloads {
            for (section, kind) in projector.sections { result[section.rawValue] = kind }
        }
        return result
    }()

    /// Applies `fetches` in order through every projector that consumes their sections. A fetch
    /// that does not decode is left out, with its position and reason in `problems`.
    public static func tables(
        character: Int64,
        fetches: [PastFetch]
    ) -> (tables: [PastTable], problems: [(position: Int64, reason: String)]) {
        var batch = Batch()
        var problems = [(position: Int64, reason: String)]()
        var written = Set<String>()
        let stream = EventLog.Stream.character(character)
        for fetch in fetches {
            let json: Any
            do {
                json = try parseJSON(fetch.payload)
            } catch {
                problems.append((fetch.position, "\(error)"))
                continue
            }
            let event = ProjectionEvent(
                envelope: EventStore.Envelope(
                    position: fetch.position,
                    stream: stream,
                    section: fetch.section,
                    parameters: fetch.parameters,
                    outcome: .fetched,
                    httpStatus: 200,
                    fetchedAt: fetch.fetchedAt,
                    payloadHash: fetch.payloadHash,
                    payloadSize: Int64(fetch.payload.count)
                ),
                json: json
            )
            for projector in Catalog.projectors
            where projector.readsPayloads
                && projector.consumes(
                    section: fetch.section,
                    outcome: .fetched
                )
            {
                if batch.apply(projector, event) {
                    written.formUnion(projector.tables.map(\.name))
                } else if let entry = batch.quarantined.last {
                    problems.append((fetch.position, entry.reason))
                }
            }
        }
        let tables = batch.tables.filter { written.contains($0.table.name) }.map { table, rows in
            let keyIndexes = table.keyIndexes.filter { table.columns[$0].name != "character_id" }
            return PastTable(
                name: table.name,
                columns: table.columns.map(\.name),
                key: keyIndexes.map { table.columns[$0].name },
                rows: rows.sorted { sortsBefore($0, $1, at: keyIndexes) }
            )
        }
        return (tables.sorted { $0.name < $1.name }, problems)
    }
}

/// Orders rows by their key cells: numbers, text, times and dates; others compare equal.
func sortsBefore(_ a: [Cell], _ b: [Cell], at indexes: [Int]) -> Bool {
    for index in indexes {
        switch (a[index], b[index]) {
        case (.int(let x), .int(let y)) where x != y: return x < y
        case (.text(let x), .text(let y)) where x != y: return x < y
        case (.date(let x), .date(let y)) where x != y: return x < y
        case (.time(let x), .time(let y)) where x != y: return x < y
        case (.null, .int), (.null, .text), (.null, .date), (.null, .time): return true
        default: continue
        }
    }
    return false
}
