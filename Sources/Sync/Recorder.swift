import EventLog
import Foundation
import Observability
import Postgres
import Synchronization

/// Records finished sections in batches: each transaction appends the events of many sections and
/// updates their queue rows, instead of one transaction per section. Appends take the log's head
/// lock in turn, so fewer, larger transactions are what lets many fetches in flight be recorded
/// (a group commit done by the application; docs/sync.md).
final class Recorder: Sendable {
    let queue: WorkQueue
    let store: EventStore
    /// The most sections in one transaction.
    let batchSize: Int

    private struct Job: Sendable {
        var item: WorkItem
        var completion: Completion
        var events: [NewEvent]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let state = Mutex<(pending: [Job], writing: Bool)>(([], false))

    init(queue: WorkQueue, store: EventStore, batchSize: Int = 100) {
        self.queue = queue
        self.store = store
        self.batchSize = batchSize
    }

    /// Returns once the section is recorded; throws ``LeaseLost`` if it must not be.
    func record(_ item: WorkItem, _ completion: Completion, events: [NewEvent]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startWriter = self.state.withLock { state in
                state.pending.append(
                    Job(item: item, completion: completion, events: events, continuation: continuation)
                )
                defer { state.writing = true }
                return !state.writing
            }
            if startWriter { Task { await self.write() } }
        }
    }

    /// Writes batches while there are any; what arrives during a write goes into the next one.
    private func write() async {
        while true {
            let batch = self.state.withLock { state -> [Job] in
                let batch = Array(state.pending.prefix(self.batchSize))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            await self.write(batch)
        }
    }

    private func write(_ batch: [Job]) async {
        var jobs = batch
        var attempts = 0
        while !jobs.isEmpty {
            attempts += 1
            do {
                try await self.queue.complete(jobs.map { ($0.item, $0.completion, $0.events) }, store: self.store)
                for job in jobs {
                    for event in job.events {
                        Measure.fetchRecorded(section: event.section, outcome: event.outcome.rawValue)
                    }
                    job.continuation.resume()
                }
                return
            } catch let lost as LostLeases {
                // Nothing was written: drop the sections another worker took over and write the rest.
                for index in lost.indices { jobs[index].continuation.resume(throwing: LeaseLost()) }
                jobs = jobs.indices.filter { !lost.indices.contains($0) }.map { jobs[$0] }
            } catch let error as PostgresError
                where attempts < 3 && (error.sqlState == .deadlockDetected || error.sqlState == .serializationFailure)
            {
                continue  // nothing was written; the same batch again
            } catch {
                for job in jobs { job.continuation.resume(throwing: error) }
                return
            }
        }
    }
}
