import LZ4
import Testing

@Suite struct LZ4Tests {
    @Test("round trips empty, small, JSON-like and 10 MB inputs", arguments: [0, 1, 17, 4096, 10 * 1024 * 1024])
    func roundTrip(size: Int) throws {
        let input = jsonLike(bytes: size)
        let frame = LZ4.compress(input)
        #expect(try LZ4.decompress(frame, rawSize: input.count) == input)
    }

    @Test func compressesJSON() {
        let input = jsonLike(bytes: 200_000)
        #expect(LZ4.compress(input).count < input.count / 3)
    }

    @Test func corruptedBodyIsAnErrorNotACrash() throws {
        let input = jsonLike(bytes: 50_000)
        var frame = LZ4.compress(input)
        frame[frame.count / 2] ^= 0xFF
        #expect(throws: LZ4Error.self) { try LZ4.decompress(frame, rawSize: input.count) }
    }

    @Test func truncatedFrameIsAnError() throws {
        let input = jsonLike(bytes: 50_000)
        let frame = LZ4.compress(input)
        let error = #expect(throws: LZ4Error.self) {
            try LZ4.decompress(Array(frame.dropLast(9)), rawSize: input.count)
        }
        #expect(error?.description.contains("truncated") == true)
    }

    @Test func trailingBytesAreAnError() {
        let input = jsonLike(bytes: 1000)
        #expect(throws: LZ4Error.self) { try LZ4.decompress(LZ4.compress(input) + [1, 2, 3], rawSize: input.count) }
    }

    @Test("a frame of another size than expected is an error", arguments: [-1, 1])
    func wrongRawSize(delta: Int) {
        let input = jsonLike(bytes: 1000)
        #expect(throws: LZ4Error.self) { try LZ4.decompress(LZ4.compress(input), rawSize: input.count + delta) }
    }

    @Test func garbageIsAnError() {
        #expect(throws: LZ4Error.self) { try LZ4.decompress(Array("not an lz4 frame".utf8), rawSize: 10) }
        #expect(throws: LZ4Error.self) { try LZ4.decompress([], rawSize: 10) }
    }
}

/// Deterministic JSON-shaped bytes of exactly `bytes` length.
func jsonLike(bytes: Int) -> [UInt8] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var text = [UInt8]()
    text.reserveCapacity(bytes + 200)
    while text.count < bytes {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let item =
            "{\"item_id\":\(1_000_000_000_000 + Int(state >> 40)),\"type_id\":\(Int(state >> 52) + 100),"
            + "\"location_flag\":\"Hangar\",\"quantity\":\(Int(state >> 58))},"
        text.append(contentsOf: item.utf8)
    }
    return Array(text.prefix(bytes))
}
