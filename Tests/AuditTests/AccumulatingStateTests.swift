import EventLog
import Foundation
import Postgres
import Projections
import TestSupport
import Testing

@testable import Audit

/// Property: an accumulating section at any moment, made from the newest payload and the rows
/// that had left ESI's window, equals replaying every payload up to that moment. The journal's
/// window here moves on (entries fall out of it, some change while in it), and fetches are often
/// 304s; each of several seeds gives another history.
@Suite struct AccumulatingStateTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func theIndexedStateEqualsAFullReplayAtEveryMoment(seed: UInt64) async throws {
        try await TestDatabase.with { pool, _ in
            var generator = Seeded(state: seed)
            let character: Int64 = 90_000_001
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            var entries = [(id: Int64, amount: Int)]()
            var fetches = [(time: Date, bytes: [UInt8])]()
            var events = [NewEvent]()
            var lastHash: PayloadHash?
            for step in 0..<60 {
                // Now and then new entries, now and then one still in the window changes.
                for _ in 0..<Int(generator.next() % 3) {
                    entries.append((Int64(1_000 + entries.count), Int(generator.next() % 1_000)))
                }
                if generator.next() % 4 == 0, entries.count > 2 {
                    entries[entries.count - 2].amount += 1
                }
                let window = entries.suffix(8)  // ESI's window: the newest entries only
                let body =
                    "["
                    + window.reversed().map {
                        #"{"id":\#($0.id),"amount":\#($0.amount),"date":"2026-09-01T00:00:00Z","ref_type":"bounty_prizes"}"#
                    }
                    .joined(separator: ",") + "]"
                let bytes = Array(body.utf8)
                let time = start.addingTimeInterval(Double(step) * 3600)
                let hash = PayloadHash(of: bytes)
                events.append(
                    NewEvent(
                        stream: .character(character),
                        section: "wallet_journal",
                        route: "/characters/{character_id}/wallet/journal",
                        parameters: ["character_id": String(character)],
                        outcome: hash == lastHash ? .notModified : .fetched,
                        httpStatus: hash == lastHash ? 304 : 200,
                        fetchedAt: time,
                        payload: hash == lastHash ? .existing(hash) : .bytes(bytes)
                    )
                )
                if hash != lastHash { fetches.append((time, bytes)) }
                lastHash = hash
            }
            let store = EventStore(pool: pool)
            for event in events { try await store.append([event]) }
            let index = AuditIndex(pool: pool)
            try await index.catchUp()

            func replay(_ time: Date) -> Set<[Cell]> {
                let upTo = fetches.enumerated().filter { $0.element.time <= time }.map { offset, fetch in
                    PastFetch(
                        position: Int64(offset),
                        section: "wallet_journal",
                        parameters: ["character_id": String(character)],
                        fetchedAt: fetch.time,
                        payloadHash: PayloadHash(of: fetch.bytes),
                        payload: fetch.bytes
                    )
                }
                return Set(PointInTime.tables(character: character, fetches: upTo).tables.flatMap(\.rows))
            }
            var departedSomething = false
            for step in stride(from: -1.0, through: 61, by: 0.5) {
                let time = start.addingTimeInterval(step * 3600)
                let state = try await pool.withConnection {
                    try Reconstruction.state(character: character, section: "wallet_journal", at: time, on: $0)
                }
                let rows = Set(state.tables.flatMap(\.rows))
                #expect(rows == replay(time), "seed \(seed), step \(step)")
                departedSomething = departedSomething || rows.count > 8
            }
            #expect(departedSomething, "the window moved on: more is known than ESI still returns")
        }
    }
}

private struct Seeded {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state = self.state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return self.state >> 33
    }
}
