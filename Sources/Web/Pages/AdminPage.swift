import Access
import Application
import ESI
import Foundation
import Hummingbird
import Logging
import Postgres
import Projections
import SkillSets
import Sync
import Vocabulary

/// Superusers' pages: users, groups and permissions; skill sets and their imports.
extension WebApp {
    /// The change an admin form asks for; nil: no such action.
    static func accessChange(_ action: String, form: [String: String]) throws -> AccessChange? {
        let group = form["group"] ?? ""
        switch action {
        case "group": return .createGroup(group, description: form["description"] ?? "")
        case "delete-group": return .deleteGroup(group)
        case "grant": return .grant([try Permission.parse(form["permission"] ?? "")], to: group)
        case "revoke": return .revoke([try Permission.parse(form["permission"] ?? "")], from: group)
        case "member": return .addMembers([form["user"] ?? ""], to: group)
        case "remove-member": return .removeMembers([form["user"] ?? ""], from: group)
        case "superuser": return .setSuperuser(form["user"] ?? "", form["value"] == "1")
        case "compliance": return .designateCompliance(group, form["value"] == "1")
        default: return nil
        }
    }

    /// Users, groups and permissions, with a form for each change.
    func adminPage(caller: Caller) async throws -> Response {
        let (users, groups) = try await self.pool.withConnection {
            (try AccessAdmin.users(on: $0), try AccessAdmin.groups(on: $0))
        }
        let csrf = caller.csrf
        let userRows = users.map { user -> HTML in
            let toggle = Layout.postButton(
                user.isSuperuser ? "Revoke superuser" : "Make superuser",
                action: "/admin/superuser",
                csrf: csrf,
                extra:
                    "<input type=\"hidden\" name=\"user\" value=\"\(user.name)\"><input type=\"hidden\" name=\"value\" value=\"\(raw: user.isSuperuser ? "0" : "1")\">"
            )
            return """
                <tr><td>\(user.name)</td><td>\(user.main ?? "")</td><td>\(user.registeredCharacters) of \(user.knownCharacters)</td>\
                <td>\(user.groups.joined(separator: ", "))</td><td>\(user.isSuperuser ? "all" : user.permissions.map(\.rawValue).joined(separator: ", "))</td><td>\(toggle)</td></tr>
                """
        }
        let options = Permission.allCases.map { "<option>\($0.rawValue)</option>" as HTML }
        let groupBlocks = groups.map { group -> HTML in
            let hidden: HTML = "<input type=\"hidden\" name=\"group\" value=\"\(group.name)\">"
            let permissions = group.permissions.map { permission -> HTML in
                "\(permission.rawValue) "
                    + Layout.postButton(
                        "×",
                        action: "/admin/revoke",
                        csrf: csrf,
                        extra: hidden + "<input type=\"hidden\" name=\"permission\" value=\"\(permission.rawValue)\">"
                    )
            }
            let members = group.members.map { member -> HTML in
                group.isCompliance
                    ? "\(member) "
                    : "\(member) "
                        + Layout.postButton(
                            "×",
                            action: "/admin/remove-member",
                            csrf: csrf,
                            extra: hidden + "<input type=\"hidden\" name=\"user\" value=\"\(member)\">"
                        )
            }
            let membership: HTML =
                group.isCompliance
                ? "<p class=\"muted\">A compliance group: its members are the users with a main and every character registered.</p>"
                : "<form method=\"post\" action=\"/admin/member\">\(Layout.csrfField(csrf))\(hidden)<input name=\"user\" placeholder=\"user name\" size=\"14\"> <button type=\"submit\">Add</button></form>"
            let designation = Layout.postButton(
                group.isCompliance ? "Make an ordinary group" : "Make a compliance group",
                action: "/admin/compliance",
                csrf: csrf,
                extra: hidden
                    + "<input type=\"hidden\" name=\"value\" value=\"\(raw: group.isCompliance ? "0" : "1")\">"
            )
            return """
                <div class="card"><h2>\(group.name)</h2><p class="muted">\(group.description)</p>
                <p>Permissions: \(permissions)</p>
                <form method="post" action="/admin/grant">\(Layout.csrfField(csrf))\(hidden)<select name="permission">\(options)</select> <button type="submit">Grant</button></form>
                <p>Members: \(members)</p>
                \(membership)
                \(designation) \(Layout.postButton("Delete group", action: "/admin/delete-group", csrf: csrf, confirm: true, extra: hidden))</div>
                """
        }
        return self.page(
            "Admin",
            caller,
            """
            <h2>Users</h2><div class="scroll"><table><tr><th>User</th><th>Main</th><th>Characters</th><th>Groups</th><th>Permissions</th><th></th></tr>\(userRows)</table></div>
            <h2>Groups</h2>
            <form method="post" action="/admin/group">\(Layout.csrfField(csrf))<input name="group" placeholder="new group" size="16"> \
            <input name="description" placeholder="what it is for" size="30"> <button type="submit">Create group</button></form>
            <div class="cards">\(groupBlocks)</div>
            """
        )
    }

    /// Every set and group as the JSON `memberaudit skillsets import` reads.
    func skillSetExport() async throws -> Response {
        let document = try await self.pool.withConnection {
            SkillSetDocument(
                groups: try SkillSetStore.groups(on: $0),
                sets: try SkillSetStore.sets(on: $0),
                catalog: try SkillCatalog.load(.skillsAndTypes, on: $0)
            )
        }
        return .download(try document.encoded(), contentType: "application/json", filename: "skill-sets.json")
    }

    /// Imports an EFT fitting (`import-eft`) or a skill plan (`import-plan`) as a set, and says
    /// what was saved and what was not understood.
    func importSkillSet(_ action: String, form: [String: String], caller: Caller) async throws -> HTML {
        let name = form["name"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let group = form["group"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let imported: ImportedSkillSet
        do {
            switch action {
            case "import-eft":
                // Parsed first: text that is no fitting is refused before any lookup.
                let fitting = try Fitting.parse(form["fitting"] ?? "")
                imported = try fitting.skillSet(name: name, catalog: try await self.catalog(knowing: fitting))
            case "import-plan":
                guard let name else { throw SkillSetError(.noName, "a skill plan needs a name for its set") }
                let catalog = try await self.pool.withConnection { try SkillCatalog.load(.skills, on: $0) }
                imported = try SkillPlanParser.parse(form["plan"] ?? "", name: name, catalog: catalog)
            default: throw HTTPError.noSuchPage
            }
        } catch let error as SkillSetError {
            throw HTTPError.badRequest("The import did not work: \(error.description)")
        }
        let user = caller.viewer.name
        let checked = try await self.pool.transaction { connection in
            try SkillSetEditing.save(
                imported.skillSet,
                inGroups: group.map { [$0] } ?? [],
                creatingGroups: true,
                by: "web:" + user,
                on: connection
            )
        }
        let issues = imported.issues.map { "<li>line \($0.line): \($0.text) — \($0.problem)</li>" as HTML }
        return """
            <p class="ok">Saved \(imported.skillSet.name) with \(imported.skillSet.skills.count) skills; \(checked) characters checked against it.</p>
            \(issues.isEmpty ? "" : "<p class=\"bad\">Not understood:</p><ul>\(issues)</ul>" as HTML)
            """
    }

    /// The skill catalog with the names of `fitting` that the static data lacks (a later
    /// patch's) asked of ESI first, when the app may ask it.
    private func catalog(knowing fitting: Fitting) async throws -> SkillCatalog {
        let catalog = try await self.pool.withConnection { try SkillCatalog.load(.skillsAndTypes, on: $0) }
        let unknown = fitting.unknownNames(catalog: catalog)
        guard !unknown.isEmpty, let lookup = self.configuration.universeLookup else { return catalog }
        do {
            let found = try await UniverseLookup(pool: self.pool, settings: lookup).resolveTypes(named: unknown)
            guard !found.isEmpty else { return catalog }
            _ = try await ProjectionRunner(pool: self.pool).catchUp()
            return try await self.pool.withConnection { try SkillCatalog.load(.skillsAndTypes, on: $0) }
        } catch {
            self.logger.warning("asking ESI about a fitting's names: \(error)")
            return catalog
        }
    }

    /// The skill-set administration: imports, the export, every group and set.
    func skillSetsPage(caller: Caller, notice: HTML = "") async throws -> Response {
        let (groups, sets, catalog) = try await self.pool.withConnection {
            (try SkillSetStore.groups(on: $0), try SkillSetStore.sets(on: $0), try SkillCatalog.load(on: $0))
        }
        let groupRows = groups.map { group -> HTML in
            "<tr><td>\(group.name)</td><td>\(group.isDoctrine ? "doctrine" : "")\(group.isActive ? "" : " inactive")</td><td>\(group.skillSets.joined(separator: ", "))</td></tr>"
        }
        let setBlocks = sets.map { set -> HTML in
            let skills = set.skills.map { skill -> HTML in
                let levels = [
                    skill.required.map { "required \(SkillLevel.roman($0))" },
                    skill.recommended.map { "recommended \(SkillLevel.roman($0))" },
                ]
                .compactMap { $0 }.joined(separator: ", ")
                return "<li>\(catalog.name(of: skill.skillID)): \(levels)</li>"
            }
            let ship: HTML =
                set.shipTypeID.map {
                    "<p>\(self.images.type(Int64($0), size: 32, alt: catalog.name(of: $0))) \(catalog.name(of: $0))</p>"
                } ?? ""
            let hidden: HTML = set.isVisible ? "" : " " + Format.badge("hidden", "stale")
            let actions: HTML = """
                <a href="/skillsets/edit?set=\(percentEncoded(set.name))">Edit</a> \
                \(Layout.postButton("Clone", action: "/skillsets/clone", csrf: caller.csrf, extra: "<input type=\"hidden\" name=\"set\" value=\"\(set.name)\">")) \
                \(Layout.postButton("Delete", action: "/skillsets/delete", csrf: caller.csrf, confirm: true, extra: "<input type=\"hidden\" name=\"set\" value=\"\(set.name)\">"))
                """
            return
                "<div class=\"card\"><h2>\(set.name)\(hidden)</h2>\(ship)<p class=\"muted\">\(set.description)</p><ul>\(skills)</ul><div>\(actions)</div></div>"
        }
        return self.page(
            "Skill sets",
            caller,
            """
            \(notice)
            <p><a href="/skillsets/new"><button type="button" class="primary">New skill set</button></a></p>
            <div class="cards">
            <form class="card" method="post" action="/skillsets/import-eft">\(Layout.csrfField(caller.csrf))
            <h2>Import an EFT fitting</h2><p class="muted">The ship, modules, charges and drones with every prerequisite.</p>
            <textarea name="fitting" rows="8" cols="34" placeholder="[Rifter, Fleet Rifter]"></textarea><br>
            <input name="name" placeholder="name (default: the fitting's)" size="26"><br>
            <input name="group" placeholder="group (optional)" size="26"><br><button type="submit">Import</button></form>
            <form class="card" method="post" action="/skillsets/import-plan">\(Layout.csrfField(caller.csrf))
            <h2>Import a skill plan</h2><p class="muted">One "Skill Name IV" per line, as EVE copies a plan.</p>
            <textarea name="plan" rows="8" cols="34" placeholder="Navigation IV"></textarea><br>
            <input name="name" placeholder="name of the set" size="26" required><br>
            <input name="group" placeholder="group (optional)" size="26"><br><button type="submit">Import</button></form>
            </div>
            <p><a href="/skillsets/export">Export every set and group</a> (JSON, for memberaudit skillsets import). \
            As JSON: <a href="/api/skillsets">/api/skillsets</a>.</p>
            <h2>Groups</h2><table><tr><th>Group</th><th></th><th>Sets</th></tr>\(groupRows)</table>
            <h2>Sets</h2><div class="cards">\(setBlocks)</div>
            """
        )
    }
}
