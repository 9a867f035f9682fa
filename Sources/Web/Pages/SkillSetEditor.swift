import Access
import Application
import ESI
import Foundation
import Hummingbird
import Postgres
import SkillSets
import StaticData
import Vocabulary

/// The skill-set editor: create, edit, clone and delete sets in the browser. A set's skills are
/// lines of "Skill Name required recommended" (the form a skill plan is pasted in), with a skill
/// picker (an HTML datalist, no script) to add one skill at a time; deleting asks first.
extension WebApp {
    /// The editor for the set named `name`, or for a new set.
    func skillSetEditor(
        name: String?,
        caller: Caller,
        notice: HTML = "",
        draft: [String: String]? = nil
    ) async throws
        -> Response
    {
        let (set, groups, catalog) = try await self.pool.withConnection { connection in
            (
                try name.flatMap { try SkillSetStore.set(named: $0, on: connection) },
                try SkillSetStore.groups(on: connection),
                try SkillCatalog.load(.skillsAndTypes, on: connection)
            )
        }
        if name != nil, set == nil, draft == nil { throw HTTPError.noSuchPage }
        let memberOf = set.map { set in groups.filter { $0.skillSets.contains(set.name) }.map(\.name) } ?? []
        // What the form shows: the draft sent back with its problems, else the stored set.
        let field: (String, String) -> String = { key, stored in draft?[key] ?? stored }
        let shipName = set?.shipTypeID.map { catalog.name(of: $0) } ?? ""
        let visible = draft.map { $0["visible"] == "on" } ?? (set?.isVisible ?? true)
        let skillNames = catalog.data.skills.values.filter(\.published).map(\.name).sorted()
        let levels: HTML = ["", "1", "2", "3", "4", "5"].map {
            "<option value=\"\($0)\">\($0.isEmpty ? "–" : $0)</option>"
        }
        .joined()
        let title = set.map { "Edit \($0.name)" } ?? "New skill set"
        let content: HTML = """
            \(notice)
            <p><a href="/skillsets">← All skill sets</a></p>
            <form class="panel editor" method="post" action="/skillsets/save">\(Layout.csrfField(caller.csrf))
            <input type="hidden" name="original" value="\(set?.name ?? "")">
            <label>Name <input name="name" value="\(field("name", set?.name ?? ""))" required size="40"></label>
            <label>Description <input name="description" value="\(field("description", set?.description ?? ""))" size="60"></label>
            <label>Ship <input name="ship" list="ships" value="\(field("ship", shipName))" size="30" placeholder="e.g. Rifter"></label>
            <label>Groups <input name="groups" value="\(field("groups", memberOf.joined(separator: ", ")))" size="50" \
            placeholder="comma-separated; new ones are created"></label>
            <label><input type="checkbox" name="visible"\(raw: visible ? " checked" : "")> Shown on character sheets</label>
            <label>Skills <span class="muted">one a line: name, required level, recommended level (- for none), \
            e.g. "Gunnery 3 5"</span>
            <textarea name="skills" rows="14" cols="60">\(field("skills", set.map { SkillSetLines.render($0.skills, catalog: catalog) } ?? ""))</textarea></label>
            <fieldset><legend>Add a skill</legend>
            <input name="add_skill" list="skills" size="34" placeholder="start typing a skill's name">
            required <select name="add_required">\(levels)</select>
            recommended <select name="add_recommended">\(levels)</select></fieldset>
            <button type="submit" class="primary">Save</button>
            </form>
            <datalist id="skills">\(skillNames.map { "<option value=\"\($0)\">" as HTML })</datalist>
            <datalist id="ships">\(self.shipNames(catalog).map { "<option value=\"\($0)\">" as HTML })</datalist>
            """
        return self.page(title, caller, content)
    }

    /// Ships by name, for the ship field's picker (category 6, published).
    private func shipNames(_ catalog: SkillCatalog) -> [String] {
        catalog.data.types.values.filter { $0.published && $0.categoryID == 6 }.map(\.name).sorted()
    }

    /// Saves what the editor sent; on a problem, the editor again with the problem and the draft.
    func saveSkillSet(form: [String: String], caller: Caller) async throws -> Response {
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let original = form["original"].flatMap { $0.isEmpty ? nil : $0 }
        let catalog = try await self.pool.withConnection { try SkillCatalog.load(.skillsAndTypes, on: $0) }
        var text = form["skills"] ?? ""
        let added = (form["add_skill"] ?? "").trimmingCharacters(in: .whitespaces)
        if !added.isEmpty {
            let required = form["add_required"].flatMap { $0.isEmpty ? nil : $0 } ?? "-"
            let recommended = form["add_recommended"].flatMap { $0.isEmpty ? nil : $0 } ?? ""
            text += "\n\(added) \(required) \(recommended)"
        }
        var draft = form
        draft["skills"] = text
        let (skills, issues) = SkillSetLines.parse(text, catalog: catalog)
        var problems = issues.map { "line \($0.line): \($0.text) — \($0.problem)" }
        let ship = (form["ship"] ?? "").trimmingCharacters(in: .whitespaces)
        let shipTypeID = ship.isEmpty ? nil : catalog.typeID(named: ship)
        if !ship.isEmpty, shipTypeID == nil { problems.append("unknown ship \"\(ship)\"") }
        if name.isEmpty { problems.append("a skill set needs a name") }
        if skills.isEmpty { problems.append("a skill set needs at least one skill") }
        let groups = (form["groups"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if problems.isEmpty {
            let set = SkillSet(
                name: name,
                description: form["description"] ?? "",
                shipTypeID: shipTypeID,
                isVisible: form["visible"] == "on",
                skills: skills
            )
            do {
                let checked = try await self.pool.transaction { connection in
                    try SkillSetEditing.edit(
                        original: original,
                        set: set,
                        groups: groups,
                        by: "web:" + caller.viewer.name,
                        on: connection
                    )
                }
                return try await self.skillSetsPage(
                    caller: caller,
                    notice:
                        "<p class=\"ok\">Saved \(name) with \(skills.count) skills; \(checked) characters checked against it.</p>"
                )
            } catch let error as SkillSetError {
                problems.append(error.description)
            }
        }
        let list = problems.map { "<li>\($0)</li>" as HTML }
        return try await self.skillSetEditor(
            name: original,
            caller: caller,
            notice: "<div class=\"bad\"><p>Not saved:</p><ul>\(list)</ul></div>",
            draft: draft
        )
    }

    /// Clones a set ("<name> 2") and opens the copy in the editor.
    func cloneSkillSet(form: [String: String], caller: Caller) async throws -> Response {
        guard let name = form["set"], !name.isEmpty else { throw HTTPError.badRequest("Which set to clone?") }
        let copy = try await self.pool.transaction { connection in
            do {
                return try SkillSetEditing.clone(name, as: nil, by: "web:" + caller.viewer.name, on: connection)
            } catch let error as SkillSetError {
                throw HTTPError.badRequest(error.description)
            }
        }
        return .redirect("/skillsets/edit?set=\(percentEncoded(copy.name))")
    }

    /// Deletes a set once the form says `confirm=yes`; before that, asks.
    func deleteSkillSet(form: [String: String], caller: Caller) async throws -> Response {
        guard let name = form["set"], !name.isEmpty else { throw HTTPError.badRequest("Which set to delete?") }
        guard form["confirm"] == "yes" else {
            return self.page(
                "Delete \(name)?",
                caller,
                """
                <p>Deleting the skill set <strong>\(name)</strong> removes it from every group, report and \
                character sheet. This cannot be undone.</p>
                <form method="post" action="/skillsets/delete">\(Layout.csrfField(caller.csrf))
                <input type="hidden" name="set" value="\(name)"><input type="hidden" name="confirm" value="yes">
                <button type="submit" class="danger">Delete \(name)</button> <a href="/skillsets">Keep it</a></form>
                """
            )
        }
        let deleted = try await self.pool.transaction { try SkillSetEditing.delete(name, on: $0) }
        guard deleted else { throw HTTPError.noSuchPage }
        return try await self.skillSetsPage(caller: caller, notice: "<p class=\"ok\">Deleted \(name).</p>")
    }
}
