import EventLog
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

/// Many writers append while a reader tails the log by "last position seen". Writers hold their
/// transactions open for random times after numbering their events, so commits arrive late and
/// out of the order a naive sequence would give. The reader must see every event exactly once.
@Suite struct GapSafetyTests {
    @Test func aTailingReaderSeesEveryEventOnceInOrderUnderConcurrentWriters() async throws {
        let writers = 8
        let batchesPerWriter = 40
        try await TestDatabase.with(maxConnections: writers + 2) { pool, _ in
            var store = EventStore(pool: pool)
            store.beforeCommit = { connection in
                try connection.query("SELECT pg_sleep($1)", [Double.random(in: 0...0.004)])
            }
            let writersDone = Counter()

            let reader = Task { [store] in
                var seen = [RecordedEvent]()
                var checkpoint: Int64 = 0
                while true {
                    let finished = writersDone.value.load(ordering: .acquiring) == writers
                    let page = try await store.read(after: checkpoint, limit: 50)
                    seen += page
                    checkpoint = page.last?.position ?? checkpoint
                    if page.isEmpty && finished { return seen }
                    if page.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
                }
            }

            let appended = try await withThrowingTaskGroup(of: [Int64: String].self) { group in
                for writer in 0..<writers {
                    group.addTask { [store] in
                        defer { writersDone.value.add(1, ordering: .releasing) }
                        var mine = [Int64: String]()
                        for batch in 0..<batchesPerWriter {
                            let size = Int.random(in: 1...6)
                            let events = (0..<size).map { index in
                                fetched(
                                    Int64(writer),
                                    "section-\(batch)-\(index)",
                                    "{\"w\":\(writer),\"b\":\(batch),\"i\":\(index)}"
                                )
                            }
                            let result = try await store.append(events)
                            for (offset, position) in result.positions.enumerated() {
                                mine[position] = events[offset].section + "@\(writer)"
                            }
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [Int64: String]()) { $0.merge($1) { a, _ in a } }
            }

            let seen = try await reader.value
            let positions = seen.map(\.position)
            #expect(positions == positions.sorted(), "the reader saw positions out of order")
            #expect(Set(positions).count == positions.count, "the reader saw an event twice")
            #expect(Set(positions) == Set(appended.keys), "the reader missed events")
            for event in seen {
                #expect(appended[event.position] == event.section + "@\(event.stream.characterID!)")
            }
            // Positions are dense: the head lock makes numbering gapless as well as gap-safe.
            #expect(positions == Array(1...Int64(appended.count)))
        }
    }
}

/// A shareable atomic counter (an `Atomic` itself cannot be captured by concurrent closures).
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
