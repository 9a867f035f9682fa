import EventLog
import Foundation
import Postgres
import Projections

/// A character's section as the log knew it at a moment: the fetches that make it, replayed
/// through the projectors.
struct Reconstruction {
    /// Dependent sections shown with the section they belong to (item names with assets, items
    /// and bids with contracts).
    static let companions: [String: [String]] = [
        "assets": ["asset_names"], "contracts": ["contract_items", "contract_bids"],
    ]

    /// Sections a character view lists on their own (dependent ones come with their owners).
    static func isOwnSection(_ section: String) -> Bool {
        ![
            "asset_names", "contract_items", "contract_bids", "mail_body", "corporation_members",
            "corporation_affiliation",
        ].contains(section)
    }

    struct ChangeRow {
        var position: Int64
        var section: String
        var scope: String
        var fetchedAt: Date
        var hash: PayloadHash
    }

    /// The change rows whose payloads make `section` (with its companions) at `time`: the newest
    /// of each scope. For accumulating sections the rows that had left ESI's window by then come
    /// from ``departed(character:section:at:on:)``.
    static func changes(
        character: Int64,
        section: String,
        at time: Date,
        on connection: PostgresConnection
    ) throws -> [ChangeRow] {
        var rows = [ChangeRow]()
        for name in [section] + (self.companions[section] ?? []) where PointInTime.sections[name] != nil {
            // One probe of the (character, section, time) index where the section has one scope.
            let newest =
                self.scoped.contains(name)
                ? "DISTINCT ON (scope) position, section, scope, fetched_at, payload_hash FROM audit.changes WHERE character_id = $1 AND section = $2 AND fetched_at <= $3 ORDER BY scope, fetched_at DESC, position DESC"
                : "position, section, scope, fetched_at, payload_hash FROM audit.changes WHERE character_id = $1 AND section = $2 AND fetched_at <= $3 ORDER BY fetched_at DESC, position DESC LIMIT 1"
            rows += try self.query("SELECT " + newest, [character, name, time], on: connection)
        }
        return rows.sorted { $0.position < $1.position }
    }

    /// Sections with a scope per id (a contract's items, a mail's body): the others have one.
    static let scoped: Set<String> = ["contract_items", "contract_bids", "mail_body", "corporation_members"]

    /// Rows of the accumulating sections among `section` and its companions that had left ESI's
    /// window by `time`, as last seen, by table.
    static func departed(
        character: Int64,
        section: String,
        at time: Date,
        on connection: PostgresConnection
    ) throws -> (rows: [String: [[Cell]]], unreadable: Int) {
        let names = ([section] + (self.companions[section] ?? [])).filter {
            PointInTime.sections[$0] == .accumulating
        }
        guard !names.isEmpty else { return ([:], 0) }
        var result = [String: [[Cell]]]()
        var unreadable = 0
        for row in try connection.query(
            """
            SELECT DISTINCT ON (table_name, row_key) table_name, cells FROM audit.departed
            WHERE character_id = $1 AND section = ANY($2) AND departed_at <= $3
            ORDER BY table_name, row_key, departed_at DESC, position DESC
            """,
            [character, names, time]
        ) {
            guard let cells = CellCoding.decode(try row.get(1, as: ByteA.self).bytes) else {
                unreadable += 1
                continue
            }
            result[try row.get(0, as: String.self), default: []].append(cells)
        }
        return (result, unreadable)
    }

    /// `section` at `time`: its tables, the problems met, and when its newest data arrived.
    static func state(
        character: Int64,
        section: String,
        at time: Date,
        on connection: PostgresConnection
    ) throws -> (tables: [PastTable], problems: [String], dataFrom: Date?) {
        let changes = try self.changes(character: character, section: section, at: time, on: connection)
        var (tables, problems) = try self.tables(character: character, changes: changes, on: connection)
        let (departed, unreadable) = try self.departed(character: character, section: section, at: time, on: connection)
        if unreadable > 0 {
            problems.append(
                "\(unreadable) rows that had left ESI's window are unreadable in the index: run `memberaudit audit reindex`"
            )
        }
        if !departed.isEmpty {
            tables = tables.map { table in
                guard let gone = departed[table.name] else { return table }
                let present = Set(table.rows.map { CellCoding.key($0, of: table) })
                let added = gone.filter {
                    $0.count == table.columns.count && !present.contains(CellCoding.key($0, of: table))
                }
                return PastTable(name: table.name, columns: table.columns, key: table.key, rows: table.rows + added)
                    .sortedByKey()
            }
        }
        return (tables, problems, changes.filter { $0.section == section }.map(\.fetchedAt).max())
    }

    private static func query(
        _ sql: String,
        _ parameters: [any PostgresEncodable],
        on connection: PostgresConnection
    ) throws -> [ChangeRow] {
        try connection.query(sql, parameters).map { row in
            ChangeRow(
                position: try row.get(0),
                section: try row.get(1),
                scope: try row.get(2),
                fetchedAt: try row.get(3),
                hash: PayloadHash(bytes: try row.get(4, as: ByteA.self).bytes)!
            )
        }
    }

    /// Replays `changes` (in log order) into tables. Payloads that cannot be read are problems.
    static func tables(
        character: Int64,
        changes: [ChangeRow],
        on connection: PostgresConnection
    ) throws -> (tables: [PastTable], problems: [String]) {
        guard !changes.isEmpty else { return ([], []) }
        let payloads = try EventStore.payloads(Set(changes.map(\.hash)), on: connection)
        var problems = [String]()
        var fetches = [PastFetch]()
        for change in changes {
            switch payloads[change.hash] {
            case .success(let bytes)?:
                fetches.append(
                    PastFetch(
                        position: change.position,
                        section: change.section,
                        parameters: self.parameters(character: character, scope: change.scope),
                        fetchedAt: change.fetchedAt,
                        payloadHash: change.hash,
                        payload: bytes
                    )
                )
            case .failure(let error)?:
                problems.append("event \(change.position): \(error.message)")
            case nil:
                problems.append(try self.missing(change.position, change.hash, on: connection))
            }
        }
        let result = PointInTime.tables(character: character, fetches: fetches)
        return (result.tables, problems + result.problems.map { "event \($0.position): \($0.reason)" })
    }

    /// Why the payload of the event at `position` cannot be read: archived with its partition
    /// (which archive to restore), or missing from the log.
    static func missing(_ position: Int64, _ hash: PayloadHash, on connection: PostgresConnection) throws -> String {
        if let (partition, location) = try LogArchive.archive(holding: position, on: connection) {
            return "event \(position) is archived with \(partition) in \(location): "
                + "memberaudit log restore \(location) brings that period back"
        }
        return "event \(position): payload \(hash) is missing"
    }

    static func parameters(character: Int64, scope: String) -> [String: String] {
        var parameters = ["character_id": String(character)]
        for part in scope.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parameters[String(pair[0])] = String(pair[1]) }
        }
        return parameters
    }
}
