internal import CLZ4
internal import CZlib

/// A payload compressed with LZ4 against an earlier version of itself as the dictionary: what is
/// the same as in the base costs a few bytes a match, what is new is compressed as usual.
///
/// LZ4 can refer back at most 64 KB, so one dictionary cannot serve a payload of hundreds of KB.
/// The new bytes are cut into blocks of ``blockSize``, and each block is compressed with its own
/// window of the base as the dictionary: the base's bytes around the same relative position
/// (``window(block:newSize:baseSize:)``), where consecutive versions of a list hold mostly the
/// same items. Both sides compute the windows from the sizes alone, so nothing about them is
/// stored.
///
/// Layout: `0xD1` (format 1), the CRC-32 of the new bytes (4 bytes, little-endian), then per block
/// its compressed length (4 bytes, little-endian) and the compressed bytes. The base is named
/// outside the body (its content hash), and the CRC makes a wrong or damaged base fail to decode
/// instead of giving wrong bytes.
public enum LZ4Delta {
    public static let blockSize = 16 << 10
    static let format: UInt8 = 0xD1
    /// How far before and after the aligned position the dictionary reaches: LZ4 matches go back at
    /// most 64 KB, so window plus block stays within that.
    static let before = 16 << 10
    static let after = 32 << 10

    /// The part of the base that serves as dictionary for block `block` of a payload of `newSize`
    /// bytes: 48 KB around where that block sits in proportion to the base.
    static func window(block: Int, newSize: Int, baseSize: Int) -> Range<Int> {
        guard baseSize > 0, newSize > 0 else { return 0..<0 }
        let aligned = Int((Double(block * self.blockSize) * Double(baseSize) / Double(newSize)).rounded())
        let lower = max(0, min(baseSize, aligned - self.before))
        let upper = max(lower, min(baseSize, aligned + self.after))
        return lower..<upper
    }

    /// Compresses `input` against `base`: at `level` 0 with LZ4's fast compressor, from 1 to 12
    /// with LZ4 HC (slower to write, as fast to read; ``decode(_:base:rawSize:)`` reads both).
    public static func encode(_ input: [UInt8], base: [UInt8], level: Int = 0) -> [UInt8] {
        let compressor = BlockCompressor(level: level)
        var output: [UInt8] = [self.format]
        output.reserveCapacity(64 + input.count / 4)
        append(UInt32(truncatingIfNeeded: crc(input)), to: &output)
        let bound = Int(LZ4_compressBound(Int32(self.blockSize)))
        var scratch = [UInt8](repeating: 0, count: bound)
        var start = 0
        var block = 0
        input.withUnsafeBytes { raw in
            base.withUnsafeBytes { baseBytes in
                while start < input.count || (input.isEmpty && block == 0) {
                    let length = min(self.blockSize, input.count - start)
                    let window = self.window(block: block, newSize: input.count, baseSize: base.count)
                    let written = scratch.withUnsafeMutableBytes { out in
                        compressor.compress(
                            raw.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) + start },
                            count: length,
                            into: out.baseAddress!.assumingMemoryBound(to: CChar.self),
                            capacity: bound,
                            dictionary: baseBytes.baseAddress.map {
                                $0.assumingMemoryBound(to: CChar.self) + window.lowerBound
                            },
                            dictionaryCount: window.count
                        )
                    }
                    // Into a buffer of LZ4_compressBound bytes compression cannot fail.
                    precondition(written > 0 || length == 0, "LZ4 block compression failed")
                    append(UInt32(written), to: &output)
                    output.append(contentsOf: scratch[0..<Int(written)])
                    start += length
                    block += 1
                    if input.isEmpty { break }
                }
            }
        }
        return output
    }

    /// Restores the bytes `encode(_:base:)` compressed against `base`; they must be `rawSize` long.
    ///
    /// - Throws: ``LZ4Error`` when the body is damaged or truncated, or the base is not the one it
    ///   was made against (the CRC of the result differs).
    public static func decode(_ body: [UInt8], base: [UInt8], rawSize: Int) throws(LZ4Error) -> [UInt8] {
        guard rawSize >= 0 else { throw LZ4Error("negative raw size \(rawSize)") }
        guard body.count >= 5, body[0] == self.format else { throw LZ4Error("not an LZ4 delta (format byte)") }
        let expectedCRC = read(body, at: 1)
        var output = [UInt8](repeating: 0, count: rawSize)
        var offset = 5
        var produced = 0
        var block = 0
        repeat {
            guard offset + 4 <= body.count else {
                throw LZ4Error("truncated LZ4 delta: block \(block) has no length")
            }
            let length = Int(read(body, at: offset))
            offset += 4
            guard length <= body.count - offset else {
                throw LZ4Error("truncated LZ4 delta: block \(block) needs \(length) bytes")
            }
            let expected = min(self.blockSize, rawSize - produced)
            let window = self.window(block: block, newSize: rawSize, baseSize: base.count)
            let decoded = output.withUnsafeMutableBytes { out in
                body.withUnsafeBytes { input in
                    base.withUnsafeBytes { baseBytes in
                        LZ4_decompress_safe_usingDict(
                            input.baseAddress!.assumingMemoryBound(to: CChar.self) + offset,
                            out.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) + produced },
                            Int32(length),
                            Int32(expected),
                            baseBytes.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) + window.lowerBound },
                            Int32(window.count)
                        )
                    }
                }
            }
            guard decoded == expected else {
                throw LZ4Error("corrupt LZ4 delta: block \(block) decodes to \(decoded) bytes, expected \(expected)")
            }
            offset += length
            produced += expected
            block += 1
        } while produced < rawSize
        guard offset == body.count else { throw LZ4Error("\(body.count - offset) bytes follow the LZ4 delta") }
        guard UInt32(truncatingIfNeeded: crc(output)) == expectedCRC else {
            throw LZ4Error("LZ4 delta decodes to bytes with another CRC: damaged, or not made against this base")
        }
        return output
    }

    /// One block at a time against its own dictionary, with LZ4's fast compressor or LZ4 HC.
    private final class BlockCompressor {
        private let level: Int32
        private let fast: UnsafeMutablePointer<LZ4_stream_t>?
        private let high: UnsafeMutablePointer<LZ4_streamHC_t>?

        init(level: Int) {
            self.level = Int32(clamping: level)
            self.fast = level <= 0 ? LZ4_createStream() : nil
            self.high = level > 0 ? LZ4_createStreamHC() : nil
            guard self.fast != nil || self.high != nil else { fatalError("LZ4: out of memory") }
        }

        deinit {
            if let fast { LZ4_freeStream(fast) }
            if let high { LZ4_freeStreamHC(high) }
        }

        func compress(
            _ source: UnsafePointer<CChar>?,
            count: Int,
            into destination: UnsafeMutablePointer<CChar>,
            capacity: Int,
            dictionary: UnsafePointer<CChar>?,
            dictionaryCount: Int
        ) -> Int32 {
            if let high {
                LZ4_resetStreamHC_fast(high, self.level)
                _ = LZ4_loadDictHC(high, dictionary, Int32(dictionaryCount))
                return LZ4_compress_HC_continue(high, source, destination, Int32(count), Int32(capacity))
            }
            LZ4_resetStream_fast(self.fast)
            _ = LZ4_loadDict(self.fast, dictionary, Int32(dictionaryCount))
            return LZ4_compress_fast_continue(self.fast, source, destination, Int32(count), Int32(capacity), 1)
        }
    }

    private static func crc(_ bytes: [UInt8]) -> UInt {
        bytes.withUnsafeBytes { raw in
            UInt(crc32(0, raw.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(raw.count)))
        }
    }

    private static func append(_ value: UInt32, to output: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
    }

    private static func read(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}
