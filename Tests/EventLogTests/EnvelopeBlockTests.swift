import Testing

@testable import EventLog

/// Packed envelope blocks: every value comes back exactly, however far out, and damaged bytes
/// throw, never trap.
@Suite struct EnvelopeBlockTests {
    /// A deterministic generator (a 64-bit LCG: plenty for test data).
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state = self.state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return self.state ^ (self.state >> 29)
        }
    }

    /// Envelopes like the log's: dense positions, times an hour apart, mostly 304s naming a payload
    /// by number with the payload's ETag, some fetches and failures with the rest of the columns.
    func entries(_ count: Int, seed: UInt64) -> [PackedEntry] {
        var random = Generator(state: seed)
        var fetched: Int64 = 850_000_000_000_000
        return (0..<count).map { index in
            fetched += Int64.random(in: -2_000_000...60_000_000, using: &random)
            var entry = PackedEntry(
                position: 1_000_000 + Int64(index),
                fetchedAt: fetched,
                recordedAt: fetched + Int64.random(in: 0...5_000_000, using: &random),
                streamID: Int32.random(in: 1...10_000, using: &random),
                routeID: Int16.random(in: 1...40, using: &random),
                outcome: Int16.random(in: 0...2, using: &random)
            )
            switch entry.outcome {
            case 2:
                entry.httpStatus = Bool.random(using: &random) ? 503 : nil
                entry.error = "ESI answered 503: <html>Service Unavailable ü</html>"
            default:
                entry.httpStatus = entry.outcome == 0 ? 200 : 304
                entry.payloadID = Int64.random(in: 1...5_000_000, using: &random)
                entry.payloadSize = Int32.random(in: 2...400_000, using: &random)
                entry.etag = Bool.random(using: &random) ? .payloads : .text("\"\(random.next())\"")
                entry.lastModified = fetched - 3_600_000_000
                entry.expires = fetched + 3_600_000_000
                entry.compatibilityDate = 9_480
                entry.pages = Bool.random(using: &random) ? 1 : nil
                entry.parameters = Bool.random(using: &random) ? nil : #"{"mail_id": "12"}"#
            }
            return entry
        }
    }

    @Test("round trips blocks of 0 to 4,096 envelopes", arguments: [0, 1, 2, 100, 4_096])
    func roundTrip(count: Int) throws {
        for seed: UInt64 in 1...3 {
            let entries = self.entries(count, seed: seed)
            let (block, rawSize) = EnvelopeBlock.encodeMeasured(entries)
            #expect(try EnvelopeBlock.decode(block, rawSize: rawSize) == entries)
        }
    }

    @Test("keeps the extremes of every column")
    func extremes() throws {
        var low = PackedEntry(
            position: .min,
            fetchedAt: .max,
            recordedAt: .min,
            streamID: .min,
            routeID: .max,
            outcome: .min
        )
        low.lastModified = .max
        low.expires = .min
        low.payloadSize = .max
        low.pages = .min
        low.compatibilityDate = .max
        low.httpStatus = .min
        low.payloadID = .min
        low.etag = .text("")
        low.error = ""
        low.parameters = "{}"
        var high = low
        (high.position, high.fetchedAt, high.recordedAt, high.payloadID) = (.max, .min, .max, .max)
        (high.streamID, high.routeID, high.outcome, high.etag) = (.max, .min, .max, .payloads)
        let entries = [low, high, low]
        let (block, rawSize) = EnvelopeBlock.encodeMeasured(entries)
        #expect(try EnvelopeBlock.decode(block, rawSize: rawSize) == entries)
    }

    @Test("a dense block of 304s costs a few bytes an envelope")
    func small() {
        var entries = self.entries(4_096, seed: 7)
        for index in entries.indices {
            entries[index].outcome = 1
            entries[index].etag = .payloads
            entries[index].parameters = nil
        }
        let (block, _) = EnvelopeBlock.encodeMeasured(entries)
        // The random streams, routes and payload numbers here are the worst case; the log's
        // repeat themselves. Its rows cost 134 bytes each in PostgreSQL.
        #expect(block.count < 4_096 * 24)
    }

    @Test("damaged layouts throw, never trap")
    func damaged() throws {
        let entries = self.entries(200, seed: 11)
        let layout = EnvelopeBlock.layout(entries)
        var random = Generator(state: 99)
        for trial in 0..<2_000 {
            var bytes = layout
            switch trial % 3 {
            case 0: bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
            case 1: bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            default: bytes.insert(0xFF, at: Int.random(in: 0...bytes.count, using: &random))
            }
            // A flipped bit may still decode (to other values); what matters is no trap.
            _ = try? EnvelopeBlock.decodeLayout(bytes)
        }
        #expect(throws: EventLogError.self) { try EnvelopeBlock.decodeLayout(Array(layout.dropLast())) }
        #expect(throws: EventLogError.self) { try EnvelopeBlock.decodeLayout(layout + [0]) }
        #expect(throws: EventLogError.self) { try EnvelopeBlock.decodeLayout([]) }
        #expect(throws: EventLogError.self) {
            try EnvelopeBlock.decodeLayout([0xE1] + Array(repeating: 0xFF, count: 12))
        }
        let (block, rawSize) = EnvelopeBlock.encodeMeasured(entries)
        var damaged = block
        damaged[damaged.count / 2] ^= 0x40
        let error = try #require(throws: EventLogError.self) { try EnvelopeBlock.decode(damaged, rawSize: rawSize) }
        #expect(error.code == .corruptEnvelopes)
    }
}
