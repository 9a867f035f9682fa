import Foundation
import LocalPostgres
import Postgres
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The programs SwiftPM builds beside the test bundle (`memberaudit`, `esi-simulator`), run as an
/// operator runs them. Waits happen on dispatch threads: blocking one of the few cooperative
/// threads for a whole command would stall every other test running meanwhile.
package enum BuiltProgram {
    /// How a run ended.
    package enum Ending: Equatable, Sendable {
        case exit(Int32)
        case signal(Int32)
        /// Still running at the deadline (then killed).
        case timedOut
    }

    package struct Run: Sendable {
        package var ending: Ending
        /// Standard output, with standard error unless it was discarded.
        package var output: String
        /// The exit status (128 + the signal for a signal, -1 for a timeout), as a shell shows it.
        package var status: Int32 {
            switch self.ending {
            case .exit(let status): status
            case .signal(let signal): 128 + signal
            case .timedOut: -1
            }
        }
    }

    package static func url(_ name: String) throws -> URL {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: name)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSetupError("\(binary.path) is missing: build the package (swift build) before testing")
        }
        return binary
    }

    /// Runs `program` to its end, or kills it after `timeout` seconds.
    package static func run(
        _ arguments: [String],
        program name: String = "memberaudit",
        environment: [String: String] = [:],
        directory: URL? = nil,
        timeout: TimeInterval = 600,
        keepErrors: Bool = true
    ) async throws -> Run {
        let binary = try self.url(name)
        return try await runBlocking {
            try self.run(
                executable: binary,
                arguments,
                environment: environment,
                directory: directory,
                timeout: timeout,
                keepErrors: keepErrors
            )
        }
    }

    /// Runs any program (a system tool, a browser) to its end, or kills it after `timeout`
    /// seconds; blocks the calling thread.
    package static func run(
        executable: URL,
        _ arguments: [String],
        environment: [String: String] = [:],
        directory: URL? = nil,
        timeout: TimeInterval = 600,
        keepErrors: Bool = true
    ) throws -> Run {
        let printed = Printed()
        let child = try ChildProcess(
            executable.path,
            arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            directory: directory?.path,
            output: printed.destination,
            errors: keepErrors ? .output : .discard
        )
        let finished = child.wait(timeout: timeout)
        if !finished {
            child.signal(SIGKILL)
            child.waitUntilExit()
        }
        child.waitForOutput()
        let text = printed.text
        guard finished else { return Run(ending: .timedOut, output: text) }
        switch child.terminationReason {
        case .uncaughtSignal: return Run(ending: .signal(child.terminationStatus), output: text)
        case .exit: return Run(ending: .exit(child.terminationStatus), output: text)
        }
    }

    /// Starts `program` in the background, collecting what it prints (output and errors together).
    package static func launch(
        _ arguments: [String],
        program name: String = "memberaudit",
        environment: [String: String] = [:]
    ) throws -> (ChildProcess, Printed) {
        let printed = Printed()
        let child = try ChildProcess(
            try self.url(name).path,
            arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            output: printed.destination,
            errors: .output
        )
        return (child, printed)
    }
}

/// What a running program has printed so far. Kept as bytes, so a character cut between two
/// reads is whole again in `text`.
package final class Printed: Sendable {
    private let collected = Mutex([UInt8]())
    package init() {}
    package var text: String { String(decoding: self.collected.withLock { $0 }, as: UTF8.self) }
    package func append(_ chunk: [UInt8]) { self.collected.withLock { $0 += chunk } }
    /// Where a child's output goes to be collected here.
    package var destination: ChildProcess.Destination { .collect { self.append($0) } }
}
