import LZ4
import Testing

/// Deltas against an earlier version: exact round trips, small where versions are alike, and
/// errors (never wrong bytes, never a trap) for a damaged body or the wrong base.
@Suite struct LZ4DeltaTests {
    /// A version of `base` with a few items changed, one inserted and the end cut.
    func nextVersion(of base: [UInt8]) -> [UInt8] {
        var next = base
        for offset in stride(from: 100, to: next.count, by: 40_000) { next[offset] = UInt8(ascii: "7") }
        next.insert(contentsOf: Array("{\"item_id\":1,\"type_id\":34,\"quantity\":5},".utf8), at: next.count / 2)
        return Array(next.dropLast(min(next.count, 300)))
    }

    @Test("round trips versions of 0 bytes to 1 MB", arguments: [0, 1, 200, 16_384, 16_385, 70_000, 1 << 20])
    func roundTrip(size: Int) throws {
        let base = jsonLike(bytes: size)
        let next = self.nextVersion(of: base)
        let delta = LZ4Delta.encode(next, base: base)
        #expect(try LZ4Delta.decode(delta, base: base, rawSize: next.count) == next)
    }

    @Test("LZ4 HC writes what the same decoder reads, no larger than the fast compressor", arguments: [1, 9, 12])
    func highCompression(level: Int) throws {
        for size in [0, 200, 16_385, 300_000] {
            let base = jsonLike(bytes: size)
            let next = self.nextVersion(of: base)
            let delta = LZ4Delta.encode(next, base: base, level: level)
            #expect(try LZ4Delta.decode(delta, base: base, rawSize: next.count) == next)
            #expect(delta.count <= LZ4Delta.encode(next, base: base).count + 8)
            let frame = LZ4.compress(next, level: level)
            #expect(try LZ4.decompress(frame, rawSize: next.count) == next)
            #expect(frame.count <= LZ4.compress(next).count + 8)
        }
    }

    @Test func aDeltaOfAnAlikeVersionIsAFractionOfAKeyframe() {
        let base = jsonLike(bytes: 600_000)
        let next = self.nextVersion(of: base)
        let delta = LZ4Delta.encode(next, base: base)
        let keyframe = LZ4.compress(next)
        // Measured: 1,8xx bytes against 2xx,xxx; anything under a twentieth shows the windows work
        // past LZ4's 64 KB reach.
        #expect(delta.count * 20 < keyframe.count, "delta \(delta.count), keyframe \(keyframe.count)")
    }

    @Test func anUnrelatedBaseStillRoundTrips() throws {
        let next = jsonLike(bytes: 50_000)
        let base = Array(repeating: UInt8(ascii: "x"), count: 3_000)
        #expect(try LZ4Delta.decode(LZ4Delta.encode(next, base: base), base: base, rawSize: next.count) == next)
        #expect(try LZ4Delta.decode(LZ4Delta.encode(next, base: []), base: [], rawSize: next.count) == next)
    }

    @Test func theWrongBaseIsAnErrorNotWrongBytes() {
        let base = jsonLike(bytes: 100_000)
        let next = self.nextVersion(of: base)
        let delta = LZ4Delta.encode(next, base: base)
        var other = base
        other[5_000] ^= 0x20
        #expect(throws: LZ4Error.self) { try LZ4Delta.decode(delta, base: other, rawSize: next.count) }
        #expect(throws: LZ4Error.self) { try LZ4Delta.decode(delta, base: [], rawSize: next.count) }
    }

    @Test func aDamagedOrTruncatedDeltaIsAnError() {
        let base = jsonLike(bytes: 100_000)
        let next = self.nextVersion(of: base)
        let delta = LZ4Delta.encode(next, base: base)
        for index in [0, 2, 6, delta.count / 2, delta.count - 1] {
            var damaged = delta
            damaged[index] ^= 0xFF
            #expect(throws: LZ4Error.self) { try LZ4Delta.decode(damaged, base: base, rawSize: next.count) }
        }
        for length in [0, 4, 9, delta.count - 1] {
            #expect(throws: LZ4Error.self) {
                try LZ4Delta.decode(Array(delta.prefix(length)), base: base, rawSize: next.count)
            }
        }
        #expect(throws: LZ4Error.self) { try LZ4Delta.decode(delta + [0], base: base, rawSize: next.count) }
        #expect(throws: LZ4Error.self) { try LZ4Delta.decode(delta, base: base, rawSize: next.count + 1) }
        #expect(throws: LZ4Error.self) { try LZ4Delta.decode(delta, base: base, rawSize: -1) }
    }

    @Test func garbageNeverTraps() {
        var state: UInt64 = 42
        for length in [5, 9, 64, 1_000] {
            var garbage: [UInt8] = [0xD1]
            for _ in 1..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                garbage.append(UInt8(truncatingIfNeeded: state >> 56))
            }
            #expect(throws: LZ4Error.self) { try LZ4Delta.decode(garbage, base: [1, 2, 3], rawSize: 20_000) }
        }
    }
}
