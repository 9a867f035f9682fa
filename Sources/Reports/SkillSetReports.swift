import Foundation
import Postgres
import Vocabulary

extension Reports {
    /// One character's checks as stored (see projections/skill_set_checks.sql): per set, its
    /// status letter and training data.
    struct CharacterChecks {
        var id: Int64
        var name: String
        var user: String?
        var isMain: Bool
        /// Set id → position in the packed columns (shared by every row computed together).
        var index: [Int64: Int]
        var statuses: [UInt8]
        var requiredSeconds: [Double?]
        /// The packed masks, read only for the rows shown.
        var failedRequired: String

        func canFly(_ slot: Int) -> Bool { self.statuses[slot] | 0x20 != UInt8(ascii: "n") }
        func needsOmega(_ slot: Int) -> Bool { self.statuses[slot] & 0x20 == 0 }
        func seconds(_ slot: Int) -> Double? { slot < self.requiredSeconds.count ? self.requiredSeconds[slot] : nil }

        /// Skills failing their required level in set `slot`: the set bits of its mask.
        func failedRequiredCount(_ slot: Int) -> Int {
            var field = 0
            var count = 0
            for byte in self.failedRequired.utf8 {
                if byte == UInt8(ascii: ",") {
                    field += 1
                    if field > slot { break }
                } else if field == slot {
                    count += hexValue(byte).nonzeroBitCount
                }
            }
            return count
        }
    }

    /// Every character's checks, by name; `training` also reads the training times and masks.
    static func loadChecks(training: Bool, on connection: PostgresConnection) throws -> [CharacterChecks] {
        let rows = try connection.query(
            """
            SELECT k.character_id, coalesce(c.name, d.name, k.character_id::text), u.name,
                   coalesce(u.main_character_id = k.character_id, false), k.skill_set_ids, k.statuses,
                   \(unescaped: training ? "k.required_seconds, k.failed_required" : "'', ''")
            FROM readmodel.skill_set_checks k
            LEFT JOIN sync.characters c ON c.id = k.character_id
            LEFT JOIN sync.users u ON u.id = c.user_id
            LEFT JOIN readmodel.character_details d ON d.character_id = k.character_id
            """
        )
        var layout: (ids: String, index: [Int64: Int]) = ("", [:])
        var result = [CharacterChecks]()
        result.reserveCapacity(rows.count)
        for row in rows {
            let ids = try row.get(4, as: String.self)
            if ids != layout.ids {
                let values = ids.split(separator: ",").compactMap { Int64($0) }
                layout = (ids, Dictionary(uniqueKeysWithValues: values.enumerated().map { ($0.element, $0.offset) }))
            }
            result.append(
                CharacterChecks(
                    id: try row.get(0),
                    name: try row.get(1),
                    user: try row.get(2),
                    isMain: try row.get(3),
                    index: layout.index,
                    statuses: Array(try row.get(5, as: String.self).utf8),
                    requiredSeconds: parseSeconds(try row.get(6, as: String.self)),
                    failedRequired: try row.get(7, as: String.self)
                )
            )
        }
        return result.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// Per group (and "[Ungrouped]", last) and character: the sets the character can fly (every
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
        let ungrouped = "[Ungrouped]"
        var groups = [String: (isDoctrine: Bool, sets: [(id: Int64, name: String)])]()
        for row in try connection.query(
            """
            SELECT coalesce(g.name, $1), coalesce(g.is_doctrine, false), s.id, s.name
            FROM skillsets.sets s
            LEFT JOIN skillsets.group_sets gs ON gs.set_id = s.id
            LEFT JOIN skillsets.groups g ON g.id = gs.group_id
            ORDER BY s.name
            """,
            [ungrouped]
        ) {
            let name = try row.get(0, as: String.self)
            guard group == nil || group == name else { continue }
            let isDoctrine = try row.get(1, as: Bool.self)
            groups[name, default: (isDoctrine, [])].sets.append((try row.get(2), try row.get(3)))
        }
        let order = groups.keys.sorted { ($0 == ungrouped ? 1 : 0, $0) < ($1 == ungrouped ? 1 : 0, $1) }
        let characters = try self.loadChecks(training: false, on: connection)
        for name in order {
            let (isDoctrine, sets) = groups[name]!
            for character in characters {
                let evaluated = sets.filter { character.index[$0.id] != nil }
                guard !evaluated.isEmpty else { continue }
                let flyable = evaluated.filter { character.canFly(character.index[$0.id]!) }
                if flyableOnly && flyable.isEmpty { continue }
                table.rows.append([
                    .text(name), .bool(isDoctrine), .int(character.id), .text(character.name),
                    character.user.map(ReportValue.text) ?? .null, .bool(character.isMain),
                    .text(flyable.map(\.name).joined(separator: ", ")), .int(Int64(flyable.count)),
                    .int(Int64(evaluated.count)),
                ])
            }
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
        let sets = try connection.query(
            "SELECT id, name FROM skillsets.sets WHERE $1::text IS NULL OR name = $1 ORDER BY name",
            [set]
        ).map { (id: try $0.get(0, as: Int64.self), name: try $0.get(1, as: String.self)) }
        let characters = try self.loadChecks(training: true, on: connection)
        for (id, name) in sets {
            var flyers = 0
            var candidates = [(seconds: Double, character: Int, slot: Int)]()
            for (position, character) in characters.enumerated() {
                guard let slot = character.index[id] else { continue }
                if character.canFly(slot) {
                    flyers += 1
                } else if let seconds = character.seconds(slot) {
                    candidates.append((seconds, position, slot))
                }
            }
            let nearest = candidates.sorted {
                ($0.seconds, characters[$0.character].id) < ($1.seconds, characters[$1.character].id)
            }.prefix(top)
            guard !nearest.isEmpty else {
                table.rows.append([.text(name), .int(Int64(flyers))] + Array(repeating: .null, count: 8))
                continue
            }
            for (rank, candidate) in nearest.enumerated() {
                let character = characters[candidate.character]
                table.rows.append([
                    .text(name), .int(Int64(flyers)), .int(Int64(rank + 1)), .int(character.id), .text(character.name),
                    character.user.map(ReportValue.text) ?? .null,
                    .int(Int64(character.failedRequiredCount(candidate.slot))), .double(candidate.seconds),
                    .text(formatDuration(candidate.seconds)), .bool(character.needsOmega(candidate.slot)),
                ])
            }
        }
        return table
    }
}

func hexValue(_ digit: UInt8) -> UInt8 {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    default: 0
    }
}

/// Comma-separated whole seconds, an empty field unknown: parsed byte by byte (a million of them
/// for a report over ten thousand characters).
func parseSeconds(_ text: String) -> [Double?] {
    var values = [Double?]()
    var current: Int64 = 0
    var digits = 0
    for byte in text.utf8 {
        if byte == UInt8(ascii: ",") {
            values.append(digits > 0 ? Double(current) : nil)
            current = 0
            digits = 0
        } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            current = current * 10 + Int64(byte - UInt8(ascii: "0"))
            digits += 1
        }
    }
    if !text.isEmpty { values.append(digits > 0 ? Double(current) : nil) }
    return values
}
