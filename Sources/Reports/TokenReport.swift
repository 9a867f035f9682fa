import Foundation
import Postgres
import Vocabulary

extension Reports {
    /// Characters with a token problem: invalid (revoked, expired refresh), missing scopes the
    /// configured sections need, disabled, or sections stale (no success for twice their interval,
    /// or never) or failing. With `all`, every registered character.
    ///
    /// - Parameter sections: the sections the sync is configured for, each with the minutes after
    ///   a successful sync before it is due again (stale after twice that).
    public static func tokens(
        sections: [Section: Int],
        now: Date = Date(),
        all: Bool = false,
        on connection: PostgresConnection
    ) throws -> ReportTable {
        var table = ReportTable(
            name: "tokens",
            columns: [
                "character_id", "character", "user", "token_state", "token_error", "enabled", "missing_scopes",
                "stale_sections", "failing_sections",
            ]
        )
        let policy = sections.sorted { $0.key < $1.key }
        let rows = try connection.transaction { connection in
            // Two aggregations over every route's status: in memory, not in sorted runs on disk.
            try connection.executeScript("SET LOCAL work_mem = '64MB'")
            return try connection.query(
                """
                WITH policy AS (SELECT * FROM unnest($1::text[], $2::int8[]) AS p (section, stale_minutes)),
                status AS (
                    SELECT s.character_id, array_agg(s.section) AS seen,
                           array_agg(s.section) FILTER (
                               WHERE s.last_success_at IS NULL
                                  OR s.last_success_at < $3::timestamptz - make_interval(mins => 2 * p.stale_minutes::int)
                           ) AS stale,
                           string_agg(s.section, ', ' ORDER BY s.section) FILTER (WHERE s.failing) AS failing
                    FROM readmodel.sync_sections s JOIN policy p ON p.section = s.section
                    GROUP BY s.character_id
                )
                SELECT c.id, c.name, u.name, c.token_state, c.token_error, c.enabled,
                       array_to_string(ARRAY(SELECT unnest($4::text[]) EXCEPT SELECT unnest(c.scopes) ORDER BY 1), ' '),
                       -- stale: too old, or never synced at all
                       array_to_string(ARRAY(
                           SELECT unnest(st.stale) UNION (SELECT section FROM policy EXCEPT SELECT unnest(st.seen))
                           ORDER BY 1), ', '),
                       st.failing
                FROM sync.characters c JOIN sync.users u ON u.id = c.user_id LEFT JOIN status st ON st.character_id = c.id
                ORDER BY c.name, c.id
                """,
                [
                    policy.map(\.key.rawValue), policy.map { Int64($0.value) }, now,
                    Array(Set(policy.compactMap(\.key.scope))).sorted(),
                ]
            )
        }
        for row in rows {
            let state = try row.get(3, as: String.self)
            let enabled = try row.get(5, as: Bool.self)
            let missing = try row.get(6, as: String.self)
            let stale = try row.get(7, as: String.self)
            let failing = try row.get(8, as: String?.self) ?? ""
            guard all || state != "valid" || !enabled || !missing.isEmpty || !stale.isEmpty || !failing.isEmpty
            else { continue }
            table.rows.append([
                .int(try row.get(0)), .text(try row.get(1)), .text(try row.get(2)), .text(state),
                (try row.get(4, as: String?.self)).map(ReportValue.text) ?? .null, .bool(enabled), .text(missing),
                .text(stale), .text(failing),
            ])
        }
        return table
    }
}
