import Foundation
import Postgres
import TestSupport
import Testing

@testable import EventLog

/// Re-encoding stored payloads: keyframes of an older log become delta chains, the bytes stay,
/// a second run has nothing to do, and a purge leaves no payload resting on one it deletes.
@Suite struct ReencodingTests {
    static func everyPayloadReadsBack(_ pool: PostgresPool, _ bodies: [String]) async throws {
        DecodedPayloads.shared.removeAll()
        let hashes = bodies.map { PayloadHash(of: Array($0.utf8)) }
        let read = try await EventStore(pool: pool).payloads(hashes, verify: true)
        for (hash, body) in zip(hashes, bodies) { #expect(read[hash] == Array(body.utf8), "payload \(hash)") }
    }

    @Test func keyframesBecomeChainsAndASecondRunDoesNothing() async throws {
        try await TestDatabase.with { pool, _ in
            // As before delta payloads: every payload a keyframe.
            let old = EventStore(pool: pool, maximumChain: 0)
            var bodies = [String]()
            for version in 0..<7 {
                for (character, section) in [(1, "assets"), (2, "assets"), (1, "contacts")] {
                    let body = DeltaPayloadTests.assets(items: 800 + character, version: version) + section
                    bodies.append(body)
                    try await old.append(fetched(Int64(character), section, body))
                }
            }
            let before = try await DeltaPayloadTests.stored(pool)
            #expect(before.allSatisfy { $0.codec == 1 })
            let first = try await PayloadReencoder(pool: pool, maximumChain: 3).run()
            #expect(first.keys == 3 && first.keysDone == 3 && !first.resumed)
            // Per key: a keyframe, three deltas, a keyframe, two deltas.
            #expect(first.payloads == 3 * 5)
            #expect(first.bytesAfter * 4 < first.bytesBefore, "\(first.bytesBefore) → \(first.bytesAfter)")
            let chains = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT array_agg(p.chain ORDER BY e.position)::text FROM eventlog.events e
                    JOIN eventlog.payloads p ON p.hash = e.payload_hash GROUP BY e.stream, e.section ORDER BY 1
                    """
                ).map { try $0.get(0, as: String.self) }
            }
            #expect(chains == Array(repeating: "{0,1,2,3,0,1,2}", count: 3))
            try await Self.everyPayloadReadsBack(pool, bodies)
            let second = try await PayloadReencoder(pool: pool, maximumChain: 3).run()
            #expect(second.payloads == 0)
            // And back: no chains at all.
            let flat = try await PayloadReencoder(pool: pool, maximumChain: 0).run()
            #expect(flat.payloads == 3 * 5)
            #expect(try await DeltaPayloadTests.stored(pool).allSatisfy { $0.codec == 1 && $0.chain == 0 })
            try await Self.everyPayloadReadsBack(pool, bodies)
        }
    }

    @Test func aPurgeKeyframesWhatOtherStreamsKeepOfIt() async throws {
        try await TestDatabase.with { pool, _ in
            let store = EventStore(pool: pool)
            let v0 = DeltaPayloadTests.assets(items: 1_000, version: 0)
            let v1 = DeltaPayloadTests.assets(items: 1_000, version: 1)
            try await store.append(fetched(1, "assets", v0))
            try await store.append(fetched(1, "assets", v1))  // a delta on v0
            try await store.append(fetched(2, "assets", v1))  // the same bytes: the same payload
            let purged = try await pool.transaction { connection in
                let rewritten = try PayloadReencoding.keyframeDependants(ofStream: "character:1", on: connection)
                let row = try connection.query("SELECT events, payloads FROM eventlog.purge_stream('character:1')")[0]
                return (rewritten, try row.get(0, as: Int64.self), try row.get(1, as: Int64.self))
            }
            #expect(purged.0 == 1 && purged.1 == 2 && purged.2 == 1)
            try await Self.everyPayloadReadsBack(pool, [v1])
            #expect(try await DeltaPayloadTests.stored(pool).map(\.codec) == [1])
        }
    }
}
