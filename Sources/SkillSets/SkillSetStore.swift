import Foundation
import Postgres
import Vocabulary

/// Skill sets and groups in the database (schema `skillsets`). Every function runs on a connection
/// inside the caller's transaction, so a change and the re-evaluation it causes commit together.
public enum SkillSetStore {
    public static func sets(on connection: PostgresConnection) throws -> [SkillSet] {
        var skills = [Int64: [SkillLevels]]()
        for row in try connection.query(
            "SELECT set_id, skill_id, required_level, recommended_level FROM skillsets.skills ORDER BY set_id, skill_id"
        ) {
            skills[try row.get(0, as: Int64.self), default: []].append(
                SkillLevels(
                    skillID: try row.get(1),
                    required: try row.get(2, as: Int?.self),
                    recommended: try row.get(3, as: Int?.self)
                )
            )
        }
        return try connection.query(
            "SELECT id, name, description, ship_type_id, is_visible FROM skillsets.sets ORDER BY name"
        ).map { row in
            let id = try row.get(0, as: Int64.self)
            return SkillSet(
                id: id,
                name: try row.get(1),
                description: try row.get(2),
                shipTypeID: try row.get(3, as: Int?.self),
                isVisible: try row.get(4),
                skills: skills[id] ?? []
            )
        }
    }

    public static func groups(on connection: PostgresConnection) throws -> [SkillSetGroup] {
        try connection.query(
            """
            SELECT g.id, g.name, g.description, g.is_doctrine, g.is_active,
                coalesce((SELECT array_to_json(array_agg(s.name ORDER BY s.name))::text FROM skillsets.group_sets gs
                          JOIN skillsets.sets s ON s.id = gs.set_id WHERE gs.group_id = g.id), '[]')
            FROM skillsets.groups g ORDER BY g.name
            """
        ).map { row in
            SkillSetGroup(
                id: try row.get(0),
                name: try row.get(1),
                description: try row.get(2),
                isDoctrine: try row.get(3),
                isActive: try row.get(4),
                skillSets: (try? JSONDecoder().decode([String].self, from: Data(try row.get(5, as: String.self).utf8)))
                    ?? []
            )
        }
    }

    public static func set(named name: String, on connection: PostgresConnection) throws -> SkillSet? {
        try self.sets(on: connection).first { $0.name == name }
    }

    public static func group(named name: String, on connection: PostgresConnection) throws -> SkillSetGroup? {
        try self.groups(on: connection).first { $0.name == name }
    }

    /// Creates a set, or replaces the one with its name (description, ship, visibility and skills;
    /// its groups are kept). Returns its id.
    @discardableResult
    public static func save(_ set: SkillSet, by user: String?, on connection: PostgresConnection) throws -> Int64 {
        try set.validate()
        let id = try connection.query(
            """
            INSERT INTO skillsets.sets (name, description, ship_type_id, is_visible, modified_by)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (name) DO UPDATE SET description = excluded.description, ship_type_id = excluded.ship_type_id,
                is_visible = excluded.is_visible, modified_at = now(), modified_by = excluded.modified_by
            RETURNING id
            """,
            [set.name, set.description, set.shipTypeID.map(Int64.init), set.isVisible, user]
        )[0].get(0, as: Int64.self)
        try connection.execute("DELETE FROM skillsets.skills WHERE set_id = $1", [id])
        try connection.execute(
            """
            INSERT INTO skillsets.skills (set_id, skill_id, required_level, recommended_level)
            SELECT $1, * FROM unnest($2::int8[], $3::int2[], $4::int2[])
            """,
            [
                id, set.skills.map { Int64($0.skillID) }, set.skills.map { $0.required.map(Int16.init) },
                set.skills.map { $0.recommended.map(Int16.init) },
            ]
        )
        return id
    }

    /// Renames a set. False when there is no set of that name.
    public static func rename(_ name: String, to newName: String, on connection: PostgresConnection) throws -> Bool {
        guard !newName.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SkillSetError(.noName, "a skill set needs a name")
        }
        return try connection.execute(
            "UPDATE skillsets.sets SET name = $2, modified_at = now() WHERE name = $1",
            [name, newName]
        ) > 0
    }

    /// Deletes a set; returns its id, nil when there is none of that name.
    public static func delete(set name: String, on connection: PostgresConnection) throws -> Int64? {
        try connection.query("DELETE FROM skillsets.sets WHERE name = $1 RETURNING id", [name]).first?.get(0)
    }

    /// A copy of a set under a new name (by default "<name> 2", the next free number), in the
    /// same groups.
    public static func clone(
        _ name: String,
        as newName: String?,
        by user: String?,
        on connection: PostgresConnection
    )
        throws -> SkillSet
    {
        guard var set = try self.set(named: name, on: connection) else {
            throw SkillSetError(.unknownSet, "no skill set named \(name)")
        }
        let original = set.id!
        let taken = Set(try self.sets(on: connection).map(\.name))
        if let newName {
            guard !taken.contains(newName) else {
                throw SkillSetError(.setExists, "a skill set named \(newName) exists already")
            }
            set.name = newName
        } else {
            set.name = (2...).lazy.map { "\(name) \($0)" }.first { !taken.contains($0) }!
        }
        set.id = try self.save(set, by: user, on: connection)
        try connection.execute(
            "INSERT INTO skillsets.group_sets (group_id, set_id) SELECT group_id, $2 FROM skillsets.group_sets WHERE set_id = $1",
            [original, set.id!]
        )
        return set
    }

    /// Creates a group or updates the one with its name; its sets become exactly `group.skillSets`
    /// (every name must be a set). Returns its id.
    @discardableResult
    public static func save(_ group: SkillSetGroup, by user: String?, on connection: PostgresConnection) throws -> Int64
    {
        guard !group.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SkillSetError(.noName, "a skill set group needs a name")
        }
        let id = try connection.query(
            """
            INSERT INTO skillsets.groups (name, description, is_doctrine, is_active, modified_by) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (name) DO UPDATE SET description = excluded.description, is_doctrine = excluded.is_doctrine,
                is_active = excluded.is_active, modified_at = now(), modified_by = excluded.modified_by
            RETURNING id
            """,
            [group.name, group.description, group.isDoctrine, group.isActive, user]
        )[0].get(0, as: Int64.self)
        let known = try connection.query(
            "SELECT name FROM skillsets.sets WHERE name = ANY($1)",
            [group.skillSets]
        ).map { try $0.get(0, as: String.self) }
        if let unknown = group.skillSets.first(where: { !known.contains($0) }) {
            throw SkillSetError(.unknownSet, "group \(group.name): no skill set named \(unknown)")
        }
        try connection.execute("DELETE FROM skillsets.group_sets WHERE group_id = $1", [id])
        try connection.execute(
            "INSERT INTO skillsets.group_sets (group_id, set_id) SELECT $1, id FROM skillsets.sets WHERE name = ANY($2)",
            [id, group.skillSets]
        )
        return id
    }

    /// Adds a set to a group, creating the group when new.
    public static func add(
        set name: String,
        toGroup groupName: String,
        by user: String?,
        on connection: PostgresConnection
    )
        throws
    {
        var group = try self.group(named: groupName, on: connection) ?? SkillSetGroup(name: groupName)
        if !group.skillSets.contains(name) { group.skillSets.append(name) }
        try self.save(group, by: user, on: connection)
    }

    /// Deletes a group (its sets stay). False when there is none of that name.
    public static func delete(group name: String, on connection: PostgresConnection) throws -> Bool {
        try connection.execute("DELETE FROM skillsets.groups WHERE name = $1", [name]) > 0
    }
}
