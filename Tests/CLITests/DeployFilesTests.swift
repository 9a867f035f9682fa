import Foundation
import Postgres
import TestSupport
import Testing

/// The files `docs/deploy.md` hands an operator (systemd units, the container image, the compose
/// file, the configuration example) are checked here, so none of them rots unseen: the units by
/// systemd's own verifier, the compose file by a YAML parser, every command line in them by the
/// built program's argument parser, the image's libraries against what the binary links.
@Suite struct DeployFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let deploy = root.appending(path: "deploy")
    static let units = ["memberaudit.service", "memberaudit-serve.service", "memberaudit-worker@.service"]

    static var hasSystemdAnalyze: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") }

    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed"))
    func theSystemdUnitsVerify() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try BuiltProgram.url("memberaudit").path
        for unit in Self.units {
            let text = try String(contentsOf: Self.deploy.appending(path: "systemd/\(unit)"), encoding: .utf8)
            for required in ["Restart=on-failure", "User=memberaudit", "NoNewPrivileges=yes", "ProtectSystem=strict"] {
                #expect(text.contains("\n\(required)\n"), "\(unit) lacks \(required)")
            }
            // The verifier wants the program to exist: the built one stands in for /usr/local/bin's.
            try text.replacingOccurrences(of: "/usr/local/bin/memberaudit", with: binary)
                .write(to: folder.appending(path: unit), atomically: true, encoding: .utf8)
        }
        let verified = try await runTool(
            "/usr/bin/systemd-analyze",
            ["verify", "--man=no", "memberaudit.service", "memberaudit-serve.service", "memberaudit-worker@1.service"],
            in: folder
        )
        // It exits 0 even for unknown keys and bad values, which it reports: any report is a failure.
        #expect(verified.status == 0 && verified.output.isEmpty, "\(verified.output)")
    }

    @Test func everyCommandLineOfTheUnitsParses() async throws {
        for unit in Self.units {
            let text = try String(contentsOf: Self.deploy.appending(path: "systemd/\(unit)"), encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
            var arguments = line.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
            if arguments.first == "/bin/sh" {
                // The worker template: `sh -c 'exec memberaudit worker --metrics-port $((9470 + %i))'`.
                arguments = ["worker", "--metrics-port", "9471"]
                #expect(text.contains("exec /usr/local/bin/memberaudit worker --metrics-port $((9470 + %i))"))
            } else {
                #expect(arguments.first == "/usr/local/bin/memberaudit")
                arguments.removeFirst()
            }
            try await self.expectParses(arguments, where: unit)
        }
    }

    @Test func theComposeFileParsesAndItsServicesRunCommandsThatExist() async throws {
        let compose = try await yamlAsJSON(Self.deploy.appending(path: "compose.yaml"))
        let services = try #require(compose["services"] as? [String: Any])
        #expect(Set(services.keys) == ["postgres", "memberaudit", "worker"])
        let app = try #require(services["memberaudit"] as? [String: Any])
        let build = try #require(app["build"] as? [String: Any])
        let context = Self.deploy.appending(path: try #require(build["context"] as? String)).standardized
        #expect(context.path == Self.root.standardized.path)
        let dockerfile = context.appending(path: try #require(build["dockerfile"] as? String))
        #expect(FileManager.default.fileExists(atPath: dockerfile.path), "\(dockerfile.path)")
        let postgres = try #require(services["postgres"] as? [String: Any])
        #expect(postgres["healthcheck"] != nil)
        let known = try await knownSettings()
        for name in ["memberaudit", "worker"] {
            let service = try #require(services[name] as? [String: Any])
            #expect(service["image"] as? String == "memberaudit:latest")
            let command = try #require(service["command"] as? [String])
            try await self.expectParses(command, where: "compose service \(name)")
            for key in (service["environment"] as? [String: Any] ?? [:]).keys {
                #expect(known.contains(key), "compose service \(name) sets \(key), which no setting reads")
            }
        }
        // The app's ports stay on the loopback of the host (a reverse proxy publishes them).
        for port in app["ports"] as? [String] ?? [] { #expect(port.hasPrefix("127.0.0.1:"), "\(port)") }
    }

    @Test func theConfigurationExampleNamesOnlySettingsThatExist() async throws {
        let known = try await knownSettings()
        let text = try String(contentsOf: Self.deploy.appending(path: "memberaudit.conf.example"), encoding: .utf8)
        for line in text.split(separator: "\n") where line.contains("MEMBERAUDIT_") {
            let assignment = line.hasPrefix("#") ? line.dropFirst() : line[...]
            guard let name = assignment.split(separator: "=").first, name.hasPrefix("MEMBERAUDIT_") else { continue }
            #expect(known.contains(String(name)), "\(name)")
        }
        // The program reads it as it is.
        let shown = try await runMemberAudit(
            ["config", "--config", Self.deploy.appending(path: "memberaudit.conf.example").path]
        )
        #expect(shown.status == 0 && shown.output.contains("Example Alliance Audit"), "\(shown.output)")
    }

    /// The runtime image installs the package of every shared library the binary links, apart
    /// from the Swift runtime (linked in statically by `--static-swift-stdlib`) and the C library.
    @Test func theImageInstallsEveryLibraryTheBinaryLinks() async throws {
        let dockerfile = try String(contentsOf: Self.deploy.appending(path: "Dockerfile"), encoding: .utf8)
        // The header, the build stage, the runtime stage.
        let stages = dockerfile.components(separatedBy: "\nFROM ")
        #expect(stages.count == 3, "a build stage and a runtime stage")
        #expect(stages[1].hasPrefix("swift:"), "built on the official Swift image")
        #expect(stages[1].contains("--static-swift-stdlib"))
        let runtime = Set(try #require(stages.last).split(whereSeparator: { $0.isWhitespace }).map(String.init))
        #expect(dockerfile.contains("COPY --from=build /staging/memberaudit /usr/local/bin/memberaudit"))

        // Only the libraries the binary names itself must be installed: apt brings their own.
        let binary = try BuiltProgram.url("memberaudit").path
        let linked = try await runTool("/usr/bin/ldd", [binary])
        #expect(linked.status == 0, "\(linked.output)")
        let direct = try await runTool("/usr/bin/readelf", ["-d", binary])
        var packages = Set<String>()
        for line in direct.output.split(separator: "\n") where line.contains("(NEEDED)") {
            guard let start = line.firstIndex(of: "["), let end = line.firstIndex(of: "]") else { continue }
            let library = String(line[line.index(after: start)..<end])
            // The Swift runtime is linked in statically in the image; the loader is libc6's.
            if library.contains("swift") || library.contains("Foundation") || library.contains("dispatch")
                || library.hasPrefix("libBlocksRuntime") || library.hasPrefix("ld-linux")
            {
                continue
            }
            let resolved = linked.output.split(separator: "\n").first { $0.contains(library + " => ") }
            let path = String(try #require(resolved?.split(separator: " ").dropFirst(2).first, "\(library)"))
            let package = try #require(await owningPackage(path), "no Debian package owns \(path)")
            packages.insert(package)
            #expect(
                runtime.contains(package) || ["libc6", "libgcc-s1"].contains(package),
                "the runtime image lacks \(package) (for \(library))"
            )
        }
        #expect(packages.isSuperset(of: ["libpq5", "libcurl4", "liblz4-1"]), "\(packages)")
        // The build stage installs what tools/setup installs to build here.
        let setup = try String(contentsOf: Self.root.appending(path: "tools/setup"), encoding: .utf8)
        for package in ["libpq-dev", "liblz4-dev", "libcurl4-openssl-dev", "zlib1g-dev", "pkg-config"] {
            #expect(setup.contains(package) && stages[1].contains(package), "\(package)")
        }
        // The image's default command parses.
        try await self.expectParses(["run", "--host", "0.0.0.0", "--port", "8080"], where: "the image's CMD")
    }

    @Test func deployMdNamesOnlyFilesThatExistAndEveryFileIsNamed() throws {
        let text = try String(contentsOf: Self.root.appending(path: "docs/deploy.md"), encoding: .utf8)
        let named = Set(
            text.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
                .filter { $0.hasPrefix("deploy/") || $0.hasPrefix("tools/") }
                .map { $0.split(separator: " ").first.map(String.init) ?? $0 }
        )
        #expect(!named.isEmpty)
        // Files the operator writes and never commits (secrets) are named but not there.
        let ignored = try String(contentsOf: Self.root.appending(path: ".gitignore"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        for path in named where !ignored.contains(path) {
            #expect(FileManager.default.fileExists(atPath: Self.root.appending(path: path).path), "\(path)")
        }
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.deploy.path)
            .filter { !$0.hasSuffix("/") && $0 != "systemd" }
        for file in files {
            #expect(named.contains("deploy/\(file)"), "docs/deploy.md does not name deploy/\(file)")
        }
    }

    /// Runs `arguments` with no token key: a command line the parser accepts gets as far as
    /// asking for the key; one it refuses is a usage error, with its reason and the usage.
    private func expectParses(_ arguments: [String], where place: String) async throws {
        let data = FileManager.default.temporaryDirectory.appending(path: "parse-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let run = try await runMemberAudit(
            arguments,
            environment: ["MEMBERAUDIT_DATA_DIR": data.path, "MEMBERAUDIT_TOKEN_KEY": "", "MEMBERAUDIT_CONFIG": ""]
        )
        #expect(
            run.output.contains("no token key is configured") && !run.output.contains("Usage:"),
            "\(place): \(arguments): \(run.output)"
        )
    }
}

/// The Debian package that installed `path` (as `ldd` shows it: `/lib/...` is `/usr/lib/...`
/// on a merged-/usr system, where dpkg may know either).
private func owningPackage(_ path: String) async throws -> String? {
    let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    for candidate in [path, "/usr" + path, real, "/usr" + real] {
        let owner = try await runTool("/usr/bin/dpkg", ["-S", candidate])
        if owner.status == 0, let package = owner.output.split(separator: ":").first { return String(package) }
    }
    return nil
}

/// Every setting name `memberaudit config` lists.
private func knownSettings() async throws -> Set<String> {
    let config = try await runMemberAudit(["config"])
    return Set(config.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        .filter { $0.hasPrefix("MEMBERAUDIT_") }
}

/// A YAML file as JSON objects, read by PyYAML (Python's YAML parser; Debian's python3-yaml).
private func yamlAsJSON(_ file: URL) async throws -> [String: Any] {
    let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
    var failures = [String]()
    for python in ["/usr/bin/python3", "python3"] {
        let run = try await runTool("/usr/bin/env", [python, "-c", script, file.path])
        if run.status == 0, let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        {
            return object
        }
        failures.append("\(python): \(run.output)")
    }
    throw TestSetupError("no YAML parser (install python3-yaml): \(failures.joined(separator: "; "))")
}

/// Runs a system tool to its end on a dispatch thread; its output and errors together.
private func runTool(
    _ path: String,
    _ arguments: [String],
    in directory: URL? = nil
) async throws -> (
    status: Int32, output: String
) {
    let run = try await runBlocking {
        try BuiltProgram.run(executable: URL(fileURLWithPath: path), arguments, directory: directory)
    }
    return (run.status, run.output)
}
