import Foundation
import Postgres
import TestSupport
import Testing

@testable import EventLog

/// Payloads stored as deltas against the previous version of their stream and route: chains
/// bounded by keyframes, every version read back exactly, and a broken chain reported, never
/// decoded wrongly.
@Suite struct DeltaPayloadTests {
    /// An asset-list-like body: `items` entries, `moved` of them in another place.
    static func assets(items: Int, version: Int) -> String {
        let entries = (0..<items).map { index in
            let location = index % 97 == version % 97 ? 60_000_000 + version : 60_003_760
            return
                "{\"item_id\":\(1_000_000_000_000 + index),\"type_id\":\(34 + index % 50),\"location_id\":\(location),\"quantity\":\(index % 13 + 1)}"
        }
        return "[" + entries.joined(separator: ",") + "]"
    }

    struct Stored: Sendable {
        var codec: Int16
        var chain: Int16
        var stored: Int32
        var raw: Int32
    }

    static func stored(_ pool: PostgresPool) async throws -> [Stored] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT p.codec, p.chain, p.stored_size, p.raw_size FROM eventlog.events e
                JOIN eventlog.payloads p ON p.hash = e.payload_hash ORDER BY e.position
                """
            ).map { Stored(codec: try $0.get(0), chain: try $0.get(1), stored: try $0.get(2), raw: try $0.get(3)) }
        }
    }

    @Test func versionsAreDeltasWithAKeyframeEveryFewAndAllReadBack() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool, maximumChain: 4)
            let bodies = (0..<12).map { Self.assets(items: 2_000, version: $0) }
            for body in bodies { try await store.append(fetched(7, "assets", body)) }
            let rows = try await Self.stored(pool)
            // A keyframe, four deltas, a keyframe, four deltas, ...
            #expect(rows.map(\.chain) == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1])
            #expect(rows.map(\.codec) == [1, 2, 2, 2, 2, 1, 2, 2, 2, 2, 1, 2])
            let keyframe = rows[0].stored
            for row in rows where row.codec == 2 {
                #expect(row.stored * 5 < keyframe, "a delta of \(row.stored) bytes beside a keyframe of \(keyframe)")
            }
            // Read back from the database alone, and through what is remembered.
            DecodedPayloads.shared.removeAll()
            let hashes = bodies.map { PayloadHash(of: Array($0.utf8)) }
            let read = try await store.payloads(hashes, verify: true)
            for (hash, body) in zip(hashes, bodies) { #expect(read[hash] == Array(body.utf8)) }
            DecodedPayloads.shared.removeAll()
            #expect(try await store.payload(hashes[9]) == Array(bodies[9].utf8))
        }
    }

    /// A read that stops a chain at a base it remembers must not fail when the base is pushed out
    /// of memory before it is decoded: here by the other payloads of the same read, in a memory
    /// of a megabyte (the shared one is pushed by every other reader in the process).
    @Test func aRememberedBasePushedOutDuringTheReadStillDecodes() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool, maximumChain: 8)
            let bodies = (0..<2).map { Self.assets(items: 1_000, version: $0) }
            let others = (0..<20).map { Self.assets(items: 1_000, version: 100 + $0) }
            for body in bodies { try await store.append(fetched(7, "assets", body)) }
            for body in others { try await store.append(fetched(8, "assets", body)) }
            let (base, delta) = (PayloadHash(of: Array(bodies[0].utf8)), PayloadHash(of: Array(bodies[1].utf8)))
            let otherHashes = others.map { PayloadHash(of: Array($0.utf8)) }
            try await pool.withConnection { connection in
                // Often enough that the delta comes after the others in the read's order.
                for round in 0..<20 {
                    let memory = DecodedPayloads(budget: 1 << 20)
                    _ = try PayloadChains.decode([base], verify: false, memory: memory, on: connection)
                    let read = try PayloadChains.decode(
                        [delta] + otherHashes,
                        verify: false,
                        memory: memory,
                        on: connection
                    )
                    #expect(try read[delta]?.get() == Array(bodies[1].utf8), "round \(round)")
                    for (hash, body) in zip(otherHashes, others) { #expect(try read[hash]?.get() == Array(body.utf8)) }
                }
            }
        }
    }

    @Test func noChainMeansKeyframesAsBefore() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool, maximumChain: 0)
            for version in 0..<3 {
                try await store.append(fetched(7, "assets", Self.assets(items: 500, version: version)))
            }
            #expect(try await Self.stored(pool).map(\.codec) == [1, 1, 1])
        }
    }

    @Test func otherStreamsAndSectionsAreNotBases() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            try await store.append(fetched(7, "assets", Self.assets(items: 500, version: 0)))
            try await store.append(fetched(8, "assets", Self.assets(items: 500, version: 1)))
            try await store.append(fetched(7, "contracts", Self.assets(items: 500, version: 2)))
            #expect(try await Self.stored(pool).map(\.codec) == [1, 1, 1])
        }
    }

    @Test func aBrokenChainIsReportedAndNeverDecodedWrongly() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            // Sizes no other test uses: decoded payloads are remembered process-wide by hash, and
            // a parallel test's copy of the same bytes would stand in for the broken base.
            let bodies = (0..<3).map { Self.assets(items: 1_111, version: $0) }
            for body in bodies { try await store.append(fetched(7, "assets", body)) }
            let hashes = bodies.map { PayloadHash(of: Array($0.utf8)) }
            // The keyframe damaged in place: the same hash and size, other bytes.
            try await pool.transaction { connection in
                try connection.execute("SELECT set_config('eventlog.reencoding', 'on', true)")
                try connection.execute(
                    "UPDATE eventlog.payloads SET codec = 0, body = $2, stored_size = raw_size WHERE hash = $1",
                    [
                        ByteA(hashes[0].bytes),
                        ByteA(Array(bodies[0].replacingOccurrences(of: "60003760", with: "60003761").utf8)),
                    ]
                )
            }
            DecodedPayloads.shared.removeAll()
            let read = try await pool.withConnection { try EventStore.payloads(hashes, on: $0) }
            for hash in hashes.dropFirst() {
                guard case .failure(let error) = read[hash] else {
                    Issue.record("payload \(hash) decoded on a damaged base")
                    continue
                }
                #expect(error.code == .corruptPayload)
            }
            // The damaged raw keyframe was read, but is not remembered for other reads to build
            // on (what is remembered under its hash, by parallel tests too, hashes to it).
            let remembered = DecodedPayloads.shared[hashes[0]].map { PayloadHash(of: $0) == hashes[0] }
            #expect(remembered ?? true, "damaged bytes remembered under \(hashes[0])")
            let error = await #expect(throws: EventLogError.self) { try await store.payload(hashes[0], verify: true) }
            #expect(error?.description.contains("another hash") == true)
        }
    }

    @Test func aMissingBaseIsReported() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            let bodies = (0..<2).map { Self.assets(items: 1_234, version: $0) }
            for body in bodies { try await store.append(fetched(7, "assets", body)) }
            let hashes = bodies.map { PayloadHash(of: Array($0.utf8)) }
            try await pool.withConnection { connection in
                try connection.executeScript(
                    """
                    ALTER TABLE eventlog.payloads DISABLE TRIGGER payloads_immutable;
                    DELETE FROM eventlog.payloads WHERE hash = '\\x\(hashes[0].hex)';
                    ALTER TABLE eventlog.payloads ENABLE TRIGGER payloads_immutable;
                    """
                )
            }
            DecodedPayloads.shared.removeAll()
            let error = await #expect(throws: EventLogError.self) { try await store.payload(hashes[1]) }
            #expect(error?.code == .corruptPayload)
            #expect(error?.description.contains("base \(hashes[0].hex)") == true, "\(String(describing: error))")
        }
    }

    @Test func reencodingMustKeepTheBytesAndNeedsTheSetting() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            let body = Self.assets(items: 300, version: 0)
            try await store.append(fetched(7, "assets", body))
            let hash = ByteA(PayloadHash(of: Array(body.utf8)).bytes)
            await #expect(throws: PostgresError.self) {
                try await pool.withConnection {
                    try $0.execute("UPDATE eventlog.payloads SET codec = 0 WHERE hash = $1", [hash])
                }
            }
            await #expect(throws: PostgresError.self) {
                try await pool.transaction { connection in
                    try connection.execute("SELECT set_config('eventlog.reencoding', 'on', true)")
                    try connection.execute(
                        "UPDATE eventlog.payloads SET raw_size = raw_size + 1 WHERE hash = $1",
                        [hash]
                    )
                }
            }
        }
    }
}
