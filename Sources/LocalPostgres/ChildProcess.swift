import Foundation
import Synchronization
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// A program run as a child of this process: spawned with `posix_spawn`, its output read by a
/// thread of its own, its end found with `waitpid`.
///
/// Foundation's `Process` is not used anywhere: on Linux it learns of a child's end through
/// libdispatch, has been seen to crash the whole process now and then (a SIGSEGV inside
/// `Process.run()`, a whole test run lost), and never sees `pg_ctl start` end, whose server keeps
/// the descriptor it watches. Nothing here needs a run loop or a dispatch source.
package final class ChildProcess: Sendable {
    /// Where the child's standard output or standard error goes.
    package enum Destination: Sendable {
        case discard
        /// Read as it comes, by a thread that passes each chunk on.
        case collect(@Sendable ([UInt8]) -> Void)
        /// Into this open descriptor (a file that outlives the child's own descriptors).
        case descriptor(Int32)
        /// Standard error only: wherever standard output goes.
        case output
    }

    package enum TerminationReason: Sendable, Equatable {
        case exit
        case uncaughtSignal
    }

    private static let spawning = NSLock()

    package let processIdentifier: pid_t
    /// The raw wait status, once the child is reaped.
    private let waitStatus = Mutex<Int32?>(nil)
    /// Signalled by each reader thread when its pipe reaches its end.
    private let readersDone: DispatchSemaphore
    private let readers: Int

    /// Starts `executable` (a path) with `arguments`, `environment` (this process's when nil) and
    /// `directory` as its working directory; standard input is `/dev/null`.
    package init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        directory: String? = nil,
        output: Destination = .discard,
        errors: Destination = .discard
    ) throws(LocalPostgresError) {
        // posix_spawn has no portable "change directory" action; GNU env does it before exec.
        let (program, argv) =
            directory.map { ("/usr/bin/env", ["/usr/bin/env", "--chdir=\($0)", executable] + arguments) }
            ?? (executable, [executable] + arguments)
        // From the first pipe to the spawn, no other child may start: it would inherit a pipe's
        // write end before it is marked close-on-exec (glibc's pipe2 is not visible to Swift),
        // and its reader would wait for that child's end too.
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pipes: [(read: Int32, write: Int32, handler: @Sendable ([UInt8]) -> Void)] = []
        defer { for pipe in pipes { close(pipe.write) } }
        for (descriptor, destination) in [(Int32(1), output), (2, errors)] {
            switch destination {
            case .discard:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .descriptor(let target):
                posix_spawn_file_actions_adddup2(&actions, target, descriptor)
            case .output:
                posix_spawn_file_actions_adddup2(&actions, 1, descriptor)
            case .collect(let handler):
                var ends: [Int32] = [0, 0]
                // Close-on-exec, so no later child keeps a pipe open; this child's own copy,
                // made by dup2, is not.
                guard pipe(&ends) == 0 else {
                    for pipe in pipes { close(pipe.read) }
                    throw LocalPostgresError(.server, "cannot make a pipe: \(String(cString: strerror(errno)))")
                }
                // Cannot fail for descriptors just made.
                _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
                pipes.append((ends[0], ends[1], handler))
                posix_spawn_file_actions_adddup2(&actions, ends[1], descriptor)
            }
        }
        let environment = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer { for pointer in cArguments + cEnvironment { free(pointer) } }
        // The child starts with no signal blocked and every signal's default action: the thread
        // that spawns it may be a dispatch worker, which blocks most signals (SIGTERM included),
        // and a mask is inherited.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program, &actions, &attributes, cArguments, cEnvironment)
        guard spawned == 0 else {
            for pipe in pipes { close(pipe.read) }
            throw LocalPostgresError(.server, "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        self.processIdentifier = pid
        self.readersDone = DispatchSemaphore(value: 0)
        self.readers = pipes.count
        for pipe in pipes {
            let (descriptor, handler, done) = (pipe.read, pipe.handler, self.readersDone)
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count > 0 {
                        handler(Array(buffer[..<count]))
                    } else if count == 0 || errno != EINTR {
                        break
                    }
                }
                close(descriptor)
                done.signal()
            }
        }
    }

    deinit {
        // Reap a child nobody waited for, so it does not stay a zombie while the tests go on.
        if self.waitStatus.withLock({ $0 }) == nil {
            var status: Int32 = 0
            _ = waitpid(self.processIdentifier, &status, WNOHANG)
        }
    }

    /// Whether the child has not ended yet (reaping it if it has).
    package var isRunning: Bool { self.reap() == nil }

    /// Sends SIGTERM: a graceful stop.
    package func terminate() { self.signal(SIGTERM) }

    package func signal(_ signal: Int32) {
        guard self.isRunning else { return }
        kill(self.processIdentifier, signal)
    }

    /// Waits for the child's end, at most `timeout` seconds; whether it ended.
    @discardableResult
    package func wait(timeout: TimeInterval = .infinity) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while self.reap() == nil {
            guard Date() < deadline else { return false }
            usleep(5_000)
        }
        return true
    }

    package func waitUntilExit() { self.wait() }

    /// Waits until the readers have read everything the child (and any child of its that kept
    /// the pipes) wrote.
    package func waitForOutput() {
        for _ in 0..<self.readers { self.readersDone.wait() }
        for _ in 0..<self.readers { self.readersDone.signal() }
    }

    /// The exit status, or the signal that ended the child (as Foundation's `Process` has it).
    package var terminationStatus: Int32 {
        guard let status = self.reap() else { return 0 }
        return Self.endedBySignal(status) ? status & 0x7F : (status >> 8) & 0xFF
    }

    /// The status as a shell shows it: the exit status, or 128 + the signal.
    package var shellStatus: Int32 {
        self.terminationReason == .exit ? self.terminationStatus : 128 + self.terminationStatus
    }

    package var terminationReason: TerminationReason {
        guard let status = self.reap() else { return .exit }
        return Self.endedBySignal(status) ? .uncaughtSignal : .exit
    }

    private static func endedBySignal(_ status: Int32) -> Bool { (status & 0x7F) != 0 }

    /// The wait status if the child has ended; never blocks.
    private func reap() -> Int32? {
        self.waitStatus.withLock { known in
            if let known { return known }
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(self.processIdentifier, &status, WNOHANG) } while result == -1 && errno == EINTR
            guard result == self.processIdentifier else { return nil }
            known = status
            return status
        }
    }
}
