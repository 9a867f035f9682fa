import EventLog
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct EventStoreTests {
    @Test func appendedEventsReadBackWithTheirEnvelopeAndPayload() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            let time = Date(timeIntervalSince1970: 1_764_000_000)
            let event = fetched(2_112_000_001, "assets", #"[{"item_id":1,"type_id":587}]"#, at: time)
            let failure = NewEvent(
                stream: .character(2_112_000_001),
                section: "mails",
                route: "/characters/{character_id}/mail",
                outcome: .failed,
                httpStatus: 502,
                error: "bad gateway",
                fetchedAt: time,
                payload: .bytes(Array("<html>502 Bad Gateway</html>".utf8))
            )
            let timeout = NewEvent(
                stream: .character(2_112_000_001),
                section: "wallet_journal",
                route: "/characters/{character_id}/wallet/journal",
                outcome: .failed,
                error: "timed out after 30 s",
                fetchedAt: time,
                payload: .none
            )
            let result = try await store.append([event, failure, timeout])
            #expect(result.positions == 1...3)
            #expect(!result.wasDuplicate)

            let events = try await store.read(after: 0)
            #expect(events.map(\.position) == [1, 2, 3])
            let first = try #require(events.first)
            #expect(first.stream == .character(2_112_000_001))
            #expect(first.stream.characterID == 2_112_000_001)
            #expect(first.section == "assets")
            #expect(first.parameters == ["character_id": "2112000001"])
            #expect(first.outcome == .fetched)
            #expect(first.httpStatus == 200)
            #expect(first.lastModified == time)
            #expect(first.expires == time.addingTimeInterval(3600))
            #expect(first.compatibilityDate == "2025-12-16")
            #expect(first.payloadSize == #"[{"item_id":1,"type_id":587}]"#.utf8.count)
            let payload = try await store.payload(try #require(first.payloadHash), verify: true)
            #expect(String(decoding: payload, as: UTF8.self) == #"[{"item_id":1,"type_id":587}]"#)
            #expect(events[1].httpStatus == 502)
            #expect(events[1].error == "bad gateway")
            #expect(events[2].httpStatus == nil)
            #expect(events[2].payloadHash == nil)

            let mails = try await store.read(stream: .character(2_112_000_001), section: "mails")
            #expect(mails.map(\.position) == [2])
            let throughFirst = try await store.read(stream: .character(2_112_000_001), through: 1)
            #expect(throughFirst.count == 1)
        }
    }

    @Test func parametersWithAwkwardTextRoundTrip() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            var event = fetched(1, "universe_names", "[]")
            event.parameters = [
                "search": "quote \" backslash \\ newline \n tab \t bell \u{07} Ωmega 𝄞",
                "b": "",
                "a": "/slash/",
            ]
            try await store.append(event)
            let stored = try await store.read(after: 0)
            #expect(stored.first?.parameters == event.parameters)
        }
    }

    @Test func anUnchangedPayloadCostsNoNewPayloadBytes() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            let body = String(repeating: #"{"item_id":123456789,"type_id":34,"quantity":1000},"#, count: 500)
            try await store.append(fetched(1, "assets", body))
            let before = try await store.statistics()
            for _ in 0..<5 { try await store.append(fetched(1, "assets", body)) }
            let after = try await store.statistics()
            #expect(after.events == 6)
            #expect(after.payloads == before.payloads)
            #expect(after.payloadStoredBytes == before.payloadStoredBytes)
            #expect(after.dedupRatio == 6)
            #expect(after.compressionRatio > 5)
            #expect(after.sections["assets"]?.fetched == 6)
        }
    }

    @Test func notModifiedEventsPointAtTheConfirmedPayload() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            let first = try await store.append(fetched(1, "skills", #"{"total_sp":5000000}"#))
            let stored = try await store.read(after: 0)[0]
            let hash = try #require(stored.payloadHash)
            var confirm = fetched(1, "skills", "")
            confirm.outcome = .notModified
            confirm.httpStatus = 304
            confirm.payload = .existing(hash)
            let second = try await store.append(confirm)
            #expect(second == first + 1)
            let events = try await store.read(after: first)
            #expect(events[0].outcome == .notModified)
            #expect(events[0].payloadHash == hash)
            let statistics = try await store.statistics()
            #expect(statistics.sections["skills"]?.notModified == 1)
        }
    }

    @Test func notModifiedEventForAnUnknownPayloadIsRejected() async throws {
        try await TestDatabase.with { pool, _ in
            var event = fetched(1, "skills", "")
            event.outcome = .notModified
            event.payload = .existing(PayloadHash(of: Array("never stored".utf8)))
            let error = await #expect(throws: EventLogError.self) { try await EventStore(pool: pool).append(event) }
            #expect(error?.code == .missingPayload)
            let head = try await EventStore(pool: pool).headPosition()
            #expect(head == 0)
        }
    }

    @Test func inconsistentEventsAreRejectedBeforeAnythingIsWritten() async throws {
        try await TestDatabase.with { pool, _ in
            var event = fetched(1, "skills", "{}")
            event.payload = .none
            let error = await #expect(throws: EventLogError.self) {
                try await EventStore(pool: pool).append([fetched(1, "assets", "[]"), event])
            }
            #expect(error?.code == .invalidEvent)
            let head = try await EventStore(pool: pool).headPosition()
            #expect(head == 0)
        }
    }

    @Test func aRetriedAppendWithTheSameKeyDoesNotDuplicate() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            let key = UUID()
            let batch = [fetched(1, "assets", "[1]"), fetched(1, "skills", "{}")]
            let first = try await store.append(batch, key: key)
            let retry = try await store.append(batch, key: key)
            #expect(retry.positions == first.positions)
            #expect(retry.wasDuplicate)
            let eventCount = try await store.statistics().events
            #expect(eventCount == 2)
        }
    }

    @Test func concurrentAppendsWithTheSameKeyWriteOnce() async throws {
        try await TestDatabase.with(maxConnections: 6) { pool, _ in
            let store = EventStore(pool: pool)
            let key = UUID()
            let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for _ in 0..<6 { group.addTask { try await store.append([fetched(1, "assets", "[7]")], key: key) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.positions)).count == 1)
            #expect(results.filter { !$0.wasDuplicate }.count == 1)
            let eventCount = try await store.statistics().events
            #expect(eventCount == 1)
        }
    }

    @Test func aCorruptedStoredBodyGivesAClearError() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            let raw = Array(String(repeating: #"{"a":1},"#, count: 1000).utf8)
            let hash = PayloadHash(of: raw)
            // A damaged copy written behind the log's back (as a disk or a careless superuser might).
            try await pool.withConnection { connection in
                try connection.execute(
                    "INSERT INTO eventlog.payloads (hash, codec, raw_size, stored_size, body) VALUES ($1, 1, $2, 4, $3)",
                    [ByteA(hash.bytes), Int32(raw.count), ByteA([4, 34, 77, 24])]
                )
            }
            let error = await #expect(throws: EventLogError.self) { try await store.payload(hash) }
            #expect(error?.code == .corruptPayload)
            #expect(error?.description.contains(hash.hex) == true)
        }
    }

    @Test func anAppendBeyondThePartitionsCreatesTheNextOne() async throws {
        try await TestDatabase.with { pool, _ in
            // The head is a counter, not part of the immutable log: move it near the end of the
            // second partition (20,000,000).
            try await pool.withConnection { try $0.execute("UPDATE eventlog.head SET position = 19999998") }
            let result = try await EventStore(pool: pool).append((0..<5).map { fetched(1, "online", "{\"n\":\($0)}") })
            #expect(result.positions == 19_999_999...20_000_003)
            let partitions = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT count(*) FROM pg_inherits WHERE inhparent = 'eventlog.entries'::regclass"
                )[0].get(0, as: Int.self)
            }
            #expect(partitions >= 3)  // the one holding 20,000,000 and up, and headroom
        }
    }
}
