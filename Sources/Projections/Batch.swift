import EventLog
import Foundation
import Postgres
import Vocabulary

/// Writes folded in memory, then flushed to one schema's tables: delete what they replace, COPY
/// the rows. Incremental projection and the rebuild share it, so both produce the same tables.
struct Batch {
    private var buffers: [String: TableBuffer] = [:]
    /// Rows of stateful tables as they were before the batch (incremental runs load them).
    private var preloaded: [String: [[Cell]: [Cell]]] = [:]
    private(set) var quarantined: [QuarantineEntry] = []
    /// Positions to watch: quarantined before; when one decodes now it is noted in `released`.
    var watched: Set<Int64> = []
    /// Watched positions that decoded, as (projector, position).
    private(set) var released: [(projector: String, position: Int64)] = []

    var isEmpty: Bool { self.buffers.isEmpty && self.quarantined.isEmpty }

    /// Every table the batch wrote, with its rows after folding.
    var tables: [(table: TableSpec, rows: [[Cell]])] { self.buffers.values.map { ($0.table, $0.allRows) } }

    /// Rows the flush writes: after folding, one per key (a journal entry fetched ten times is one).
    var rowCount: Int { self.buffers.values.reduce(0) { $0 + $1.count } }

    /// Applies one event to the batch: all of the projector's writes for it, or none (the event
    /// is then quarantined). Returns whether it applied.
    @discardableResult
    mutating func apply(_ projector: Projector, _ event: ProjectionEvent) -> Bool {
        do {
            let writes = try projector.project(event) { table, key in self.row(table, key: key) }
            for write in writes { try self.check(write) }
            for write in writes { self.fold(write) }
            if self.watched.contains(event.position) { self.released.append((projector.name, event.position)) }
            return true
        } catch {
            self.quarantine(projector, event, reason: "\(error)")
            return false
        }
    }

    mutating func quarantine(_ projector: Projector, _ event: ProjectionEvent, reason: String) {
        self.quarantined.append(
            QuarantineEntry(
                projector: projector.name,
                position: event.position,
                stream: event.stream.rawValue,
                section: event.section,
                reason: reason
            )
        )
    }

    mutating func preload(_ table: TableSpec, rows: [[Cell]]) {
        var byKey = [[Cell]: [Cell]]()
        for row in rows { byKey[table.keyIndexes.map { row[$0] }] = row }
        self.preloaded[table.name, default: [:]].merge(byKey) { $1 }
    }

    private func row(_ table: TableSpec, key: [Cell]) -> [Cell]? {
        if let buffer = self.buffers[table.name], let row = buffer.row(key: key) { return row }
        return self.preloaded[table.name]?[key]
    }

    /// A projector's row that does not fit its table is a bug; it is quarantined, not written.
    private func check(_ write: Write) throws {
        let (table, rows): (TableSpec, [[Cell]]) =
            switch write {
            case .replace(let table, _, let rows): (table, rows)
            case .upsert(let table, let rows): (table, rows)
            }
        for row in rows {
            guard row.count == table.columns.count else {
                throw DecodeError("\(table.name): a row of \(row.count) values for \(table.columns.count) columns")
            }
            for (cell, column) in zip(row, table.columns) where !cell.fits(column.type) {
                throw DecodeError("\(table.name).\(column.name): \(cell) is not a \(column.type.rawValue)")
            }
            for index in table.keyIndexes where row[index] == .null {
                throw DecodeError("\(table.name): key column \(table.columns[index].name) is null")
            }
        }
    }

    private mutating func fold(_ write: Write) {
        switch write {
        case .replace(let table, let scope, let rows):
            self.buffers[table.name, default: TableBuffer(table)].replace(scope: scope, rows: rows)
        case .upsert(let table, let rows):
            self.buffers[table.name, default: TableBuffer(table)].upsert(rows)
        }
    }

    /// Writes the batch into `schema`'s tables. `replaceExisting`: delete the rows the batch
    /// replaces first (false for a rebuild's empty shadow tables).
    func flush(to connection: PostgresConnection, schema: String, replaceExisting: Bool) throws {
        for name in self.buffers.keys.sorted() {
            let buffer = self.buffers[name]!
            let table = buffer.table
            if replaceExisting {
                switch table.mode {
                case .replace(let scope):
                    try deleteRows(
                        connection,
                        schema: schema,
                        table: table,
                        columns: scope,
                        keys: Array(buffer.scopes.keys)
                    )
                case .upsert:
                    try deleteRows(
                        connection,
                        schema: schema,
                        table: table,
                        columns: table.key,
                        keys: Array(buffer.rows.keys)
                    )
                }
            }
            var rows = buffer.allRows
            guard !rows.isEmpty else { continue }
            // Sorted by key, so that concurrent writers insert index entries in one order.
            rows.sort { sortsBefore($0, $1, at: table.keyIndexes) }
            try connection.copyIn(
                "COPY \(schema).\(table.name) (\(table.columnList)) FROM STDIN (FORMAT binary)"
            ) { writer in
                for row in rows { try writer.append(row) }
            }
        }
    }
}

/// One table's pending rows.
private struct TableBuffer {
    let table: TableSpec
    /// Replace mode: scope → rows of that scope by key.
    var scopes: [[Cell]: [[Cell]: [Cell]]] = [:]
    /// Upsert mode: rows by key.
    var rows: [[Cell]: [Cell]] = [:]

    init(_ table: TableSpec) { self.table = table }

    mutating func replace(scope: [Cell], rows: [[Cell]]) {
        var byKey = [[Cell]: [Cell]]()
        byKey.reserveCapacity(rows.count)
        for row in rows { byKey[self.table.keyIndexes.map { row[$0] }] = row }
        self.scopes[scope] = byKey
    }

    mutating func upsert(_ rows: [[Cell]]) {
        for row in rows { self.rows[self.table.keyIndexes.map { row[$0] }] = row }
    }

    /// A row by key; only stateful tables are read, and they are upsert tables.
    func row(key: [Cell]) -> [Cell]? { self.rows[key] }

    var count: Int {
        switch self.table.mode {
        case .replace: self.scopes.values.reduce(0) { $0 + $1.count }
        case .upsert: self.rows.count
        }
    }

    var allRows: [[Cell]] {
        switch self.table.mode {
        case .replace: self.scopes.values.flatMap(\.values)
        case .upsert: Array(self.rows.values)
        }
    }
}

/// Deletes the rows whose `columns` equal one of `keys` (sent as text arrays, cast per column).
private func deleteRows(
    _ connection: PostgresConnection,
    schema: String,
    table: TableSpec,
    columns: [String],
    keys: [[Cell]]
) throws {
    guard !keys.isEmpty else { return }
    // One text array per key column, unnested side by side and cast back to the column's type.
    var arrays = PostgresQuery(unescaped: "")
    var condition = [String]()
    for (index, column) in columns.enumerated() {
        guard let type = table.columns.first(where: { $0.name == column })?.type else {
            throw ProjectionError(.badSchema, "\(table.name) has no key column \(column)")
        }
        let values: [String] = keys.map { $0[index].keyText ?? "" }
        arrays = index == 0 ? "\(values)::text[]" : "\(arrays), \(values)::text[]"
        condition.append("t.\"\(column)\" = k.k\(index)::\(type.rawValue)")
    }
    let aliases = columns.indices.map { "k\($0)" }.joined(separator: ", ")
    try connection.execute(
        """
        DELETE FROM \(unescaped: schema).\(unescaped: table.name) AS t USING unnest(\(arrays)) AS k(\(unescaped: aliases)) \
        WHERE \(unescaped: condition.joined(separator: " AND "))
        """ as PostgresQuery
    )
}

/// An event a projector could not decode.
public struct QuarantineEntry: Sendable, Hashable, Codable {
    public var projector: String
    public var position: Int64
    public var stream: String
    public var section: String
    public var reason: String
}
