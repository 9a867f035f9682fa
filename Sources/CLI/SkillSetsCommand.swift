import Application
import ArgumentParser
import Foundation
import Postgres
import Projections
import Reports
import Settings
import SkillSets
import StaticData
import Sync

struct SkillSetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skillsets",
        abstract: "Define skill sets (what a doctrine ship or an activity needs) and their groups.",
        discussion: """
            A skill set lists skills with a required and/or a recommended level (1-5, arabic or \
            roman). Every character is checked against every set with its active skill levels; \
            the checks are recomputed in the same transaction as every change here, and whenever \
            a character's skills or attributes arrive. Skills are named as in game, e.g. \
            --skill "Small Projectile Turret:3:5" (required 3, recommended 5), --skill \
            "Gunnery:IV" (required only), --skill "Sharpshooter::4" (recommended only).
            """,
        subcommands: [
            ListSkillSets.self, ShowSkillSet.self, CreateSkillSet.self, EditSkillSet.self, DeleteSkillSet.self,
            CloneSkillSet.self, ImportFitting.self, ImportSkillPlan.self, ExportSkillSets.self,
            ImportSkillSets.self, SkillSetGroupCommand.self,
        ]
    )
}

/// Runs `body` in one transaction of the migrated database (read models prepared first, so the
/// checks the change causes are computed at once).
func withSkillSets<T: Sendable>(
    _ global: GlobalOptions,
    _ body: @escaping @Sendable (PostgresConnection) throws -> T
) async throws -> T {
    try await withReadModels(global) { database in
        try try await database.pool.transaction { try body($0) }
    }
}

/// The skill catalog of the database's static data (skills; with `.skillsAndTypes` every item type).
func skillCatalog(_ global: GlobalOptions, _ scope: SkillCatalog.Scope = .skills) async throws -> SkillCatalog {
    try await withSkillSets(global) { try SkillCatalog.load(scope, on: $0) }
}

/// Who made a change, for `modified_by`.
let changedBy = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")

/// Saves a set and re-evaluates every character against it.
func saveAndCheck(_ set: SkillSet, groups: [String], on connection: PostgresConnection) throws -> Int {
    try SkillSetEditing.save(set, inGroups: groups, by: changedBy, on: connection)
}

/// `Name:required[:recommended]`; either level may be empty, levels arabic or roman.
func parseSkillOption(_ text: String, catalog: SkillCatalog) throws -> SkillLevels {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
    }
    guard parts.count == 2 || parts.count == 3, let skill = catalog.skill(named: parts[0]) else {
        throw ValidationError(
            parts.count >= 2
                ? "unknown skill \"\(parts[0])\""
                : "--skill \"\(text)\": expected \"Skill Name:REQUIRED[:RECOMMENDED]\""
        )
    }
    func level(_ index: Int) throws -> Int? {
        guard index < parts.count, !parts[index].isEmpty else { return nil }
        guard let level = SkillLevel.parse(parts[index]) else {
            throw ValidationError("--skill \"\(text)\": \"\(parts[index])\" is not a level (1-5 or I-V)")
        }
        return level
    }
    let levels = SkillLevels(skillID: skill.id, required: try level(1), recommended: try level(2))
    guard levels.required != nil || levels.recommended != nil else {
        throw ValidationError("--skill \"\(text)\": give a required or a recommended level")
    }
    return levels
}

func shipTypeID(_ name: String?, catalog: SkillCatalog) throws -> Int? {
    guard let name else { return nil }
    guard let id = catalog.typeID(named: name) else {
        throw ValidationError("unknown ship type \"\(name)\"")
    }
    return id
}

func readInput(_ path: String) throws -> String {
    if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    return String(decoding: data, as: UTF8.self)
}

struct ListSkillSets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List skill sets and groups.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let (sets, groups, catalog) = try await withSkillSets(self.global) {
            (
                try SkillSetStore.sets(on: $0), try SkillSetStore.groups(on: $0),
                try SkillCatalog.load(.skillsAndTypes, on: $0)
            )
        }
        if self.format == .json {
            try printJSON(SkillSetDocument(groups: groups, sets: sets, catalog: catalog))
            return
        }
        guard !sets.isEmpty || !groups.isEmpty else {
            print("no skill sets (create one with: memberaudit skillsets create, import-eft or import-plan)")
            return
        }
        var table = ReportTable(name: "", columns: ["skill set", "ship", "skills", "visible", "groups"])
        for set in sets {
            table.add([
                set.name, set.shipTypeID.map { catalog.name(of: $0) } ?? "", String(set.skills.count),
                set.isVisible ? "yes" : "no",
                groups.filter { $0.skillSets.contains(set.name) }.map(\.name).joined(separator: ", "),
            ])
        }
        print(table.text())
        if !groups.isEmpty {
            var groupTable = ReportTable(name: "", columns: ["group", "doctrine", "active", "sets"])
            for group in groups {
                groupTable.add([
                    group.name, group.isDoctrine ? "yes" : "no", group.isActive ? "yes" : "no",
                    String(group.skillSets.count),
                ])
            }
            print("\n" + groupTable.text())
        }
    }
}

struct ShowSkillSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a skill set's skills.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The skill set's name.") var name: String
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let name = self.name
        let (found, catalog) = try await withSkillSets(self.global) {
            (try SkillSetStore.set(named: name, on: $0), try SkillCatalog.load(.skillsAndTypes, on: $0))
        }
        guard let set = found else {
            throw ValidationError("no skill set named \(name) (see: memberaudit skillsets list)")
        }
        if self.format == .json {
            try printJSON(SkillSetDocument(groups: [], sets: [set], catalog: catalog).skillSets[0])
            return
        }
        print(
            set.name + (set.shipTypeID.map { " (\(catalog.name(of: $0)))" } ?? "") + (set.isVisible ? "" : " [hidden]")
        )
        if !set.description.isEmpty { print(set.description) }
        var table = ReportTable(name: "", columns: ["skill", "group", "required", "recommended"])
        for skill in set.skills.sorted(by: { catalog.name(of: $0.skillID) < catalog.name(of: $1.skillID) }) {
            table.add([
                catalog.name(of: skill.skillID), catalog.skill(skill.skillID)?.groupName ?? "",
                skill.required.map(SkillLevel.roman) ?? "", skill.recommended.map(SkillLevel.roman) ?? "",
            ])
        }
        print(table.text())
    }
}

struct CreateSkillSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a skill set.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The skill set's name (unique).") var name: String
    @Option(help: "What it is for.") var description = ""
    @Option(help: "The ship it is for (display only).") var ship: String?
    @Flag(help: "Hide it from the character sheet (it is still checked and reported).") var hidden = false
    @Option(help: "A skill: \"Name:REQUIRED[:RECOMMENDED]\" (repeatable).") var skill: [String] = []
    @Option(help: "Add it to this group, created if new (repeatable).") var group: [String] = []

    func run() async throws {
        let catalog = try await skillCatalog(self.global, self.ship == nil ? .skills : .skillsAndTypes)
        let set = SkillSet(
            name: self.name,
            description: self.description,
            shipTypeID: try shipTypeID(self.ship, catalog: catalog),
            isVisible: !self.hidden,
            skills: try self.skill.map { try parseSkillOption($0, catalog: catalog) }
        )
        try set.validate()
        let (name, groups) = (self.name, self.group)
        let checks = try await withSkillSets(self.global) { connection in
            guard try SkillSetStore.set(named: name, on: connection) == nil else {
                throw ValidationError("a skill set named \(name) exists already (use: memberaudit skillsets edit)")
            }
            return try saveAndCheck(set, groups: groups, on: connection)
        }
        print(
            "created skill set \(name) with \(set.skills.count) skills; \(checks) characters checked against every set"
        )
    }
}

struct EditSkillSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change a skill set: name, description, ship, visibility, skills, groups."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The skill set's name.") var name: String
    @Option(help: "A new name.") var rename: String?
    @Option(help: "A new description.") var description: String?
    @Option(help: "The ship it is for (display only; \"\" for none).") var ship: String?
    @Flag(inversion: .prefixedNo, help: "Show it on the character sheet.") var visible: Bool?
    @Option(help: "Add or change a skill: \"Name:REQUIRED[:RECOMMENDED]\" (repeatable).") var skill: [String] = []
    @Option(help: "Remove a skill by name (repeatable).") var removeSkill: [String] = []
    @Option(help: "Add it to a group, created if new (repeatable).") var addGroup: [String] = []
    @Option(help: "Remove it from a group (repeatable).") var removeGroup: [String] = []

    func run() async throws {
        let catalog = try await skillCatalog(self.global, self.ship == nil ? .skills : .skillsAndTypes)
        let changes = try self.skill.map { try parseSkillOption($0, catalog: catalog) }
        let removals = try self.removeSkill.map { name in
            guard let skill = catalog.skill(named: name) else {
                throw ValidationError("unknown skill \"\(name)\"")
            }
            return skill.id
        }
        let ship = try self.ship.flatMap { $0.isEmpty ? nil : $0 }.flatMap { try shipTypeID($0, catalog: catalog) }
        let command = self
        let checks = try await withSkillSets(self.global) { connection in
            guard var set = try SkillSetStore.set(named: command.name, on: connection) else {
                throw ValidationError("no skill set named \(command.name) (see: memberaudit skillsets list)")
            }
            if let newName = command.rename {
                guard try SkillSetStore.rename(command.name, to: newName, on: connection) else {
                    throw ValidationError("no skill set named \(command.name)")
                }
                set.name = newName
            }
            if let description = command.description { set.description = description }
            if command.ship != nil { set.shipTypeID = ship }
            if let visible = command.visible { set.isVisible = visible }
            set.skills.removeAll { removals.contains($0.skillID) }
            for change in changes {
                if let index = set.skills.firstIndex(where: { $0.skillID == change.skillID }) {
                    set.skills[index] = change
                } else {
                    set.skills.append(change)
                }
            }
            for group in command.removeGroup {
                guard var found = try SkillSetStore.group(named: group, on: connection) else {
                    throw ValidationError("no group named \(group)")
                }
                found.skillSets.removeAll { $0 == set.name }
                try SkillSetStore.save(found, by: changedBy, on: connection)
            }
            return try saveAndCheck(set, groups: command.addGroup, on: connection)
        }
        print("updated skill set \(self.rename ?? self.name); \(checks) characters checked against every set")
    }
}

struct DeleteSkillSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a skill set.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The skill set's name.") var name: String

    func run() async throws {
        let name = self.name
        try await withSkillSets(self.global) { connection in
            guard try SkillSetEditing.delete(name, on: connection) else {
                throw ValidationError("no skill set named \(name) (see: memberaudit skillsets list)")
            }
        }
        print("deleted skill set \(name)")
    }
}

struct CloneSkillSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Copy a skill set, with its skills and groups (default name: \"<name> 2\")."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The skill set's name.") var name: String
    @Option(name: .customLong("as"), help: "The copy's name.") var newName: String?

    func run() async throws {
        let (name, newName) = (self.name, self.newName)
        let copy = try await withSkillSets(self.global) { connection in
            try SkillSetEditing.clone(name, as: newName, by: changedBy, on: connection)
        }
        print("cloned \(name) as \(copy.name)")
    }
}

/// Prints what an import could not use; with `strict`, any issue is an error.
func report(_ issues: [ImportIssue], strict: Bool) throws {
    for issue in issues { printError("warning: \(issue)") }
    if strict, !issues.isEmpty {
        throw ValidationError("\(issues.count) line(s) could not be used; nothing was saved (--strict)")
    }
}

struct ImportFitting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-eft",
        abstract: "Create or replace a skill set from a fitting in EFT format.",
        discussion: """
            The ship and every fitted module, charge, drone and cargo item contribute the skills \
            they need, with the whole prerequisite chain, at the highest level each is needed \
            (as required levels). Items the static data does not know are reported, line by line. \
            FILE may be - for standard input.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The fitting file.") var file: String
    @Option(help: "The skill set's name (default: the fitting's name).") var name: String?
    @Option(help: "Add it to this group, created if new.") var group: String?
    @Flag(help: "Refuse the import when an item is unknown.") var strict = false

    func run() async throws {
        let fitting = try Fitting.parse(try readInput(self.file))
        var catalog = try await skillCatalog(self.global, .skillsAndTypes)
        let unknown = fitting.unknownNames(catalog: catalog)
        if !unknown.isEmpty, try await self.askESI(about: unknown) {
            catalog = try await skillCatalog(self.global, .skillsAndTypes)
        }
        let imported = try fitting.skillSet(name: self.name, catalog: catalog)
        try report(imported.issues, strict: self.strict)
        let group = self.group
        let checks = try await withSkillSets(self.global) {
            try saveAndCheck(imported.skillSet, groups: group.map { [$0] } ?? [], on: $0)
        }
        print(
            "saved skill set \(imported.skillSet.name): \(imported.skillSet.skills.count) skills"
                + " (prerequisites included); \(checks) characters checked against every set"
        )
    }

    /// Asks ESI for names the static data does not know (a type of a later patch); true when it
    /// knew any, which are then in the read models. Without ESI they stay unknown, with a warning.
    private func askESI(about names: [String]) async throws -> Bool {
        printError("asking ESI about \(names.count) name(s) the static data does not know")
        let settings = try self.global.settings()
        do {
            let sync = try SyncSettings.load(from: settings)
            return try await withMigratedDatabase(settings) { database in
                try await prepareReadModels(database.pool)
                let found = try await UniverseLookup(pool: database.pool, settings: sync).resolveTypes(named: names)
                guard !found.isEmpty else { return false }
                _ = try await ProjectionRunner(pool: database.pool).catchUp()
                return true
            }
        } catch let error as PostgresError {
            throw error
        } catch {
            printError("warning: ESI could not be asked (\(error)); the names stay unknown")
            return false
        }
    }
}

struct ImportSkillPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-plan",
        abstract: "Create or replace a skill set from a skill plan (\"Skill Name LEVEL\" per line).",
        discussion: """
            Levels are arabic (1-5) or roman (I-V); empty lines are skipped and a skill listed twice \
            counts at its highest level. Lines that name no known skill or no level are reported \
            with their line numbers. FILE may be - for standard input.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The skill plan file.") var file: String
    @Option(help: "The skill set's name.") var name: String
    @Option(help: "Add it to this group, created if new.") var group: String?
    @Flag(help: "Refuse the import when a line cannot be used.") var strict = false

    func run() async throws {
        let text = try readInput(self.file)
        var imported = try SkillPlanParser.parse(text, name: self.name, catalog: try await skillCatalog(self.global))
        imported.skillSet.description = "Imported from skill plan \((self.file as NSString).lastPathComponent)"
        try report(imported.issues, strict: self.strict)
        let (set, group) = (imported.skillSet, self.group)
        let checks = try await withSkillSets(self.global) {
            try saveAndCheck(set, groups: group.map { [$0] } ?? [], on: $0)
        }
        print("saved skill set \(set.name): \(set.skills.count) skills; \(checks) characters checked against every set")
    }
}

struct ExportSkillSets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every group and skill set as JSON (to share doctrines between installations)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Write to this file instead of standard output.") var output: String?

    func run() async throws {
        let document = try await withSkillSets(self.global) {
            SkillSetDocument(
                groups: try SkillSetStore.groups(on: $0),
                sets: try SkillSetStore.sets(on: $0),
                catalog: try SkillCatalog.load(.skillsAndTypes, on: $0)
            )
        }
        let data = try document.encoded()
        if let output = self.output {
            try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            printError(
                "exported \(document.skillSets.count) skill sets and \(document.groups.count) groups to \(output)"
            )
        } else {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

struct ImportSkillSets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import groups and skill sets from an export (created or replaced by name).",
        discussion: "Everything is checked before anything is written; one transaction. FILE may be -."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The export file.") var file: String
    @Flag(help: "Also delete the sets and groups the file does not have.") var replaceAll = false

    func run() async throws {
        let document = try SkillSetDocument.decode(Data(try readInput(self.file).utf8))
        _ = try document.resolvedSets(catalog: try await skillCatalog(self.global))
        let replaceAll = self.replaceAll
        let (sets, groups) = try await withSkillSets(self.global) { connection in
            try SkillSetEditing.importDocument(document, replaceAll: replaceAll, by: changedBy, on: connection)
        }
        print("imported \(sets) skill sets and \(groups) groups")
    }
}

struct SkillSetGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Create, change or delete a group of skill sets.",
        discussion: "A doctrine group is shown as \"Doctrine: NAME\"; an inactive one is kept but marked."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The group's name.") var name: String
    @Option(help: "What it is for.") var description: String?
    @Flag(inversion: .prefixedNo, help: "Whether it is a doctrine.") var doctrine: Bool?
    @Flag(inversion: .prefixedNo, help: "Whether it is active.") var active: Bool?
    @Option(help: "Add a skill set (repeatable).") var add: [String] = []
    @Option(help: "Remove a skill set (repeatable).") var remove: [String] = []
    @Flag(help: "Delete the group (its sets stay).") var delete = false

    func run() async throws {
        let command = self
        let message = try await withSkillSets(self.global) { connection -> String in
            if command.delete {
                guard try SkillSetStore.delete(group: command.name, on: connection) else {
                    throw ValidationError("no group named \(command.name)")
                }
                return "deleted group \(command.name)"
            }
            let existing = try SkillSetStore.group(named: command.name, on: connection)
            var group = existing ?? SkillSetGroup(name: command.name)
            if let description = command.description { group.description = description }
            if let doctrine = command.doctrine { group.isDoctrine = doctrine }
            if let active = command.active { group.isActive = active }
            group.skillSets.removeAll { command.remove.contains($0) }
            group.skillSets += command.add.filter { !group.skillSets.contains($0) }
            try SkillSetStore.save(group, by: changedBy, on: connection)
            return
                "\(existing == nil ? "created" : "updated") group \(command.name) with \(group.skillSets.count) skill sets"
        }
        print(message)
    }
}
