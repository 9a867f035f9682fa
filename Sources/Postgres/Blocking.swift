import Dispatch

/// Runs blocking work (a libpq call outside a pool, a child process) on a dispatch thread, so
/// that it never occupies one of Swift's cooperative threads (two on a 2-core machine).
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
