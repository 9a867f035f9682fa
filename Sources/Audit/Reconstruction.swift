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
    /// per scope of a snapshot, every one of an accumulating section. `after`: only those later
    /// than this moment (accumulating sections), for diffs.
    static func changes(
        character: Int64,
        section: String,
        at time: Date,
        on connection: PostgresConnection
    ) throws -> [ChangeRow] {
        var rows = [ChangeRow]()
        for name in [section] + (self.companions[section] ?? []) {
            switch PointInTime.sections[name] {
            case .accumulating?:
                rows += try self.query(
                    """
                    SELECT position, section, scope, fetched_at, payload_hash FROM audit.changes
                    WHERE character_id = $1 AND section = $2 AND fetched_at <= $3 ORDER BY position
                    """,
                    [character, name, time],
                    on: connection
                )
            case .snapshot?:
                rows += try self.query(
                    """
                    SELECT DISTINCT ON (scope) position, section, scope, fetched_at, payload_hash FROM audit.changes
                    WHERE character_id = $1 AND section = $2 AND fetched_at <= $3
                    ORDER BY scope, fetched_at DESC, position DESC
                    """,
                    [character, name, time],
                    on: connection
                )
            case nil:
                continue
            }
        }
        return rows.sorted { $0.position < $1.position }
    }

    /// The newest change at or before `time` of each scope of `section` and its companions, and
    /// the accumulating sections' changes in (`time`, `until`]: what a diff replays.
    static func changes(
        character: Int64,
        section: String,
        after time: Date,
        through until: Date,
        on connection: PostgresConnection
    ) throws -> [ChangeRow] {
        var rows = [ChangeRow]()
        for name in [section] + (self.companions[section] ?? []) {
            guard let kind = PointInTime.sections[name] else { continue }
            let newestFirst =
                kind == .accumulating
                ? "ORDER BY fetched_at DESC, position DESC LIMIT 1"
                : "ORDER BY scope, fetched_at DESC, position DESC"
            rows += try self.query(
                """
                SELECT \(kind == .accumulating ? "" : "DISTINCT ON (scope)") position, section, scope, fetched_at, payload_hash
                FROM audit.changes WHERE character_id = $1 AND section = $2 AND fetched_at <= $3 \(newestFirst)
                """,
                [character, name, time],
                on: connection
            )
            if kind == .accumulating {
                rows += try self.query(
                    """
                    SELECT position, section, scope, fetched_at, payload_hash FROM audit.changes
                    WHERE character_id = $1 AND section = $2 AND fetched_at > $3 AND fetched_at <= $4 ORDER BY position
                    """,
                    [character, name, time, until],
                    on: connection
                )
            }
        }
        return rows.sorted { $0.position < $1.position }
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
                problems.append("event \(change.position): payload \(change.hash) is missing")
            }
        }
        let result = PointInTime.tables(character: character, fetches: fetches)
        return (result.tables, problems + result.problems.map { "event \($0.position): \($0.reason)" })
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
