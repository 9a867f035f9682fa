import Postgres
import Projections
import SkillSets
import Vocabulary

/// Changes to skill sets, from the command line and the admin page alike: each runs on the
/// caller's transaction and ends by checking every character against the sets as they now are,
/// so a report never shows a set's old verdicts beside its new skills.
public enum SkillSetEditing {
    /// Saves `set` (new or replacing the one of its name) and puts it in `groups`, creating those
    /// that do not exist when `creatingGroups`. Returns the characters checked.
    @discardableResult
    public static func save(
        _ set: SkillSet,
        inGroups groups: [String] = [],
        creatingGroups: Bool = false,
        by user: String,
        on connection: PostgresConnection
    ) throws -> Int {
        _ = try SkillSetStore.save(set, by: user, on: connection)
        for group in groups {
            if creatingGroups, try SkillSetStore.group(named: group, on: connection) == nil {
                _ = try SkillSetStore.save(SkillSetGroup(name: group), by: user, on: connection)
            }
            try SkillSetStore.add(set: set.name, toGroup: group, by: user, on: connection)
        }
        return try SkillSetChecks.refresh(on: connection)
    }

    /// Saves a set as an editor sends it: renamed from `original` when the name changed, in
    /// exactly `groups` (new ones created, left ones left), every character checked again.
    /// Returns the characters checked.
    @discardableResult
    public static func edit(
        original: String?,
        set: SkillSet,
        groups: [String],
        by user: String,
        on connection: PostgresConnection
    ) throws -> Int {
        if let original, original != set.name {
            guard try SkillSetStore.set(named: set.name, on: connection) == nil else {
                throw SkillSetError(.setExists, "a skill set named \(set.name) exists already")
            }
            guard try SkillSetStore.rename(original, to: set.name, on: connection) else {
                throw SkillSetError(.unknownSet, "no skill set named \(original)")
            }
        }
        for var group in try SkillSetStore.groups(on: connection)
        where group.skillSets.contains(set.name) && !groups.contains(group.name) {
            group.skillSets.removeAll { $0 == set.name }
            try SkillSetStore.save(group, by: user, on: connection)
        }
        return try self.save(set, inGroups: groups, creatingGroups: true, by: user, on: connection)
    }

    /// Deletes the set named `name` and its verdicts. False when there is none.
    public static func delete(_ name: String, on connection: PostgresConnection) throws -> Bool {
        guard try SkillSetStore.delete(set: name, on: connection) != nil else { return false }
        try SkillSetChecks.refresh(on: connection)
        return true
    }

    /// Copies a set with its skills and groups (default name "<name> 2").
    public static func clone(
        _ name: String,
        as newName: String?,
        by user: String,
        on connection: PostgresConnection
    ) throws -> SkillSet {
        let copy = try SkillSetStore.clone(name, as: newName, by: user, on: connection)
        try SkillSetChecks.refresh(on: connection)
        return copy
    }

    /// Imports a skill-set document (optionally deleting what it does not have). Returns the sets
    /// and groups imported.
    public static func importDocument(
        _ document: SkillSetDocument,
        replaceAll: Bool,
        by user: String,
        on connection: PostgresConnection
    ) throws -> (sets: Int, groups: Int) {
        let counts = try document.importInto(connection, replaceAll: replaceAll, by: user)
        try SkillSetChecks.refresh(on: connection)
        return counts
    }
}
