import LZ4

/// How a payload body is stored. The ids are part of the log's format: never reuse one.
public enum PayloadCodec: Int16, Sendable {
    /// The raw bytes, for payloads that LZ4 does not make smaller (tiny or already dense).
    case raw = 0
    /// One LZ4 frame with content size and checksum: a keyframe, decoded on its own.
    case lz4Frame = 1
    /// LZ4 against an earlier payload (the row's `base_hash`) as dictionary (``LZ4Delta``).
    case lz4Delta = 2

    /// How a new payload is stored: a delta against `base` (the previous version of its stream
    /// and route) when the base's chain leaves room and the delta is smaller than a keyframe,
    /// else a keyframe (LZ4 frame, or raw when compression does not pay).
    static func encode(_ raw: [UInt8], base: PayloadBase?, maximumChain: Int) -> EncodedPayload {
        // A frame costs about 19 bytes of header and checksums: tiny payloads never win.
        guard raw.count >= 128 else { return EncodedPayload(codec: .raw, body: raw) }
        let frame = LZ4.compress(raw)
        let keyframe =
            frame.count < raw.count
            ? EncodedPayload(codec: .lz4Frame, body: frame) : EncodedPayload(codec: .raw, body: raw)
        guard let base, base.chain < maximumChain else { return keyframe }
        let delta = LZ4Delta.encode(raw, base: base.raw)
        guard delta.count < keyframe.body.count else { return keyframe }
        return EncodedPayload(codec: .lz4Delta, body: delta, base: base.hash, chain: base.chain + 1)
    }

    /// Restores the raw bytes of a stored body; a delta needs its base's raw bytes.
    func decode(_ body: [UInt8], rawSize: Int, base: [UInt8]? = nil) throws -> [UInt8] {
        do {
            switch self {
            case .raw:
                guard body.count == rawSize else {
                    throw EventLogError(.corruptPayload, "raw payload has \(body.count) bytes, expected \(rawSize)")
                }
                return body
            case .lz4Frame:
                return try LZ4.decompress(body, rawSize: rawSize)
            case .lz4Delta:
                guard let base else { throw EventLogError(.corruptPayload, "a delta payload without its base") }
                return try LZ4Delta.decode(body, base: base, rawSize: rawSize)
            }
        } catch let error as LZ4Error {
            throw EventLogError(.corruptPayload, error.description)
        }
    }
}

/// The payload a new one may be stored against.
struct PayloadBase: Sendable {
    var hash: PayloadHash
    var raw: [UInt8]
    /// Deltas between the base and its keyframe (0: the base is a keyframe).
    var chain: Int
}

/// A payload ready to store.
struct EncodedPayload: Sendable {
    var codec: PayloadCodec
    var body: [UInt8]
    var base: PayloadHash? = nil
    var chain = 0
}
