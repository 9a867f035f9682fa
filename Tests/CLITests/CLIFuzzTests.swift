import Foundation
import LocalPostgres
import TestSupport
import Testing

/// Every subcommand the binary describes (`--experimental-dump-help`: ArgumentParser's own tree,
/// so a new command or option is fuzzed without touching this test), with hostile values for each
/// option and argument in turn, against a database holding one synced character: each run ends
/// with an exit code (0 when the value was fine, 1 or 2 with a message when not), never a signal.
@Suite struct CLIFuzzTests {
    static let hostile = ["-1e9d", "99999999999999999999", "-1", "", "1e308", "x\u{1B}[2J\r\n'\";--<b>"]

    /// Commands that serve until stopped: a value they accept leaves them running, which is
    /// fine; they are stopped after a few seconds.
    static let daemons: Set<String> = ["serve", "run", "worker", "simulator", "database start"]

    struct Argument {
        var name: String
        var positional: Bool
    }

    struct Command {
        var path: [String]
        var arguments: [Argument]
    }

    /// The leaf commands and their value-taking arguments, from ArgumentParser's dump.
    static func commands(dump: Data) throws -> [Command] {
        let root = try #require(try JSONSerialization.jsonObject(with: dump) as? [String: Any])
        var result = [Command]()
        func walk(_ command: [String: Any], _ path: [String]) {
            let subcommands = command["subcommands"] as? [[String: Any]] ?? []
            if subcommands.isEmpty, path.last != "help" {
                let arguments = (command["arguments"] as? [[String: Any]] ?? []).compactMap { argument -> Argument? in
                    let kind = argument["kind"] as? String
                    let name =
                        (argument["names"] as? [[String: Any]])?.first { $0["kind"] as? String == "long" }?["name"]
                        as? String ?? argument["valueName"] as? String
                    guard let name, kind == "option" || kind == "positional" else { return nil }
                    return Argument(name: name, positional: kind == "positional")
                }
                result.append(Command(path: path, arguments: arguments))
            }
            for subcommand in subcommands {
                walk(subcommand, path + [subcommand["commandName"] as? String ?? ""])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return result
    }

    @Test func everySubcommandRefusesHostileValuesWithAMessageNeverASignal() async throws {
        let dump = try await runMemberAudit(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let commands = try Self.commands(dump: Data(dump.output.utf8))
        #expect(commands.count > 50 && commands.contains { $0.path == ["audit", "at"] })

        let (simulator, base, tokens) = try await startSimulator(characters: 1)
        defer { simulator.terminate() }
        try await TestDatabase.with { _, conninfo in
            var environment = simulatorEnvironment(database: conninfo, simulator: base)
            #expect(
                try await runMemberAudit(["characters", "add", "--refresh-token", tokens[0]], environment: environment)
                    .status == 0
            )
            #expect(try await runMemberAudit(["sync"], environment: environment).status == 0)
            let list = try await runMemberAudit(["characters", "list", "--format", "json"], environment: environment)
            let character = try #require(
                (try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]])?.first?["id"]
                    as? Int
            )
            // Files the commands write (--output) land in a folder of their own.
            let folder = FileManager.default.temporaryDirectory.appending(path: "cli-fuzz-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let plan = folder.appending(path: "plan.txt")
            try Data("Navigation 3\n".utf8).write(to: plan)
            // No second simulator or server on a fixed port: the daemons get ports of their own.
            environment["MEMBERAUDIT_SSO_CLIENT_SECRET"] = "memberaudit-demo-secret"

            /// A valid value for each positional, so that fuzzing one option reaches the command.
            func valid(_ argument: Argument) -> String {
                switch argument.name {
                case "character", "id": String(character)
                case "file": plan.path
                case "topics": "contracts"
                case "permissions": "basic_access"
                case "subcommands": "show"
                default: "fuzz"
                }
            }

            var runs = [[String]]()
            for command in commands {
                let positionals = command.arguments.filter(\.positional)
                let required = positionals.map { valid($0) }
                for argument in command.arguments where argument.name != "config" || command.path == ["config"] {
                    for value in Self.hostile {
                        if argument.positional {
                            let index = positionals.firstIndex { $0.name == argument.name }!
                            var values = required
                            values[index] = value
                            runs.append(command.path + ["--"] + values)
                        } else {
                            runs.append(command.path + required + ["--\(argument.name)", value])
                        }
                    }
                }
            }

            let environmentForRuns = environment
            let failures = try await withThrowingTaskGroup(of: String?.self) { group in
                var failures = [String]()
                var next = 0
                func start() {
                    guard next < runs.count else { return }
                    let arguments = runs[next]
                    next += 1
                    let daemon =
                        Self.daemons.contains(arguments.prefix(2).joined(separator: " "))
                        || Self.daemons.contains(arguments[0])
                    group.addTask {
                        let run = try await runMemberAudit(
                            arguments,
                            environment: environmentForRuns,
                            directory: folder,
                            timeout: daemon ? 3 : 120
                        )
                        let shown = arguments.map { $0.prefix(30) }.joined(separator: " ")
                        switch run.ending {
                        case .signal(let signal): return "signal \(signal): \(shown)\n\(run.output.suffix(400))"
                        case .timedOut: return daemon ? nil : "still running after 120 s: \(shown)"
                        case .exit(let code):
                            if code != 0, run.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                                return "exit \(code) without a message: \(shown)"
                            }
                            if code > 2 { return "exit \(code), not 0, 1 or 2: \(shown)\n\(run.output.suffix(300))" }
                            return nil
                        }
                    }
                }
                for _ in 0..<6 { start() }
                while let result = try await group.next() {
                    if let result { failures.append(result) }
                    start()
                }
                return failures
            }
            #expect(
                failures.isEmpty,
                "\(failures.count) of \(runs.count) runs:\n\(failures.prefix(20).joined(separator: "\n"))"
            )
        }
    }

    /// The case that once killed the process: a moment before the year 1.
    @Test func aMomentBeforeTheYearOneIsAUsageError() async throws {
        let run = try await runMemberAudit(["audit", "at", "1", "--time", "-1e9d"])
        #expect(run.status == 2)
        #expect(run.output.contains("years 1 to 9999"), "\(run.output)")
    }
}
