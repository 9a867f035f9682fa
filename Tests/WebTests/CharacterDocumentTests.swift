import Foundation
import SyncTestSupport
import TestSupport
import Testing

@testable import Web

/// One renderer for a character's JSON: `memberaudit show ID --format json` (the binary, against
/// the same database) and `GET /api/characters/{id}` give the same document, but for EVE markup
/// (a bio, a mail body), which the API gives sanitised as the pages show it.
@Suite struct CharacterDocumentTests {
    static let markup: [(section: String, column: String)] = [("character_details", "description"), ("mails", "body")]

    /// `document` with every markup value replaced by `transform` of it.
    static func mappingMarkup(_ document: [String: Any], _ transform: (String) -> String) -> [String: Any] {
        var document = document
        for (section, column) in Self.markup {
            func map(_ row: Any) -> Any {
                guard var object = row as? [String: Any], let text = object[column] as? String else { return row }
                object[column] = transform(text)
                return object
            }
            switch document[section] {
            case let rows as [Any]: document[section] = rows.map(map)
            case let parts as [String: Any] where parts[column] == nil:
                document[section] = parts.mapValues { ($0 as? [Any]).map { $0.map(map) } ?? map($0) }
            case let row?: document[section] = map(row)
            case nil: break
            }
        }
        return document
    }

    @Test func showAndTheAPIGiveTheSameDocument() async throws {
        try await withWebHarness(characters: 1) { web in
            let id = web.sync.characterIDs[0]
            let (cookie, _) = try await web.session(for: try await web.owner(of: id))
            let api = try await web.request("/api/characters/\(id)", cookie: cookie)
            #expect(api.status == 200 && api.header("Content-Type") == "application/json")
            let fromAPI = try #require(try JSONSerialization.jsonObject(with: Data(api.body)) as? [String: Any])

            let shown = try await BuiltProgram.run(
                ["show", String(id), "--format", "json"],
                environment: ["MEMBERAUDIT_DATABASE_URL": web.sync.conninfo],
                keepErrors: false
            )
            let (status, printed) = (shown.status, Data(shown.output.utf8))
            #expect(status == 0)
            let fromCLI = try #require(try JSONSerialization.jsonObject(with: printed) as? [String: Any])

            #expect(Set(fromAPI.keys) == Set(fromCLI.keys) && fromAPI.count > 20, "\(fromAPI.keys.sorted())")
            let sanitised = Self.mappingMarkup(fromCLI) { Sanitizer.sanitize($0).text }
            let (a, b) = (
                try JSONSerialization.data(withJSONObject: fromAPI, options: [.sortedKeys]),
                try JSONSerialization.data(withJSONObject: sanitised, options: [.sortedKeys])
            )
            #expect(a == b, "the API's document differs from show's")
            // One section: the same document narrowed to it.
            let skills = try await web.request("/api/characters/\(id)/skills", cookie: cookie)
            let narrowed = try #require(try JSONSerialization.jsonObject(with: Data(skills.body)) as? [String: Any])
            #expect(Set(narrowed.keys) == ["id", "name", "skills"])
            #expect(
                try JSONSerialization.data(withJSONObject: narrowed["skills"] as Any, options: [.sortedKeys])
                    == JSONSerialization.data(withJSONObject: fromCLI["skills"] as Any, options: [.sortedKeys])
            )
        }
    }
}
