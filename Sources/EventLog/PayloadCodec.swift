import LZ4

/// How a payload body is stored. The ids are part of the log's format: never reuse one.
public enum PayloadCodec: Int16, Sendable {
    /// The raw bytes, for payloads that LZ4 does not make smaller (tiny or already dense).
    case raw = 0
    /// One LZ4 frame with content size and checksum.
    case lz4Frame = 1

    /// Compresses a payload, falling back to raw storage when compression does not pay.
    static func encode(_ raw: [UInt8]) -> (codec: PayloadCodec, body: [UInt8]) {
        // A frame costs about 19 bytes of header and checksums: tiny payloads never win.
        guard raw.count >= 128 else { return (.raw, raw) }
        let compressed = LZ4.compress(raw)
        return compressed.count < raw.count ? (.lz4Frame, compressed) : (.raw, raw)
    }

    /// Restores the raw bytes of a stored body.
    func decode(_ body: [UInt8], rawSize: Int) throws -> [UInt8] {
        switch self {
        case .raw:
            guard body.count == rawSize else {
                throw EventLogError(.corruptPayload, "raw payload has \(body.count) bytes, expected \(rawSize)")
            }
            return body
        case .lz4Frame:
            do {
                return try LZ4.decompress(body, rawSize: rawSize)
            } catch {
                throw EventLogError(.corruptPayload, error.description)
            }
        }
    }
}
