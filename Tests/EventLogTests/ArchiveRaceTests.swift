import EventLog
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

/// An archive that removes a payload while an append that found it stored is on its way: the
/// append must not commit an event that refers to a payload the log no longer holds.
@Suite struct ArchiveRaceTests {
    /// A partition of 100 events sealed, one payload referred to only by it; `race` appends an
    /// event referring to that payload while, inside the append's transaction (before the head's
    /// lock), the partition is archived on another connection.
    private func withSealedPartition(
        _ race: @Sendable (EventStore, PostgresPool, [UInt8], URL) async throws -> Void
    ) async throws {
        try await TestDatabase.with(maxConnections: 4) { pool, _ in
            try await pool.withConnection { try $0.execute("SELECT eventlog.set_partition_size(100)") }
            let store = EventStore(pool: pool)
            let lonely = Array(
                #"{"only":"in the first partition","padding":"\#(String(repeating: "x", count: 200))"}"#.utf8
            )
            try await store.append(fetched(1, "skills", String(decoding: lonely, as: UTF8.self)))
            for index in 2...100 { try await store.append(fetched(Int64(index), "location", "{\"n\":\(index)}")) }
            let folder = FileManager.default.temporaryDirectory.appending(path: "race-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try await race(store, pool, lonely, folder)
        }
    }

    @Test func aFetchedPayloadTakenByAnArchiveMidAppendIsStoredAgain() async throws {
        try await self.withSealedPartition { store, pool, lonely, folder in
            let archived = Flag()
            let event = fetched(1, "skills", String(decoding: lonely, as: UTF8.self))
            let result = try await store.append([event]) { _ in
                try archiveOnce(archived, pool: pool, to: folder)
            }
            #expect(archived.isSet)
            // The event is in the log and its payload with it, readable and whole.
            let read = try await store.read(after: result.positions.lowerBound - 1)
            let hash = try #require(read.first?.payloadHash)
            #expect(try await store.payload(hash, verify: true) == lonely)
            let gone = try await pool.withConnection {
                try $0.query("SELECT count(*) FROM eventlog.archived")[0].get(0, as: Int64.self)
            }
            #expect(gone == 1)
        }
    }

    @Test func aNotModifiedEventWhosePayloadLeftIsRefusedNotDangling() async throws {
        try await self.withSealedPartition { store, pool, lonely, folder in
            let archived = Flag()
            var confirmation = fetched(1, "skills", String(decoding: lonely, as: UTF8.self))
            confirmation.outcome = .notModified
            confirmation.httpStatus = 304
            confirmation.payload = .existing(PayloadHash(of: lonely))
            await #expect(throws: EventLogError.self) {
                try await store.append([confirmation]) { _ in try archiveOnce(archived, pool: pool, to: folder) }
            }
            // Nothing refers to a payload that is not stored.
            let dangling = try await pool.withConnection {
                try $0.query(
                    """
                    SELECT count(*) FROM eventlog.entries e WHERE e.payload_hash IS NOT NULL
                    AND NOT EXISTS (SELECT FROM eventlog.payloads p WHERE p.hash = e.payload_hash)
                    """
                )[0].get(0, as: Int64.self)
            }
            #expect(dangling == 0)
        }
    }
}

/// Archives the first partition on a connection of its own, the first time it is called (the
/// append calls its hook again when it starts over).
private func archiveOnce(_ done: Flag, pool: PostgresPool, to folder: URL) throws {
    guard !done.isSet else { return }
    let connection = try PostgresConnection(conninfo: pool.conninfo)
    _ = try LogArchive.archive("entries_000000", to: folder, keeping: [], forced: true, on: connection)
    done.set()
}

private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { self.value.withLock { $0 } }
    func set() { self.value.withLock { $0 = true } }
}
