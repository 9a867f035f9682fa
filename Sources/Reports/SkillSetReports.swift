import Foundation
import Postgres

extension Reports {
    /// Per group (and "[Ungrouped]") and character: the sets the character can fly (every
    /// required level met), how many of the group's sets that is, and the character's user.
    public static func skillSets(
        group: String? = nil,
        flyableOnly: Bool = false,
        on connection: PostgresConnection
    ) throws -> ReportTable {
        var table = ReportTable(
            name: "skillsets",
            columns: [
                "group", "is_doctrine", "character_id", "character", "user", "is_main", "can_fly", "can_fly_count",
                "sets",
            ]
        )
        let rows = try connection.query(
            """
            WITH membership AS (
                SELECT coalesce(g.name, '[Ungrouped]') AS group_name, coalesce(g.is_doctrine, false) AS is_doctrine,
                       s.id AS set_id, s.name AS set_name
                FROM skillsets.sets s
                LEFT JOIN skillsets.group_sets gs ON gs.set_id = s.id
                LEFT JOIN skillsets.groups g ON g.id = gs.group_id
                WHERE $1::text IS NULL OR g.name = $1
            ),
            per_character AS (
                SELECT m.group_name, m.is_doctrine, k.character_id,
                       string_agg(m.set_name, ', ' ORDER BY m.set_name) FILTER (WHERE k.can_fly) AS flyable,
                       count(*) FILTER (WHERE k.can_fly) AS flyable_count, count(*) AS sets
                FROM membership m JOIN readmodel.skill_set_checks k ON k.skill_set_id = m.set_id
                GROUP BY m.group_name, m.is_doctrine, k.character_id
            )
            SELECT p.group_name, p.is_doctrine, p.character_id, coalesce(c.name, d.name, p.character_id::text),
                   u.name, u.main_character_id = p.character_id, p.flyable, p.flyable_count, p.sets
            FROM per_character p
            LEFT JOIN sync.characters c ON c.id = p.character_id
            LEFT JOIN sync.users u ON u.id = c.user_id
            LEFT JOIN readmodel.character_details d ON d.character_id = p.character_id
            WHERE NOT $2 OR p.flyable_count > 0
            ORDER BY p.group_name, 4, p.character_id
            """,
            [group, flyableOnly]
        )
        table.rows.reserveCapacity(rows.count)
        for row in rows {
            table.rows.append([
                .text(try row.get(0)), .bool(try row.get(1)), .int(try row.get(2)), .text(try row.get(3)),
                (try row.get(4, as: String?.self)).map(ReportValue.text) ?? .null,
                .bool(try row.get(5, as: Bool?.self) ?? false), .text(try row.get(6, as: String?.self) ?? ""),
                .int(try row.get(7)), .int(try row.get(8)),
            ])
        }
        return table
    }

    /// Per skill set: how many characters can fly it, and the `top` characters closest to it
    /// among those who cannot (least training time to the required levels at their attributes).
    public static func closest(
        top: Int = 3,
        set: String? = nil,
        on connection: PostgresConnection
    ) throws
        -> ReportTable
    {
        var table = ReportTable(
            name: "closest",
            columns: [
                "skill_set", "can_fly_count", "rank", "character_id", "character", "user", "missing_required",
                "training_seconds", "training_time", "needs_omega",
            ]
        )
        let rows = try connection.query(
            """
            SELECT s.name,
                   (SELECT count(*) FROM readmodel.skill_set_checks f WHERE f.skill_set_id = s.id AND f.can_fly),
                   k.character_id, coalesce(c.name, d.name, k.character_id::text), u.name,
                   coalesce(array_length(k.failed_required, 1), 0), k.required_seconds, k.needs_omega
            FROM skillsets.sets s
            LEFT JOIN LATERAL (
                SELECT * FROM readmodel.skill_set_checks x
                WHERE x.skill_set_id = s.id AND NOT x.can_fly AND x.required_seconds IS NOT NULL
                ORDER BY x.required_seconds, x.character_id LIMIT $1
            ) k ON true
            LEFT JOIN sync.characters c ON c.id = k.character_id
            LEFT JOIN sync.users u ON u.id = c.user_id
            LEFT JOIN readmodel.character_details d ON d.character_id = k.character_id
            WHERE $2::text IS NULL OR s.name = $2
            ORDER BY s.name, k.required_seconds NULLS LAST, k.character_id
            """,
            [Int64(top), set]
        )
        var rank = 0
        var previous: String?
        for row in rows {
            let name = try row.get(0, as: String.self)
            rank = name == previous ? rank + 1 : 1
            previous = name
            let character = try row.get(2, as: Int64?.self)
            let seconds = try row.get(6, as: Double?.self)
            table.rows.append([
                .text(name), .int(try row.get(1)), character == nil ? .null : .int(Int64(rank)),
                character.map(ReportValue.int) ?? .null,
                character == nil ? .null : .text(try row.get(3)),
                (try row.get(4, as: String?.self)).map(ReportValue.text) ?? .null,
                character == nil ? .null : .int(try row.get(5)), seconds.map(ReportValue.double) ?? .null,
                seconds.map { .text(formatDuration($0)) } ?? .null,
                character == nil ? .null : .bool(try row.get(7)),
            ])
        }
        return table
    }
}

/// "3d 4h 12m" (training times are minutes-accurate at best).
public func formatDuration(_ seconds: Double) -> String {
    let minutes = Int((seconds / 60).rounded(.up))
    let days = minutes / 1440
    let hours = minutes % 1440 / 60
    let rest = minutes % 60
    if days > 0 { return "\(days)d \(hours)h \(rest)m" }
    if hours > 0 { return "\(hours)h \(rest)m" }
    return "\(rest)m"
}
