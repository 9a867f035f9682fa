import Foundation
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program, waits for it, and returns its exit status and output (stdout and stderr).
///
/// Foundation's `Process` cannot be used for `pg_ctl start`: it notices a child's exit through a
/// descriptor that the server left running inherits, so it would wait forever. Here the child is
/// spawned with `posix_spawn` and reaped with `waitpid`; its output goes to a temporary file.
/// Blocks the calling thread.
func spawnAndWait(
    _ executable: String,
    _ arguments: [String]
) throws(LocalPostgresError) -> (
    status: Int32, output: String
) {
    let outputPath = FileManager.default.temporaryDirectory.appending(path: "memberaudit-\(UUID().uuidString).out").path
    let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard outputFD >= 0 else {
        throw LocalPostgresError(.server, "cannot create \(outputPath): \(String(cString: strerror(errno)))")
    }
    defer {
        close(outputFD)
        unlink(outputPath)
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
    posix_spawn_file_actions_adddup2(&actions, outputFD, 2)

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else {
        throw LocalPostgresError(.server, "cannot run \(executable): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
        guard errno == EINTR else { throw LocalPostgresError(.server, "waiting for \(executable) failed") }
    }
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    return (exitStatus, output.trimmingCharacters(in: .whitespacesAndNewlines))
}
