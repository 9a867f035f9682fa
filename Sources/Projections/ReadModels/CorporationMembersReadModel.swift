import Vocabulary

/// Corporation member lists, as fetched with a director's token: a snapshot per (fetching
/// character, corporation). The membership report reads the newest list of each corporation.
enum CorporationMembersReadModel {
    typealias M = CharacterReadModels
    static let lists = TableSpec(
        "corporation_member_lists",
        [M.c, ("corporation_id", .bigint), ("member_count", .bigint), ("fetched_at", .timestamptz)],
        key: ["character_id", "corporation_id"],
        mode: .replace(scope: ["character_id", "corporation_id"])
    )
    static let members = TableSpec(
        "corporation_members",
        [M.c, ("corporation_id", .bigint), ("member_id", .bigint)],
        key: ["character_id", "corporation_id", "member_id"],
        mode: .replace(scope: ["character_id", "corporation_id"])
    )

    static let projector = Projector(
        name: "corporation_members",
        tables: [lists, members],
        sections: [.corporationMembers: .snapshot(parameter: "corporation_id")]
    ) { event, _ in
        let character = Cell.int(try event.requireCharacter())
        let corporation = Cell.int(try event.parameter("corporation_id"))
        guard let ids = event.json as? [Any] else { throw DecodeError("expected an array of character ids") }
        let memberIDs = try ids.map { value -> Int64 in
            guard let id = int64(value) else { throw DecodeError("a member id is not an integer: \(value)") }
            return id
        }
        let scope = [character, corporation]
        return [
            .replace(
                lists,
                scope: scope,
                rows: [[character, corporation, .int(Int64(memberIDs.count)), .time(event.fetchedAt)]]
            ),
            .replace(members, scope: scope, rows: memberIDs.map { [character, corporation, .int($0)] }),
        ]
    }
}
