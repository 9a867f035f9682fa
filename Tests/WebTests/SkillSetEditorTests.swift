import Access
import Application
import Foundation
import Postgres
import SkillSets
import StaticData
import SyncTestSupport
import Testing

@testable import Web

/// Skill sets made, changed, cloned and deleted in the browser, by superusers only; deleting asks.
@Suite struct SkillSetEditorTests {
    @Test func aSuperuserCreatesEditsClonesAndDeletesASet() async throws {
        try await withWebHarness(characters: 1) { web in
            try await web.pool.withConnection { connection in
                try connection.execute(
                    "INSERT INTO sync.users (name, is_superuser) VALUES ('root', true), ('plain', false)"
                )
            }
            let (root, csrf) = try await web.session(for: "root")
            let (plain, plainCSRF) = try await web.session(for: "plain")
            func stored(_ name: String) async throws -> SkillSet? {
                try await web.pool.withConnection { try SkillSetStore.set(named: name, on: $0) }
            }
            func groups(of name: String) async throws -> [String] {
                try await web.pool.withConnection { connection in
                    try SkillSetStore.groups(on: connection).filter { $0.skillSets.contains(name) }.map(\.name)
                }
            }
            let catalog = SkillCatalog.shipped
            func id(_ skill: String) throws -> Int { try #require(catalog.skill(named: skill)).id }

            #expect(try await web.request("/skillsets/new", cookie: plain).status == 403)
            let editor = try await web.request("/skillsets/new", cookie: root)
            #expect(editor.status == 200 && editor.text.contains("<datalist id=\"skills\">"))
            #expect(editor.text.contains("<option value=\"Navigation\">"))
            let form = [
                "csrf": csrf, "original": "", "name": "Tackle", "description": "Fast tackle", "ship": "Rifter",
                "groups": "Doctrine A, Frigates", "visible": "on", "skills": "Navigation 3 5\r\nSpaceship Command 2",
                "add_skill": "Gunnery", "add_required": "2", "add_recommended": "",
            ]
            #expect(
                try await web.request(
                    "/skillsets/save",
                    method: "POST",
                    cookie: plain,
                    form: form.merging(["csrf": plainCSRF]) { $1 }
                )
                .status == 403
            )
            let saved = try await web.request("/skillsets/save", method: "POST", cookie: root, form: form)
            #expect(
                saved.status == 200 && saved.text.contains("Saved Tackle with 3 skills"),
                "\(saved.text.prefix(600))"
            )
            let tackle = try #require(try await stored("Tackle"))
            #expect(tackle.description == "Fast tackle" && tackle.isVisible)
            #expect(tackle.shipTypeID == catalog.typeID(named: "Rifter"))
            #expect(
                Set(tackle.skills) == [
                    SkillLevels(skillID: try id("Navigation"), required: 3, recommended: 5),
                    SkillLevels(skillID: try id("Spaceship Command"), required: 2),
                    SkillLevels(skillID: try id("Gunnery"), required: 2),
                ]
            )
            #expect(Set(try await groups(of: "Tackle")) == ["Doctrine A", "Frigates"])

            // The editor shows the stored set; a rename keeps it one set and its groups follow the form.
            let edit = try await web.request("/skillsets/edit?set=Tackle", cookie: root)
            #expect(
                edit.status == 200 && edit.text.contains("Navigation 3 5") && edit.text.contains("value=\"Rifter\"")
            )
            let renamed = try await web.request(
                "/skillsets/save",
                method: "POST",
                cookie: root,
                form: form.merging([
                    "original": "Tackle", "name": "Fast Tackle", "groups": "Frigates", "visible": "", "add_skill": "",
                ]) { $1 }
            )
            #expect(renamed.status == 200 && renamed.text.contains("Saved Fast Tackle"))
            #expect(try await stored("Tackle") == nil)
            let fast = try #require(try await stored("Fast Tackle"))
            #expect(!fast.isVisible && fast.skills.count == 2)
            #expect(try await groups(of: "Fast Tackle") == ["Frigates"])

            // What is not understood is said, and nothing is saved.
            let bad = try await web.request(
                "/skillsets/save",
                method: "POST",
                cookie: root,
                form: form.merging(["name": "Broken", "skills": "Nonsense Skill 3", "add_skill": "", "ship": "No Ship"])
                {
                    $1
                }
            )
            #expect(bad.status == 200 && bad.text.contains("Not saved") && bad.text.contains("unknown skill"))
            #expect(bad.text.contains("unknown ship") && bad.text.contains("Nonsense Skill 3"))
            #expect(try await stored("Broken") == nil)

            // Clone, then delete: the first POST asks, the confirmed one deletes.
            let clone = try await web.request(
                "/skillsets/clone",
                method: "POST",
                cookie: root,
                form: ["csrf": csrf, "set": "Fast Tackle"]
            )
            #expect(clone.status == 303 && clone.header("Location") == "/skillsets/edit?set=Fast%20Tackle%202")
            #expect(try await stored("Fast Tackle 2")?.skills.count == 2)
            let ask = try await web.request(
                "/skillsets/delete",
                method: "POST",
                cookie: root,
                form: ["csrf": csrf, "set": "Fast Tackle 2"]
            )
            #expect(ask.status == 200 && ask.text.contains("cannot be undone"))
            #expect(try await stored("Fast Tackle 2") != nil)
            let deleted = try await web.request(
                "/skillsets/delete",
                method: "POST",
                cookie: root,
                form: ["csrf": csrf, "set": "Fast Tackle 2", "confirm": "yes"]
            )
            #expect(deleted.status == 200 && deleted.text.contains("Deleted Fast Tackle 2"))
            #expect(try await stored("Fast Tackle 2") == nil)
            #expect(try await web.request("/skillsets/edit?set=Nothing", cookie: root).status == 404)
        }
    }
}
