import Foundation
import LocalPostgres
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `memberaudit users`, `groups` and `serve` end to end against the built binary.
@Suite struct AccessCommandTests {
    @Test func groupsGrantPermissionsToUsersAndServeAnswersAndStops() async throws {
        try await withCLISession(characters: 1) { session in
            let (tokens, environment, run) = (session.tokens, session.environment, session.run)
            #expect(try await run(["users", "list"]).output.contains("no users yet"))
            #expect(try await run(["characters", "add", "--refresh-token", tokens[0], "--user", "alice"]).status == 0)

            let created = try await run(["groups", "create", "Recruiters", "--permission", "basic_access"])
            #expect(created.status == 0, "\(created.output)")
            let again = try await run(["groups", "create", "Recruiters"])
            #expect(again.status != 0 && again.output.contains("already exists"))
            let bogus = try await run(["groups", "grant", "Recruiters", "see_everything"])
            #expect(bogus.status != 0 && bogus.output.contains("unknown permission 'see_everything'"))
            #expect(
                try await run(["groups", "grant", "Recruiters", "finder_access", "view_shared_characters"]).status == 0
            )
            #expect(try await run(["groups", "add", "Recruiters", "alice"]).status == 0)
            let nobody = try await run(["groups", "add", "Recruiters", "nobody"])
            #expect(nobody.status != 0 && nobody.output.contains("no user named 'nobody'"))
            #expect(try await run(["users", "superuser", "alice"]).status == 0)

            let users = try await run(["users", "list", "--format", "json"])
            let list = try #require(try JSONSerialization.jsonObject(with: Data(users.output.utf8)) as? [[String: Any]])
            #expect(list.first?["name"] as? String == "alice" && list.first?["isSuperuser"] as? Bool == true)
            #expect(list.first?["groups"] as? [String] == ["Recruiters"])
            let groups = try await run(["groups", "list"])
            #expect(groups.output.contains("basic_access, finder_access, view_shared_characters"), "\(groups.output)")

            // A compliance group: alice (a main, her one character registered, basic_access) joins.
            #expect(try await run(["groups", "create", "Registered", "--permission", "reports_access"]).status == 0)
            let designated = try await run(["groups", "compliance", "Registered"])
            #expect(
                designated.status == 0 && designated.output.contains("compliance group Registered: joined by alice")
            )
            let byHand = try await run(["groups", "add", "Registered", "alice"])
            #expect(byHand.status != 0 && byHand.output.contains("is a compliance group"), "\(byHand.output)")
            let changes = try await run(["groups", "changes", "--user", "alice"])
            #expect(changes.output.contains("Registered") && changes.output.contains("joined"), "\(changes.output)")
            let listed = try await run(["groups", "list"]).output.split(separator: "\n")
            #expect(listed.contains { $0.hasPrefix("Registered") && $0.contains(" yes ") }, "\(listed)")
            #expect(try await run(["groups", "compliance", "Registered", "--off"]).output.contains("ordinary group"))
            #expect(try await run(["groups", "revoke", "Recruiters", "finder_access"]).status == 0)
            #expect(try await run(["groups", "delete", "Recruiters"]).status == 0)
            #expect(try await run(["groups", "delete", "Registered"]).status == 0)
            #expect(try await run(["groups", "list"]).output.contains("no groups yet"))

            // serve: listens, answers the login page, stops on SIGTERM.
            let (process, printed) = try BuiltProgram.launch(["serve", "--port", "0"], environment: environment)
            defer { if process.isRunning { process.terminate() } }
            var url: String? = nil
            for _ in 0..<600 where url == nil {
                try await Task.sleep(for: .milliseconds(50))
                let text = printed.text
                url = text.range(of: #"at (http://[0-9.:]+)"#, options: .regularExpression).map {
                    String(text[$0].dropFirst(3))
                }
            }
            let address = try #require(url, "serve did not start: \(printed.text)")
            let (page, _) = try await URLSession.shared.data(from: URL(string: address + "/login")!)
            #expect(String(decoding: page, as: UTF8.self).contains("Log in with EVE Online"))
            process.terminate()
            for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!process.isRunning && process.terminationStatus == 0)
        }
    }
}
