import EventLog
import Foundation
import Postgres
import Projections

/// When a section was last fetched before a moment, and what that says about the data shown.
public struct SectionCoverage: Sendable {
    public var section: String
    public var time: Date
    /// The newest fetch (or 304) at or before `time`; nil: no data yet.
    public var lastFetchedAt: Date?
    /// When the data shown arrived (the change point).
    public var lastChangedAt: Date?
    /// Older than the section's sync period allows (``Coverage/staleFactor`` periods).
    public var stale: Bool
    /// Failing at `time`: the first failure after the last fetch, and its error.
    public var failingSince: Date?
    public var lastError: String?
    /// With no fetch before `time` in the database: the archived partition (and its folder) that
    /// holds fetches from before it.
    public var archived: (partition: String, location: String)?

    var part: DisplayPart {
        DisplayPart(
            name: "coverage",
            columns: ["as_of", "last_fetched_at", "data_from", "stale", "failing_since", "last_error", "note"],
            rows: [
                [
                    .time(self.time), self.lastFetchedAt.map(DisplayValue.time) ?? .null,
                    self.lastChangedAt.map(DisplayValue.time) ?? .null, .bool(self.stale),
                    self.failingSince.map(DisplayValue.time) ?? .null, self.lastError.map(DisplayValue.text) ?? .null,
                    .text(self.note),
                ]
            ],
            single: true
        )
    }

    public var note: String {
        guard let fetched = self.lastFetchedAt else {
            if let (partition, location) = self.archived {
                return "archived: the fetches before this moment are in \(partition) in \(location); "
                    + "memberaudit log restore \(location) brings that period back"
            }
            return "no data yet: the first fetch came after this moment"
        }
        let age = Int(self.time.timeIntervalSince(fetched) / 60)
        let failing = self.failingSince == nil ? "" : "; failing at the time"
        return self.stale
            ? "stale: last fetched \(age) minutes before\(failing)" : "current: fetched \(age) minutes before\(failing)"
    }
}

/// `audit at`: a character's sections as they were at a moment.
public enum AuditAsOf {
    /// Sections of `character` at `time` (all it has, or `sections`), rendered like `show`.
    public static func state(
        of character: Int64,
        name: String,
        at time: Date,
        sections: [String]?,
        on connection: PostgresConnection
    ) throws -> CharacterState {
        let wanted = try sections ?? self.sections(of: character, on: connection)
        var states = [SectionState]()
        var tablesBySection = [(String, [PastTable], SectionCoverage, [String])]()
        var ids = [NameKind: Set<Int64>]()
        for section in wanted {
            let (tables, problems, dataFrom) = try Reconstruction.state(
                character: character,
                section: section,
                at: time,
                on: connection
            )
            let coverage = try self.coverage(
                character: character,
                section: section,
                at: time,
                dataFrom: dataFrom,
                on: connection
            )
            for table in tables { collectIDs(table, into: &ids) }
            tablesBySection.append((section, tables, coverage, problems))
        }
        let lookup = try Names.load(ids, on: connection)
        for (section, tables, coverage, problems) in tablesBySection {
            var parts = [coverage.part]
            parts += tables.map { displayPart($0, names: lookup) }
            if !problems.isEmpty {
                parts.append(DisplayPart(name: "problems", columns: ["problem"], rows: problems.map { [.text($0)] }))
            }
            states.append(SectionState(name: section, parts: parts))
        }
        return CharacterState(id: character, name: name, sections: states)
    }

    /// The sections the log has for a character, owners only.
    static func sections(of character: Int64, on connection: PostgresConnection) throws -> [String] {
        try connection.query(
            "SELECT DISTINCT section FROM audit.heads WHERE character_id = $1 ORDER BY section",
            [character]
        ).map { try $0.get(0, as: String.self) }.filter {
            Reconstruction.isOwnSection($0) && PointInTime.sections[$0] != nil
        }
    }

    /// The coverage of one section at `time`: the newest fetch then (one probe of the log's
    /// (stream, section, fetched_at) index), and failures after it.
    public static func coverage(
        character: Int64,
        section: String,
        at time: Date,
        dataFrom: Date?,
        on connection: PostgresConnection
    ) throws -> SectionCoverage {
        var coverage = SectionCoverage(
            section: section,
            time: time,
            lastFetchedAt: nil,
            lastChangedAt: dataFrom,
            stale: true,
            failingSince: nil,
            lastError: nil
        )
        coverage.lastFetchedAt = try EventStore.lastAnswered(
            .character(character),
            section: section,
            atOrBefore: time,
            on: connection
        )
        if coverage.lastFetchedAt == nil {
            coverage.archived = try connection.query(
                """
                SELECT partition_name, location FROM eventlog.archived WHERE first_fetched_at <= $1
                ORDER BY last_position DESC LIMIT 1
                """,
                [time]
            ).first.map { (try $0.get(0), try $0.get(1)) }
        }
        let failure = try connection.query(
            """
            SELECT started_at, error, http_status FROM audit.gaps
            WHERE character_id = $1 AND section = $2 AND kind = 'failed' AND started_at <= $3
              AND ($4::timestamptz IS NULL OR started_at > $4::timestamptz)
            ORDER BY started_at LIMIT 1
            """,
            [character, section, time, coverage.lastFetchedAt]
        ).first
        if let failure {
            coverage.failingSince = try failure.get(0)
            let status = try failure.get(2, as: Int?.self).map { "HTTP \($0): " } ?? ""
            coverage.lastError = status + ((try failure.get(1, as: String?.self)) ?? "failed")
        }
        if let fetched = coverage.lastFetchedAt {
            let period = Coverage.period(of: section) ?? 86_400
            coverage.stale = time.timeIntervalSince(fetched) > Coverage.staleFactor * period
        }
        return coverage
    }
}

/// Ids of the named columns of a table.
func collectIDs(_ table: PastTable, into ids: inout [NameKind: Set<Int64>]) {
    for (index, column) in table.columns.enumerated() {
        guard let kind = NameKind.of(column: column) else { continue }
        for row in table.rows {
            switch row[index] {
            case .int(let id): ids[kind, default: []].insert(id)
            case .ints(let list): ids[kind, default: []].formUnion(list)
            default: continue
            }
        }
    }
}

/// A past table as `show` prints one: without the character column, each named id followed by
/// its name.
func displayPart(_ table: PastTable, names: Names) -> DisplayPart {
    var columns = [String]()
    var makers = [([Cell]) -> DisplayValue]()
    for (index, column) in table.columns.enumerated() where column != "character_id" {
        columns.append(column)
        makers.append { displayValue($0[index]) }
        if let kind = NameKind.of(column: column) {
            columns.append(column.hasSuffix("_id") ? String(column.dropLast(3)) + "_name" : column + "_name")
            makers.append { row in
                if case .int(let id) = row[index] { return .text(names.name(kind, id)) }
                return .null
            }
        }
    }
    let single = table.key.isEmpty
    return DisplayPart(
        name: table.name,
        columns: columns,
        rows: table.rows.map { row in makers.map { $0(row) } },
        single: single
    )
}

func displayValue(_ cell: Cell) -> DisplayValue {
    switch cell {
    case .null: .null
    case .int(let value): .int(value)
    case .double(let value): .double(value)
    case .text(let value): .text(value)
    case .bool(let value): .bool(value)
    case .time(let value): .time(value)
    case .date: .text(cell.described(as: ""))
    case .ints(let values): .json("[" + values.map(String.init).joined(separator: ",") + "]")
    case .texts(let values):
        .json(
            String(decoding: (try? JSONSerialization.data(withJSONObject: values)) ?? Data("[]".utf8), as: UTF8.self)
        )
    case .doubles, .bools: .text(cell.described(as: ""))
    }
}
