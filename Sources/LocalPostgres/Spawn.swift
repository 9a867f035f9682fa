import Foundation
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program, waits for it, and returns its exit status and output (stdout and stderr).
///
/// The output goes to a temporary file, not a pipe: the server `pg_ctl start` leaves running
/// inherits its descriptors, so a pipe would never reach its end. Blocks the calling thread.
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

    let child = try ChildProcess(executable, arguments, output: .descriptor(outputFD), errors: .output)
    child.waitUntilExit()
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    return (child.shellStatus, output.trimmingCharacters(in: .whitespacesAndNewlines))
}
