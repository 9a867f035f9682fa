internal import CLZ4

/// LZ4 frame compression of whole buffers.
///
/// Frames carry their content size and an xxHash32 content checksum, so a damaged body fails to
/// decode with an error instead of yielding wrong bytes, and any `lz4` tool can read a stored body.
public enum LZ4 {
    /// Compresses `input` into one LZ4 frame: at `level` 0 with LZ4's fast compressor (what the
    /// log's appends use), from 3 to 12 with LZ4 HC, slower to write and as fast to read. Any frame
    /// decodes the same way, whatever its level.
    public static func compress(_ input: [UInt8], level: Int = 0) -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.contentSize = UInt64(input.count)
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.blockSizeID = LZ4F_max4MB
        preferences.compressionLevel = Int32(clamping: level)
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { raw in
                LZ4F_compressFrame(out.baseAddress, bound, raw.baseAddress, raw.count, &preferences)
            }
        }
        // Compression into a buffer of LZ4F_compressFrameBound bytes cannot fail.
        precondition(LZ4F_isError(written) == 0, "LZ4F_compressFrame: \(errorName(written))")
        output.removeSubrange(written...)
        return output
    }

    /// Decompresses one LZ4 frame that must decode to exactly `rawSize` bytes.
    ///
    /// - Throws: ``LZ4Error`` when the frame is damaged, truncated, has trailing bytes, or decodes
    ///   to another size.
    public static func decompress(_ frame: [UInt8], rawSize: Int) throws(LZ4Error) -> [UInt8] {
        guard rawSize >= 0 else { throw LZ4Error("negative raw size \(rawSize)") }
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw LZ4Error("cannot create a decompression context: \(errorName(created))")
        }
        defer { LZ4F_freeDecompressionContext(context) }

        // One spare byte lets us notice a frame that holds more than `rawSize` bytes.
        var output = [UInt8](repeating: 0, count: rawSize + 1)
        var produced = 0
        var consumed = 0
        var hint = 1
        while consumed < frame.count {
            var outSize = output.count - produced
            var inSize = frame.count - consumed
            hint = output.withUnsafeMutableBytes { out in
                frame.withUnsafeBytes { input in
                    LZ4F_decompress(
                        context,
                        out.baseAddress! + produced,
                        &outSize,
                        input.baseAddress! + consumed,
                        &inSize,
                        nil
                    )
                }
            }
            if LZ4F_isError(hint) != 0 { throw LZ4Error("corrupt LZ4 frame: \(errorName(hint))") }
            produced += outSize
            consumed += inSize
            if produced > rawSize {
                throw LZ4Error("LZ4 frame decodes to more than the expected \(rawSize) bytes")
            }
            if hint == 0 { break }  // the frame is complete and its checksum verified
            if inSize == 0 && outSize == 0 { break }
        }
        guard hint == 0 else {
            throw LZ4Error("truncated LZ4 frame: \(frame.count) bytes end before the frame does")
        }
        guard consumed == frame.count else {
            throw LZ4Error("\(frame.count - consumed) bytes follow the end of the LZ4 frame")
        }
        guard produced == rawSize else {
            throw LZ4Error("LZ4 frame decodes to \(produced) bytes, expected \(rawSize)")
        }
        output.removeLast()
        return output
    }

    private static func errorName(_ code: Int) -> String {
        String(cString: LZ4F_getErrorName(code))
    }
}

/// A frame that cannot be decoded.
public struct LZ4Error: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
