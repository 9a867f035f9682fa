import EventLog
import Foundation
import LZ4
import Postgres

/// What the stored payloads would take compressed with LZ4 HC instead of LZ4's fast compressor:
/// every payload decoded and encoded again as the log encodes it (a keyframe, or a delta against
/// the same base when it is stored as one, whichever is smaller), at each level, with the
/// compressing CPU time. Level 0 is the log's own encoding, so its total checks the method: it
/// must give back the stored bodies' size.
enum PayloadRecompression {
    static func compare(_ pool: PostgresPool, levels: [Int] = [0, 9, 12]) async throws -> String {
        let rows = try await pool.withConnection { connection in
            try connection.query(
                "SELECT hash, base_hash, stored_size FROM eventlog.payloads ORDER BY created_at, hash"
            ).map { row -> (PayloadHash, PayloadHash?, Int64) in
                let bytes = try row.get(0, as: ByteA.self).bytes
                guard let hash = PayloadHash(bytes: bytes) else {
                    throw PostgresError(.decoding, "a payload hash of \(bytes.count) bytes")
                }
                return (
                    hash,
                    try row.get(1, as: ByteA?.self).flatMap { PayloadHash(bytes: $0.bytes) },
                    Int64(try row.get(2, as: Int32.self))
                )
            }
        }
        let store = EventStore(pool: pool)
        var stored: Int64 = 0
        var raw: Int64 = 0
        var sizes = [Int64](repeating: 0, count: levels.count)
        var seconds = [Double](repeating: 0, count: levels.count)
        for start in stride(from: 0, to: rows.count, by: 500) {
            let batch = rows[start..<min(rows.count, start + 500)]
            let wanted = Set(batch.flatMap { [$0.0] + ($0.1.map { [$0] } ?? []) })
            let bytes = try await store.payloads(Array(wanted))
            for (hash, base, storedSize) in batch {
                guard let payload = bytes[hash] else { throw PayloadMissing(hash: hash) }
                stored += storedSize
                raw += Int64(payload.count)
                for (index, level) in levels.enumerated() {
                    seconds[index] += measure {
                        sizes[index] += Int64(self.encodedSize(payload, base: base.flatMap { bytes[$0] }, level: level))
                    }
                }
            }
        }
        func mb(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
        var lines = ["payload bodies: \(rows.count) payloads, \(mb(raw)) raw, \(mb(stored)) stored"]
        for (index, level) in levels.enumerated() {
            lines.append(
                String(
                    format: "  level %2d: %@ (%.1f %% of stored), compressing %.1f s (%.0f MB/s of raw)",
                    level,
                    mb(sizes[index]),
                    100 * Double(sizes[index]) / Double(max(stored, 1)),
                    seconds[index],
                    Double(raw) / 1e6 / max(seconds[index], 1e-9)
                )
            )
        }
        return lines.joined(separator: "\n")
    }

    /// The bytes `payload` takes encoded as ``PayloadCodec`` does, at `level`.
    static func encodedSize(_ payload: [UInt8], base: [UInt8]?, level: Int) -> Int {
        guard payload.count >= 128 else { return payload.count }
        let keyframe = min(payload.count, LZ4.compress(payload, level: level).count)
        guard let base else { return keyframe }
        return min(keyframe, LZ4Delta.encode(payload, base: base, level: level).count)
    }
}

struct PayloadMissing: Error, CustomStringConvertible {
    let hash: PayloadHash
    var description: String { "payload \(self.hash) did not decode" }
}
