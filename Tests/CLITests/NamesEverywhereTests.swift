import Foundation
import TestSupport
import Testing

/// `show --format json` names every id it shows: `type_name` beside `type_id`, and for any other
/// `<thing>_id` a `<thing>` or `<thing>_name` (a system, a region, a corporation, a faction, a
/// race, a bloodline, an ancestry, a planet, ...), and the name is never the bare id where the
/// static data or ESI knows one.
@Suite struct NamesEverywhereTests {
    /// Ids of the records themselves (a mail, a contract, an item), not of something to name.
    static let recordIDs: Set<String> = [
        "character_id", "item_id", "parent_item_id", "contract_id", "mail_id", "label_id", "record_id",
        "jump_clone_id", "transaction_id", "title_id", "mailing_list_id", "journal_ref_id", "ship_item_id", "id",
        "context_id", "root_location_id",
    ]

    @Test func everyIDOfEveryCharacterHasItsName() async throws {
        try await withCLISession(characters: 4) { session in
            let characters = try await Self.syncedCharacters(session)
            #expect(characters.count == 4)
            var checked = 0
            var unnamed = [String]()
            for (id, object) in characters {
                func visit(_ value: Any, path: String) {
                    if let array = value as? [Any] {
                        for element in array { visit(element, path: path) }
                        return
                    }
                    guard let row = value as? [String: Any] else { return }
                    for (key, id) in row where key.hasSuffix("_id") && !Self.recordIDs.contains(key) {
                        guard let id = id as? Int else { continue }  // null: nothing to name
                        let thing = String(key.dropLast(3))
                        let candidates = key == "type_id" ? ["type_name"] : [thing, thing + "_name"]
                        checked += 1
                        guard let name = candidates.lazy.compactMap({ row[$0] as? String }).first else {
                            unnamed.append("\(path).\(key) has no \(candidates.joined(separator: " or "))")
                            continue
                        }
                        if name == String(id) { unnamed.append("\(path).\(key) \(id) is not named") }
                    }
                    for (key, nested) in row { visit(nested, path: path + "." + key) }
                }
                visit(object, path: String(id))
            }
            #expect(unnamed.isEmpty, "\(unnamed.prefix(20))")
            #expect(checked > 100, "ids checked: \(checked)")
        }
    }

    @Test func theFirstSyncBringsAPast() async throws {
        try await withCLISession(characters: 2, history: "full") { session in
            let characters = try await Self.syncedCharacters(session)
            for (id, object) in characters {
                // (section, part): mails and contacts come with their labels as other parts.
                for (section, part) in [
                    ("mails", "mails"), ("wallet_journal", nil), ("wallet_transactions", nil), ("contracts", nil),
                    ("contacts", "contacts"),
                ] {
                    let value = part.map { (object[section] as? [String: Any])?[$0] } ?? object[section]
                    #expect((value as? [Any])?.isEmpty == false, "\(id): \(section) is empty at the first sync")
                }
            }
        }
    }

    /// Registers and syncs every character of the session; each one's `show --format json`, by id.
    static func syncedCharacters(_ session: CLISession) async throws -> [(Int, [String: Any])] {
        for token in session.tokens {
            #expect(try await session.run(["characters", "add", "--refresh-token", token]).status == 0)
        }
        #expect(try await session.run(["sync"]).status == 0)
        let list = try await session.run(["characters", "list", "--format", "json"])
        let characters = try #require(
            try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]]
        )
        var shown = [(Int, [String: Any])]()
        for character in characters {
            let id = try #require(character["id"] as? Int)
            let output = try await session.run(["show", String(id), "--format", "json"]).output
            shown.append(
                (id, try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]))
            )
        }
        return shown
    }
}
