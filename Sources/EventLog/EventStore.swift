import Foundation
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

    public init(pool: PostgresPool) { self.pool = pool }

    /// Appends `events` atomically, in order.
    ///
    /// - Parameters:
    ///   - events: the events; a fetched event needs a payload, a not-modified one an existing payload.
    ///   - key: identifies this append. Appending again with the same key (a retry after a lost
    ///     reply) writes nothing and returns the first append's positions.
    @discardableResult
    public func append(_ events: [NewEvent], key: UUID = UUID()) async throws -> AppendResult {
        try validate(events)
        let batch = PreparedBatch(events)
        let beforeCommit = self.beforeCommit
        return try await self.pool.withConnection { connection in
            try appendBatch(batch, key: key, on: connection, beforeCommit: beforeCommit)
        }
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
        try validate(events)
        let batch = PreparedBatch(events)
        let beforeCommit = self.beforeCommit
        return try await self.pool.withConnection { connection in
            try appendBatch(batch, key: key, on: connection, beforeEvents: work, beforeCommit: beforeCommit)
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
    let payloads: [(hash: PayloadHash, raw: [UInt8])]
    /// Payloads that events confirm as unchanged, which must already be stored.
    let references: [PayloadHash]

    init(_ events: [NewEvent]) {
        var hashes = [PayloadHash?]()
        var sizes = [Int32?]()
        var payloads = [PayloadHash: [UInt8]]()
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
                payloads[hash] = raw
            }
        }
        self.events = events
        self.hashes = hashes
        self.sizes = sizes
        self.payloads = payloads.map { ($0.key, $0.value) }.sorted { $0.hash < $1.hash }
        self.references = references.subtracting(payloads.keys).sorted()
    }
}

private struct DuplicateAppend: Error {}

func appendBatch(
    _ batch: PreparedBatch,
    key: UUID,
    on connection: PostgresConnection,
    beforeEvents: (@Sendable (PostgresConnection) throws -> Void)? = nil,
    beforeCommit: (@Sendable (PostgresConnection) throws -> Void)? = nil
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
    let newPayloads = batch.payloads.filter { !known.contains($0.hash) }.map { payload in
        let encoded = PayloadCodec.encode(payload.raw)
        return (payload.hash, encoded.codec, Int32(payload.raw.count), encoded.body)
    }

    for attempt in 0..<2 {
        do {
            return try connection.transaction { connection in
                try insert(newPayloads, on: connection)
                try beforeEvents?(connection)
                let result = try insertEvents(batch, key: key, on: connection)
                try beforeCommit?(connection)
                return result
            }
        } catch is DuplicateAppend {
            // A concurrent append with the same key committed first.
            guard let existing = try existingAppend(key, on: connection) else { continue }
            return existing
        } catch let error as PostgresError where isMissingPartition(error) && attempt == 0 {
            let head = try connection.query("SELECT position FROM eventlog.head")[0].get(0, as: Int64.self)
            try connection.query(
                "SELECT eventlog.ensure_partitions($1)",
                [head + Int64(batch.events.count) + 10_000_000]
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

private func insert(
    _ payloads: [(PayloadHash, PayloadCodec, Int32, [UInt8])],
    on connection: PostgresConnection
) throws {
    guard !payloads.isEmpty else { return }
    try connection.execute(
        """
        INSERT INTO eventlog.payloads (hash, codec, raw_size, stored_size, body)
        SELECT * FROM unnest($1::bytea[], $2::int2[], $3::int4[], $4::int4[], $5::bytea[])
        ON CONFLICT (hash) DO NOTHING
        """,
        [
            payloads.map { ByteA($0.0.bytes) },
            payloads.map { $0.1.rawValue },
            payloads.map { $0.2 },
            payloads.map { Int32($0.3.count) },
            payloads.map { ByteA($0.3) },
        ]
    )
}

private func insertEvents(_ batch: PreparedBatch, key: UUID, on connection: PostgresConnection) throws -> AppendResult {
    let count = Int64(batch.events.count)
    // Taking the head row's lock here, after the payloads, keeps it held only for the short rest.
    let first = try connection.query(
        "UPDATE eventlog.head SET position = position + $1 RETURNING position - $1 + 1",
        [count]
    )[0].get(0, as: Int64.self)
    let events = batch.events
    try connection.execute(
        """
        INSERT INTO eventlog.events (position, stream, section, route, parameters, outcome, http_status, error, etag,
            last_modified, expires, pages, fetched_at, payload_hash, payload_size, compatibility_date, append_key)
        SELECT $1 + e.n - 1, e.stream, e.section, e.route, e.parameters::jsonb, e.outcome, e.http_status, e.error,
            e.etag, e.last_modified, e.expires, e.pages, e.fetched_at, e.payload_hash, e.payload_size,
            e.compatibility_date::date, $2
        FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int2[], $9::text[], $10::text[],
            $11::timestamptz[], $12::timestamptz[], $13::int4[], $14::timestamptz[], $15::bytea[], $16::int4[],
            $17::text[])
            WITH ORDINALITY AS e(stream, section, route, parameters, outcome, http_status, error, etag, last_modified,
                expires, pages, fetched_at, payload_hash, payload_size, compatibility_date, n)
        """,
        [
            first, key,
            events.map(\.stream.rawValue),
            events.map(\.section),
            events.map(\.route),
            events.map { encodeParameters($0.parameters) },
            events.map(\.outcome.rawValue),
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
    let recorded = try connection.execute(
        "INSERT INTO eventlog.appends (key, first_position, event_count) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        [key, first, Int32(count)]
    )
    if recorded == 0 { throw DuplicateAppend() }
    return AppendResult(positions: first...(first + count - 1), wasDuplicate: false)
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
