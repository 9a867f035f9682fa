import Postgres
import Synchronization

/// Reads payloads with the bases their deltas need. A delta is decoded from its keyframe up,
/// through at most ``EventStore/maximumChain`` deltas; the chains' links are read first, then
/// the rows they need, and recently decoded payloads are kept (``DecodedPayloads``), so reading
/// a stream's versions in order decodes each once.
enum PayloadChains {
    /// One stored row of `eventlog.payloads`.
    struct Row: Sendable {
        var codecID: Int16
        var rawSize: Int
        var body: [UInt8]
        var base: PayloadHash?
    }

    /// Decodes `hashes` (and what they depend on): each with its bytes or why it cannot be had. A
    /// hash that is not stored is absent from the result; a delta whose base is missing, or whose
    /// base decodes to other bytes than it was made against, fails (never decodes wrongly: each
    /// delta checks the CRC of its result).
    static func decode(
        _ hashes: some Collection<PayloadHash>,
        verify: Bool,
        memory: DecodedPayloads = .shared,
        on connection: PostgresConnection
    ) throws -> [PayloadHash: Result<[UInt8], EventLogError>] {
        var decoded = [PayloadHash: Result<[UInt8], EventLogError>]()
        // Verifying reads every base from the database: a base only remembered is not checked.
        let cache: DecodedPayloads? = verify ? nil : memory
        // Two round trips whatever the chains' length: their links, then the rows they need
        // (the asked ones, and their bases down to one decoded recently or a keyframe).
        let links = try self.links(Array(Set(hashes)), on: connection)
        var needed = Set<PayloadHash>()
        // The remembered bases a chain stops at are taken now, not looked up again when decoding:
        // another read may push them out of the cache meanwhile, and a base gone between the two
        // would fail a payload that is whole.
        var remembered = [PayloadHash: [UInt8]]()
        for hash in Set(hashes) {
            var next: PayloadHash? = hash
            for depth in 0...64 {
                guard let current = next, let link = links[current], !needed.contains(current) else { break }
                if depth > 0, let bytes = remembered[current] ?? cache?[current] {
                    remembered[current] = bytes
                    break
                }
                needed.insert(current)
                next = link
            }
        }
        let rows = try self.rows(Array(needed), on: connection)
        func decode(_ hash: PayloadHash, depth: Int) -> Result<[UInt8], EventLogError> {
            if let known = decoded[hash] { return known }
            let result: Result<[UInt8], EventLogError>
            if rows[hash] == nil, let cached = remembered[hash] {
                result = .success(cached)
            } else if let row = rows[hash] {
                result = self.decode(row, hash: hash, verify: verify) { base in
                    guard depth < 64 else {
                        return .failure(EventLogError(.corruptPayload, "payload \(hash): its chain of bases loops"))
                    }
                    return decode(base, depth: depth + 1)
                }
            } else {
                result = .failure(EventLogError(.missingPayload, "payload \(hash) is not in the log"))
            }
            decoded[hash] = result
            if case .success(let raw) = result, let row = rows[hash], self.vouched(row, hash: hash, raw: raw) {
                memory[hash] = raw
            }
            return result
        }
        var result = [PayloadHash: Result<[UInt8], EventLogError>]()
        for hash in Set(hashes) where rows[hash] != nil {
            result[hash] = decode(hash, depth: 0)
        }
        return result
    }

    /// Whether decoded bytes may be remembered under their hash, where other reads take them on
    /// trust: an LZ4 frame checks its content and a delta the CRC of its result, but a raw body
    /// has nothing to check it by, so it is remembered only when it hashes to its address (a
    /// damaged raw keyframe must not reach the deltas of other reads).
    private static func vouched(_ row: Row, hash: PayloadHash, raw: [UInt8]) -> Bool {
        row.codecID != PayloadCodec.raw.rawValue || PayloadHash(of: raw) == hash
    }

    private static func decode(
        _ row: Row,
        hash: PayloadHash,
        verify: Bool,
        base: (PayloadHash) -> Result<[UInt8], EventLogError>
    ) -> Result<[UInt8], EventLogError> {
        guard let codec = PayloadCodec(rawValue: row.codecID) else {
            return .failure(EventLogError(.corruptPayload, "payload \(hash) has an unknown codec \(row.codecID)"))
        }
        var baseBytes: [UInt8]?
        if codec == .lz4Delta {
            guard let baseHash = row.base else {
                return .failure(EventLogError(.corruptPayload, "delta payload \(hash) names no base"))
            }
            switch base(baseHash) {
            case .success(let bytes): baseBytes = bytes
            case .failure(let error):
                return .failure(
                    EventLogError(
                        .corruptPayload,
                        "payload \(hash): its base \(baseHash) cannot be read (\(error.message))"
                    )
                )
            }
        }
        do {
            let raw = try codec.decode(row.body, rawSize: row.rawSize, base: baseBytes)
            if verify, PayloadHash(of: raw) != hash {
                return .failure(EventLogError(.corruptPayload, "payload \(hash) decodes to bytes with another hash"))
            }
            return .success(raw)
        } catch let error as EventLogError {
            return .failure(EventLogError(.corruptPayload, "payload \(hash): \(error.message)"))
        } catch {
            return .failure(EventLogError(.corruptPayload, "payload \(hash): \(error)"))
        }
    }

    /// The base of each of `hashes` and of their bases, down to keyframes (nil): one recursive
    /// query over the payloads' primary key, reading no bodies. A hash not stored is absent.
    private static func links(
        _ hashes: [PayloadHash],
        on connection: PostgresConnection
    ) throws -> [PayloadHash: PayloadHash?] {
        var links = [PayloadHash: PayloadHash?]()
        for row in try connection.query(
            """
            WITH RECURSIVE chain(hash, base_hash, depth) AS (
                SELECT hash, base_hash, 0 FROM eventlog.payloads WHERE hash = ANY($1)
                UNION ALL
                SELECT p.hash, p.base_hash, c.depth + 1 FROM chain c JOIN eventlog.payloads p ON p.hash = c.base_hash
                WHERE c.depth < 64
            )
            SELECT DISTINCT hash, base_hash FROM chain
            """,
            [hashes.map { ByteA($0.bytes) }]
        ) {
            guard let hash = PayloadHash(bytes: try row.get(0, as: ByteA.self).bytes) else { continue }
            links[hash] = try row.get(1, as: ByteA?.self).flatMap { PayloadHash(bytes: $0.bytes) }
        }
        return links
    }

    private static func rows(_ hashes: [PayloadHash], on connection: PostgresConnection) throws -> [PayloadHash: Row] {
        var rows = [PayloadHash: Row]()
        for row in try connection.query(
            "SELECT hash, codec, raw_size, body, base_hash FROM eventlog.payloads WHERE hash = ANY($1)",
            [hashes.map { ByteA($0.bytes) }]
        ) {
            guard let hash = PayloadHash(bytes: try row.get(0, as: ByteA.self).bytes) else { continue }
            rows[hash] = Row(
                codecID: try row.get(1),
                rawSize: try row.get(2, as: Int.self),
                body: try row.get(3, as: ByteA.self).bytes,
                base: try row.get(4, as: ByteA?.self).flatMap { PayloadHash(bytes: $0.bytes) }
            )
        }
        return rows
    }
}

/// Payloads decoded lately, by hash, up to a budget of bytes (oldest out first): the bases of
/// the next versions a reader or an appender asks for.
package final class DecodedPayloads: Sendable {
    package static let shared = DecodedPayloads(budget: 128 << 20)

    private let budget: Int
    private let state = Mutex<(bytes: [PayloadHash: [UInt8]], order: [PayloadHash], head: Int, size: Int)>(
        ([:], [], 0, 0)
    )

    init(budget: Int) { self.budget = budget }

    /// Forgets everything (tests that break a chain on purpose).
    package func removeAll() { self.state.withLock { $0 = ([:], [], 0, 0) } }

    subscript(hash: PayloadHash) -> [UInt8]? {
        get { self.state.withLock { $0.bytes[hash] } }
        set {
            guard let newValue, newValue.count <= self.budget / 8 else { return }
            self.state.withLock { state in
                guard state.bytes[hash] == nil else { return }
                state.bytes[hash] = newValue
                state.order.append(hash)
                state.size += newValue.count
                while state.size > self.budget, state.head < state.order.count {
                    let oldest = state.order[state.head]
                    state.head += 1
                    state.size -= state.bytes.removeValue(forKey: oldest)?.count ?? 0
                }
                if state.head > 4096 && state.head * 2 > state.order.count {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
        }
    }
}
