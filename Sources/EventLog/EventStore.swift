import Foundation
import Observability
import Postgres
import Vocabulary

/// The append-only event log in PostgreSQL.
///
/// Appends are atomic per batch and idempotent per key. Positions are handed out under the lock
/// of the log's head row, held until commit, so events become visible in position order: a reader
/// that remembers the last position it saw never skips an event (see docs/event-log.md).
public struct EventStore: Sendable {
    public let pool: PostgresPool
    /// Runs inside each append's transaction after its events are written, before the commit
    /// (tests use it to stretch transactions and provoke late commits).
    package var beforeCommit: (@Sendable (PostgresConnection) throws -> Void)?
    /// The most deltas between a payload and its keyframe (0: every payload a keyframe, as before
    /// delta payloads). Reading a payload decodes at most this many deltas and one keyframe;
    /// docs/benchmarks.md has the measurements behind the default.
    public var maximumChain: Int

    public static let defaultMaximumChain = 16

    public init(pool: PostgresPool, maximumChain: Int = EventStore.defaultMaximumChain) {
        self.pool = pool
        self.maximumChain = max(0, min(maximumChain, 64))
    }

    /// Appends `events` atomically, in order.
    ///
    /// - Parameters:
    ///   - events: the events; a fetched event needs a payload, a not-modified one an existing payload.
    ///   - key: identifies this append. Appending again with the same key (a retry after a lost
    ///     reply) writes nothing and returns the first append's positions.
    @discardableResult
    public func append(_ events: [NewEvent], key: UUID = UUID()) async throws -> AppendResult {
        try await self.append(events, key: key, work: nil)
    }

    /// Appends `events` and runs `work` in the same transaction: both commit, or neither does (the
    /// sync records a fetch together with its queue row this way). `work` throwing aborts the append.
    /// It runs before the log's head is locked, so it does not lengthen the time appends wait.
    @discardableResult
    public func append(
        _ events: [NewEvent],
        key: UUID = UUID(),
        alsoInTransaction work: @escaping @Sendable (PostgresConnection) throws -> Void
    ) async throws -> AppendResult {
        try await self.append(events, key: key, work: work)
    }

    private func append(
        _ events: [NewEvent],
        key: UUID,
        work: (@Sendable (PostgresConnection) throws -> Void)?
    ) async throws -> AppendResult {
        try validate(events)
        let batch = PreparedBatch(events)
        let beforeCommit = self.beforeCommit
        return try await self.pool.withConnection { connection in
            try appendBatch(
                batch,
                key: key,
                maximumChain: self.maximumChain,
                on: connection,
                beforeEvents: work,
                beforeCommit: beforeCommit
            )
        }
    }

    /// Appends one event; see ``append(_:key:)``.
    @discardableResult
    public func append(_ event: NewEvent, key: UUID = UUID()) async throws -> Int64 {
        try await self.append([event], key: key).positions.lowerBound
    }
}

/// Rejects inconsistent events before anything is sent.
func validate(_ events: [NewEvent]) throws {
    guard !events.isEmpty else { throw EventLogError(.invalidEvent, "an append needs at least one event") }
    for event in events {
        switch (event.outcome, event.payload) {
        case (.fetched, .none):
            throw EventLogError(.invalidEvent, "a fetched event of \(event.stream)/\(event.section) has no payload")
        case (.notModified, .none), (.notModified, .bytes):
            throw EventLogError(
                .invalidEvent,
                "a not-modified event of \(event.stream)/\(event.section) must refer to the payload it confirms"
            )
        default:
            continue
        }
    }
}

/// The events of one append with their payloads hashed (work done before taking a connection).
struct PreparedBatch: Sendable {
    let events: [NewEvent]
    let hashes: [PayloadHash?]
    let sizes: [Int32?]
    /// Distinct new payloads, sorted by hash so concurrent appenders lock them in the same order.
    let payloads: [(hash: PayloadHash, raw: [UInt8], versionOf: VersionKey)]
    /// Payloads that events confirm as unchanged, which must already be stored.
    let references: [PayloadHash]

    init(_ events: [NewEvent]) {
        var hashes = [PayloadHash?]()
        var sizes = [Int32?]()
        var payloads = [PayloadHash: ([UInt8], VersionKey)]()
        var references = Set<PayloadHash>()
        for event in events {
            switch event.payload {
            case .none:
                hashes.append(nil)
                sizes.append(nil)
            case .existing(let hash):
                hashes.append(hash)
                sizes.append(nil)
                references.insert(hash)
            case .bytes(let raw):
                let hash = PayloadHash(of: raw)
                hashes.append(hash)
                sizes.append(Int32(raw.count))
                if payloads[hash] == nil {
                    payloads[hash] = (
                        raw, VersionKey(stream: event.stream.rawValue, section: event.section, route: event.route)
                    )
                }
            }
        }
        self.events = events
        self.hashes = hashes
        self.sizes = sizes
        self.payloads = payloads.map { ($0.key, $0.value.0, $0.value.1) }.sorted { $0.hash < $1.hash }
        self.references = references.subtracting(payloads.keys).sorted()
    }
}

/// What a payload is a version of: the previous payload of the same stream, section and route is
/// the base a new one is stored against.
struct VersionKey: Sendable, Hashable {
    var stream: String
    var section: String
    var route: String
}

private struct DuplicateAppend: Error {}

func appendBatch(
    _ batch: PreparedBatch,
    key: UUID,
    maximumChain: Int = EventStore.defaultMaximumChain,
    on connection: PostgresConnection,
    beforeEvents: (@Sendable (PostgresConnection) throws -> Void)? = nil,
    beforeCommit: (@Sendable (PostgresConnection) throws -> Void)? = nil
) throws -> AppendResult {
    // A payload that was stored when the append began may have left with an archived partition
    // before its transaction took the head's lock: then the append starts over and stores it anew.
    var attempt = 0
    while true {
        do {
            return try appendBatchOnce(
                batch,
                key: key,
                maximumChain: maximumChain,
                on: connection,
                beforeEvents: beforeEvents,
                beforeCommit: beforeCommit
            )
        } catch is PayloadVanished {
            attempt += 1
            guard attempt < 3 else {
                throw EventLogError(
                    .missingPayload,
                    "payloads this append refers to kept leaving the log with archived partitions while it ran"
                )
            }
        }
    }
}

/// A payload an append refers to is no longer stored (an archive took it meanwhile).
private struct PayloadVanished: Error {}

private func appendBatchOnce(
    _ batch: PreparedBatch,
    key: UUID,
    maximumChain: Int,
    on connection: PostgresConnection,
    beforeEvents: (@Sendable (PostgresConnection) throws -> Void)?,
    beforeCommit: (@Sendable (PostgresConnection) throws -> Void)?
) throws -> AppendResult {
    if let existing = try existingAppend(key, on: connection) { return existing }

    // Compress only payloads the log does not hold yet: unchanged data costs no new payload bytes.
    // The same query checks that the payloads a not-modified event confirms exist; payloads are
    // never deleted, so that check cannot go stale (this replaces a per-row foreign key).
    let known = Set(
        try connection.query(
            "SELECT hash FROM eventlog.payloads WHERE hash = ANY($1)",
            [(batch.payloads.map(\.hash) + batch.references).map { ByteA($0.bytes) }]
        ).map { try PayloadHash(bytes: $0.get(0, as: ByteA.self).bytes)! }
    )
    if let missing = batch.references.first(where: { !known.contains($0) }) {
        throw EventLogError(
            .missingPayload,
            "a not-modified event refers to payload \(missing), which the log does not hold"
        )
    }
    let fresh = batch.payloads.filter { !known.contains($0.hash) }
    let bases = maximumChain > 0 ? try previousVersions(of: fresh, on: connection) : [:]
    let newPayloads = fresh.map { payload in
        (
            payload.hash, Int32(payload.raw.count),
            PayloadCodec.encode(payload.raw, base: bases[payload.versionOf], maximumChain: maximumChain)
        )
    }

    for attempt in 0..<2 {
        do {
            let result = try connection.transaction { connection in
                try insert(newPayloads, on: connection)
                try beforeEvents?(connection)
                let result = try insertEvents(batch, key: key, on: connection)
                try beforeCommit?(connection)
                return result
            }
            Measure.appended(
                events: batch.events.count,
                rawBytes: newPayloads.reduce(0) { $0 + Int($1.1) },
                storedBytes: newPayloads.reduce(0) { $0 + $1.2.body.count }
            )
            return result
        } catch is DuplicateAppend {
            // A concurrent append with the same key committed first.
            guard let existing = try existingAppend(key, on: connection) else { continue }
            return existing
        } catch let error as PostgresError where isMissingPartition(error) && attempt == 0 {
            let head = try connection.query("SELECT position FROM eventlog.head")[0].get(0, as: Int64.self)
            // The partitions this append needs, and the next one.
            try connection.query(
                "SELECT eventlog.ensure_partitions($1 + (SELECT partition_size FROM eventlog.layout))",
                [head + Int64(batch.events.count)]
            )
        } catch let error as PostgresError where error.sqlState == .undefinedTable {
            throw EventLogError(.notMigrated, "the database has no event log yet: run `memberaudit migrate`")
        }
    }
    throw EventLogError(.invalidEvent, "no partition of the event log can hold the new positions")
}

private func isMissingPartition(_ error: PostgresError) -> Bool {
    error.sqlState == .checkViolation && error.message.contains("no partition")
}

private func existingAppend(_ key: UUID, on connection: PostgresConnection) throws -> AppendResult? {
    let rows = try connection.query("SELECT first_position, event_count FROM eventlog.appends WHERE key = $1", [key])
    guard let row = rows.first else { return nil }
    let first: Int64 = try row.get(0)
    let count: Int64 = try row.get(1)
    return AppendResult(positions: first...(first + count - 1), wasDuplicate: true)
}

/// The newest payload of each version key that the log holds (fetched or confirmed; not an error
/// body), decoded: the bases new payloads are stored against. A base that cannot be read is no
/// base: the new payload becomes a keyframe.
private func previousVersions(
    of payloads: [(hash: PayloadHash, raw: [UInt8], versionOf: VersionKey)],
    on connection: PostgresConnection
) throws -> [VersionKey: PayloadBase] {
    let keys = Array(Set(payloads.filter { $0.raw.count >= 128 }.map(\.versionOf)))
    guard !keys.isEmpty else { return [:] }
    var newest = [VersionKey: (hash: PayloadHash, chain: Int)]()
    for row in try connection.query(
        """
        SELECT k.stream, k.section, k.route, b.payload_hash, p.chain
        FROM unnest($1::text[], $2::text[], $3::text[]) AS k(stream, section, route)
        CROSS JOIN LATERAL (
            SELECT e.payload_hash FROM eventlog.entries e
            WHERE e.stream_id = (SELECT id FROM eventlog.streams WHERE name = k.stream)
              AND e.route_id = (SELECT id FROM eventlog.routes WHERE section = k.section AND route = k.route)
              AND e.outcome <> 2 AND e.payload_hash IS NOT NULL
            ORDER BY e.fetched_at DESC, e.position DESC LIMIT 1) b
        JOIN eventlog.payloads p ON p.hash = b.payload_hash
        """,
        [keys.map(\.stream), keys.map(\.section), keys.map(\.route)]
    ) {
        guard let hash = PayloadHash(bytes: try row.get(3, as: ByteA.self).bytes) else { continue }
        let key = VersionKey(stream: try row.get(0), section: try row.get(1), route: try row.get(2))
        newest[key] = (hash, Int(try row.get(4, as: Int16.self)))
    }
    let decoded = try PayloadChains.decode(Set(newest.values.map(\.hash)), verify: false, on: connection)
    return newest.compactMapValues { base in
        guard case .success(let raw) = decoded[base.hash] else { return nil }
        return PayloadBase(hash: base.hash, raw: raw, chain: base.chain)
    }
}

private func insert(
    _ payloads: [(PayloadHash, Int32, EncodedPayload)],
    on connection: PostgresConnection
) throws {
    guard !payloads.isEmpty else { return }
    try connection.execute(
        """
        INSERT INTO eventlog.payloads (hash, codec, raw_size, stored_size, body, base_hash, chain)
        SELECT * FROM unnest($1::bytea[], $2::int2[], $3::int4[], $4::int4[], $5::bytea[], $6::bytea[], $7::int2[])
        ON CONFLICT (hash) DO NOTHING
        """,
        [
            payloads.map { ByteA($0.0.bytes) },
            payloads.map { $0.2.codec.rawValue },
            payloads.map { $0.1 },
            payloads.map { Int32($0.2.body.count) },
            payloads.map { ByteA($0.2.body) },
            payloads.map { $0.2.base.map { ByteA($0.bytes) } },
            payloads.map { Int16($0.2.chain) },
        ]
    )
}

private func insertEvents(_ batch: PreparedBatch, key: UUID, on connection: PostgresConnection) throws -> AppendResult {
    let count = Int64(batch.events.count)
    let events = batch.events
    // New streams and routes get their ids first (only names not there yet, so the identities
    // are not used up by conflicts).
    try connection.execute(
        """
        WITH streams AS (
            INSERT INTO eventlog.streams (name)
            SELECT DISTINCT x FROM unnest($1::text[]) x WHERE NOT EXISTS (SELECT FROM eventlog.streams s WHERE s.name = x)
            ON CONFLICT (name) DO NOTHING)
        INSERT INTO eventlog.routes (section, route)
        SELECT DISTINCT a, b FROM unnest($2::text[], $3::text[]) AS t(a, b)
        WHERE NOT EXISTS (SELECT FROM eventlog.routes r WHERE r.section = a AND r.route = b)
        ON CONFLICT (section, route) DO NOTHING
        """,
        [events.map(\.stream.rawValue), events.map(\.section), events.map(\.route)]
    )
    // Taking the head row's lock here, after the payloads and names, keeps it held only for the
    // short rest.
    let first = try connection.query(
        "UPDATE eventlog.head SET position = position + $1 RETURNING position - $1 + 1",
        [count]
    )[0].get(0, as: Int64.self)
    // Under the head's lock, which archiving takes too: every payload referred to is still stored.
    let referenced = Set(batch.hashes.compactMap { $0 })
    if !referenced.isEmpty {
        let stored = try connection.query(
            "SELECT count(*) FROM eventlog.payloads WHERE hash = ANY($1)",
            [referenced.map { ByteA($0.bytes) }]
        )[0].get(0, as: Int.self)
        if stored != referenced.count { throw PayloadVanished() }
    }
    let written = try connection.execute(
        """
        INSERT INTO eventlog.entries (position, fetched_at, last_modified, expires, stream_id, payload_size, pages,
            compatibility_date, route_id, outcome, http_status, payload_hash, etag, error, parameters)
        SELECT $1 + e.n - 1, e.fetched_at, e.last_modified, e.expires, s.id, e.payload_size, e.pages,
            e.compatibility_date::date, r.id, e.outcome, e.http_status, e.payload_hash, e.etag, e.error, e.parameters::jsonb
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int2[], $7::int2[], $8::text[], $9::text[],
            $10::timestamptz[], $11::timestamptz[], $12::int4[], $13::timestamptz[], $14::bytea[], $15::int4[],
            $16::text[])
            WITH ORDINALITY AS e(stream, section, route, parameters, outcome, http_status, error, etag, last_modified,
                expires, pages, fetched_at, payload_hash, payload_size, compatibility_date, n)
        JOIN eventlog.streams s ON s.name = e.stream
        JOIN eventlog.routes r ON r.section = e.section AND r.route = e.route
        """,
        [
            first,
            events.map(\.stream.rawValue),
            events.map(\.section),
            events.map(\.route),
            events.map { $0.storedParameters },
            events.map { $0.outcome.code },
            events.map { $0.httpStatus.map { Int16(clamping: $0) } },
            events.map(\.error),
            events.map(\.etag),
            events.map(\.lastModified),
            events.map(\.expires),
            events.map { $0.pages.map { Int32(clamping: $0) } },
            events.map(\.fetchedAt),
            batch.hashes.map { $0.map { ByteA($0.bytes) } },
            batch.sizes,
            events.map(\.compatibilityDate),
        ]
    )
    // Every event has its stream and route by now; a row lost in the joins would leave a gap.
    guard written == batch.events.count else {
        throw EventLogError(.invalidEvent, "\(batch.events.count - written) events found no stream or route id")
    }
    let recorded = try connection.execute(
        "INSERT INTO eventlog.appends (key, first_position, event_count) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        [key, first, Int32(count)]
    )
    if recorded == 0 { throw DuplicateAppend() }
    return AppendResult(positions: first...(first + count - 1), wasDuplicate: false)
}

extension Outcome {
    /// How `eventlog.entries` stores it.
    public var code: Int16 {
        switch self {
        case .fetched: 0
        case .notModified: 1
        case .failed: 2
        }
    }

    /// The outcome of a stored code; the table's check allows no other, and anything else would
    /// be read as a failure rather than trap.
    public init(storedCode: Int16) {
        switch storedCode {
        case 0: self = .fetched
        case 1: self = .notModified
        default: self = .failed
        }
    }
}

extension NewEvent {
    /// The parameters as stored: nil when they are the stream's own (a character stream's
    /// `character_id` alone, or none for a public stream), which `eventlog.events` puts back.
    var storedParameters: String? {
        if let id = self.stream.characterID {
            if self.parameters == ["character_id": String(id)] { return nil }
        } else if self.parameters.isEmpty {
            return nil
        }
        return encodeParameters(self.parameters)
    }
}

/// Parameters as a JSON object with sorted keys, so equal requests store equal text.
/// Written by hand: `JSONEncoder` was the largest client cost of an append.
func encodeParameters(_ parameters: [String: String]) -> String {
    guard !parameters.isEmpty else { return "{}" }
    var json: [UInt8] = [UInt8(ascii: "{")]
    for (index, key) in parameters.keys.sorted().enumerated() {
        if index > 0 { json.append(UInt8(ascii: ",")) }
        JSONText.appendString(key, to: &json)
        json.append(UInt8(ascii: ":"))
        JSONText.appendString(parameters[key] ?? "", to: &json)
    }
    json.append(UInt8(ascii: "}"))
    return String(decoding: json, as: UTF8.self)
}
