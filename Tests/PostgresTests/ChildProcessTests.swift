import Foundation
import LocalPostgres
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The child-process runner every test and the embedded cluster use instead of Foundation's
/// `Process`: statuses, signals, output through pipes, environment and working directory.
@Suite struct ChildProcessTests {
    final class Bytes: Sendable {
        let collected = Mutex([UInt8]())
        var text: String { String(decoding: self.collected.withLock { $0 }, as: UTF8.self) }
        var destination: ChildProcess.Destination { .collect { chunk in self.collected.withLock { $0 += chunk } } }
    }

    @Test func exitStatusesAndSignalsAreTold() throws {
        let ok = try ChildProcess("/bin/sh", ["-c", "exit 0"])
        ok.waitUntilExit()
        #expect(!ok.isRunning && ok.terminationReason == .exit && ok.terminationStatus == 0 && ok.shellStatus == 0)

        let failed = try ChildProcess("/bin/sh", ["-c", "exit 3"])
        failed.waitUntilExit()
        #expect(failed.terminationReason == .exit && failed.terminationStatus == 3 && failed.shellStatus == 3)

        let sleeper = try ChildProcess("/bin/sleep", ["30"])
        #expect(sleeper.isRunning)
        #expect(!sleeper.wait(timeout: 0.05), "a sleeping child is still running at the deadline")
        sleeper.terminate()
        #expect(sleeper.wait(timeout: 10))
        #expect(sleeper.terminationReason == .uncaughtSignal && sleeper.terminationStatus == SIGTERM)
        #expect(sleeper.shellStatus == 128 + SIGTERM)
        sleeper.terminate()  // after the end: nothing, and no other process is signalled
    }

    @Test func outputAndErrorsArriveWholeThroughFullPipes() throws {
        // 1 MB is many times a pipe's buffer: the child blocks until the reader drains it.
        let (output, errors) = (Bytes(), Bytes())
        let child = try ChildProcess(
            "/bin/sh",
            ["-c", "head -c 1000000 /dev/zero | tr '\\0' x; echo oops >&2"],
            output: output.destination,
            errors: errors.destination
        )
        #expect(child.wait(timeout: 60))
        child.waitForOutput()
        child.waitForOutput()  // a second wait returns too
        #expect(output.text.count == 1_000_000 && output.text.allSatisfy { $0 == "x" })
        #expect(errors.text == "oops\n")

        let merged = Bytes()
        let both = try ChildProcess(
            "/bin/sh",
            ["-c", "echo one; echo two >&2"],
            output: merged.destination,
            errors: .output
        )
        both.waitUntilExit()
        both.waitForOutput()
        #expect(merged.text == "one\ntwo\n")
    }

    @Test func environmentAndDirectoryAreTheChildsOwn() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = Bytes()
        let child = try ChildProcess(
            "/bin/sh",
            ["-c", "echo \"$GREETING\"; pwd; read line || echo 'no input'"],
            environment: ["GREETING": "hello there", "PATH": "/usr/bin:/bin"],
            directory: folder.path,
            output: output.destination
        )
        child.waitUntilExit()
        child.waitForOutput()
        let lines = output.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first == "hello there")
        #expect(
            lines.dropFirst().first.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
                == folder.resolvingSymlinksInPath().path
        )
        #expect(lines.last == "no input", "standard input is /dev/null")
    }

    @Test func aMissingProgramIsAnErrorNotACrash() {
        #expect(throws: LocalPostgresError.self) { try ChildProcess("/nonexistent/program", []) }
    }

    @Test func childrenStartedAtOnceEachEndTheirOwnOutput() async throws {
        // A pipe inherited by a sibling started meanwhile would keep a reader waiting for that
        // sibling's end: each short child must finish its output while the long ones still run.
        let sleepers = try (0..<4).map { _ in try ChildProcess("/bin/sleep", ["30"], output: Bytes().destination) }
        defer { for sleeper in sleepers { sleeper.signal(SIGKILL) } }
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let output = Bytes()
                    let child = try ChildProcess("/bin/echo", ["child \(index)"], output: output.destination)
                    child.waitUntilExit()
                    child.waitForOutput()
                    return output.text
                }
            }
            var texts = Set<String>()
            for try await text in group { texts.insert(text) }
            #expect(texts == Set((0..<16).map { "child \($0)\n" }))
        }
    }
}
