import Foundation
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
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        try self.runBlocking(
                            binary,
                            arguments,
                            environment: environment,
                            directory: directory,
                            timeout: timeout,
                            keepErrors: keepErrors
                        )
                    }
                )
            }
        }
    }

    private static func runBlocking(
        _ binary: URL,
        _ arguments: [String],
        environment: [String: String],
        directory: URL?,
        timeout: TimeInterval,
        keepErrors: Bool
    ) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = keepErrors ? output : FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        // Read while it runs: a full pipe would block it.
        let data = Mutex(Data())
        let read = DispatchSemaphore(value: 0)
        DispatchQueue(label: "output").async {
            let all = output.fileHandleForReading.readDataToEndOfFile()
            data.withLock { $0 = all }
            read.signal()
        }
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        read.wait()
        let text = String(decoding: data.withLock { $0 }, as: UTF8.self)
        if timedOut { return Run(ending: .timedOut, output: text) }
        switch process.terminationReason {
        case .uncaughtSignal: return Run(ending: .signal(process.terminationStatus), output: text)
        default: return Run(ending: .exit(process.terminationStatus), output: text)
        }
    }

    /// Starts `program` in the background, collecting what it prints (output and errors together).
    package static func launch(
        _ arguments: [String],
        program name: String = "memberaudit",
        environment: [String: String] = [:]
    ) throws -> (Process, Printed) {
        let process = Process()
        process.executableURL = try self.url(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let printed = Printed()
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil  // the end: the process closed its output
            } else {
                printed.append(String(decoding: chunk, as: UTF8.self))
            }
        }
        try process.run()
        return (process, printed)
    }
}

/// What a running program has printed so far.
package final class Printed: Sendable {
    private let collected = Mutex("")
    package init() {}
    package var text: String { self.collected.withLock { $0 } }
    package func append(_ chunk: String) { self.collected.withLock { $0 += chunk } }
}
