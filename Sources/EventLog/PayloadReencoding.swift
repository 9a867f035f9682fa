import Postgres

/// Storing payloads again in another form, the same bytes under the same hash: deltas for payloads
/// stored before delta payloads (`memberaudit log reencode`), keyframes for payloads whose base a
/// purge takes away. Runs under the `eventlog.reencoding` setting, which is the only way the
/// immutability trigger lets an UPDATE of a payload through (and only one that keeps its hash,
/// size and time).
public enum PayloadReencoding {
    /// Makes keyframes of the payloads that other streams keep but that rest on a payload only
    /// `stream` refers to, so purging the stream breaks no chain. Runs in the caller's
    /// transaction, before the purge; returns how many it rewrote.
    public static func keyframeDependants(ofStream stream: String, on connection: PostgresConnection) throws -> Int {
        let rows = try connection.query(
            """
            WITH mine AS (SELECT DISTINCT payload_hash AS hash FROM eventlog.events
                          WHERE stream = $1 AND payload_hash IS NOT NULL),
                 gone AS (SELECT hash FROM mine WHERE hash NOT IN (
                              SELECT e.payload_hash FROM eventlog.events e
                              WHERE e.payload_hash IN (SELECT hash FROM mine) AND e.stream <> $1))
            SELECT d.hash FROM eventlog.payloads d
            WHERE d.base_hash IN (SELECT hash FROM gone) AND d.hash NOT IN (SELECT hash FROM gone)
            """,
            [stream]
        )
        let hashes = try rows.compactMap { PayloadHash(bytes: try $0.get(0, as: ByteA.self).bytes) }
        guard !hashes.isEmpty else { return 0 }
        let decoded = try PayloadChains.decode(hashes, verify: true, on: connection)
        try connection.execute("SELECT set_config('eventlog.reencoding', 'on', true)")
        defer { _ = try? connection.execute("SELECT set_config('eventlog.reencoding', '', true)") }
        for hash in hashes {
            // A dependant that cannot be read now could not be read after the purge either; it
            // stays as it is, and `audit verify` reports it.
            guard case .success(let raw) = decoded[hash] else { continue }
            try self.store(hash, PayloadCodec.encode(raw, base: nil, maximumChain: 0), on: connection)
        }
        return hashes.count
    }

    static func store(_ hash: PayloadHash, _ encoded: EncodedPayload, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            UPDATE eventlog.payloads SET codec = $2, stored_size = $3, body = $4, base_hash = $5, chain = $6
            WHERE hash = $1
            """,
            [
                ByteA(hash.bytes), encoded.codec.rawValue, Int32(encoded.body.count), ByteA(encoded.body),
                encoded.base.map { ByteA($0.bytes) }, Int16(encoded.chain),
            ]
        )
    }
}

/// Re-encodes the log's payloads as delta chains: each stream's, section's and route's versions
/// in the order they were first fetched, a delta against the previous version where that is
/// smaller, a keyframe where the chain would grow past `maximumChain` (or the delta does not pay).
/// Payloads stored before delta payloads become deltas; payloads already in their form are left.
///
/// Idempotent and resumable: each version key is rewritten in one transaction together with the
/// run's checkpoint (`eventlog.reencodings`), so a run that is killed loses at most the key it
/// was on and the next run goes on from there. Every rewritten payload is decoded again and
/// compared with its bytes before it is written. Appends may go on meanwhile; a payload appended
/// against a base while that base is rewritten may rest on a chain up to `maximumChain` longer
/// than the bound (readers follow up to 64), which the next run puts right.
public struct PayloadReencoder: Sendable {
    public let pool: PostgresPool
    public var maximumChain: Int
    /// Rest after each version key, to leave the database to the workers.
    public var pause: Duration = .zero

    public init(pool: PostgresPool, maximumChain: Int = EventStore.defaultMaximumChain) {
        self.pool = pool
        self.maximumChain = max(0, min(maximumChain, 64))
    }

    public struct Progress: Sendable, Codable, Equatable {
        public var run: Int64
        public var keys: Int
        public var keysDone: Int
        public var payloads: Int64
        public var bytesBefore: Int64
        public var bytesAfter: Int64
        /// True when the run went on from where an interrupted one stopped.
        public var resumed: Bool
    }

    /// Runs (or resumes) a re-encoding to its end; `progress` is told after every version key.
    public func run(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Progress {
        let (run, checkpoint, totals) = try await self.pool.transaction { connection in
            let open = try connection.query(
                """
                SELECT id, last_stream, last_section, last_route, payloads, bytes_before, bytes_after
                FROM eventlog.reencodings WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1
                """
            )
            if let row = open.first {
                let key: VersionKey? =
                    if let stream: String = try row.get(1) {
                        VersionKey(stream: stream, section: try row.get(2), route: try row.get(3))
                    } else { nil }
                return (
                    try row.get(0, as: Int64.self), key,
                    (try row.get(4, as: Int64.self), try row.get(5, as: Int64.self), try row.get(6, as: Int64.self))
                )
            }
            let id = try connection.query(
                "INSERT INTO eventlog.reencodings (maximum_chain) VALUES ($1) RETURNING id",
                [Int16(self.maximumChain)]
            )[0].get(0, as: Int64.self)
            return (id, nil, (Int64(0), Int64(0), Int64(0)))
        }
        let keys = try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT s.name, r.section, r.route FROM (SELECT DISTINCT stream_id, route_id FROM eventlog.entries) k
                JOIN eventlog.streams s ON s.id = k.stream_id JOIN eventlog.routes r ON r.id = k.route_id
                """
            ).map {
                VersionKey(stream: try $0.get(0), section: try $0.get(1), route: try $0.get(2))
            }
        }.sorted { ($0.stream, $0.section, $0.route) < ($1.stream, $1.section, $1.route) }
        let remaining =
            checkpoint.map { last in
                keys.filter { ($0.stream, $0.section, $0.route) > (last.stream, last.section, last.route) }
            } ?? keys
        var state = Progress(
            run: run,
            keys: keys.count,
            keysDone: keys.count - remaining.count,
            payloads: totals.0,
            bytesBefore: totals.1,
            bytesAfter: totals.2,
            resumed: checkpoint != nil
        )
        for key in remaining {
            try Task.checkCancellation()
            let done = try await self.pool.transaction { connection in
                let done = try self.reencode(key, on: connection)
                try connection.execute(
                    """
                    UPDATE eventlog.reencodings SET last_stream = $2, last_section = $3, last_route = $4,
                        payloads = payloads + $5, bytes_before = bytes_before + $6, bytes_after = bytes_after + $7
                    WHERE id = $1
                    """,
                    [run, key.stream, key.section, key.route, done.payloads, done.before, done.after]
                )
                return done
            }
            state.keysDone += 1
            state.payloads += done.payloads
            state.bytesBefore += done.before
            state.bytesAfter += done.after
            progress(state)
            if self.pause > .zero { try await Task.sleep(for: self.pause) }
        }
        try await self.pool.withConnection { connection in
            try connection.execute(
                "UPDATE eventlog.reencodings SET finished_at = clock_timestamp() WHERE id = $1",
                [run]
            )
        }
        return state
    }

    /// Rewrites the versions of one key that are not in their form; returns how many and their
    /// stored bytes before and after.
    private func reencode(
        _ key: VersionKey,
        on connection: PostgresConnection
    ) throws -> (payloads: Int64, before: Int64, after: Int64) {
        struct Version {
            var hash: PayloadHash
            var codec: Int16
            var base: PayloadHash?
            var chain: Int
            var rawSize: Int
            var stored: Int
        }
        let versions = try connection.query(
            """
            SELECT p.hash, p.codec, p.base_hash, p.chain, p.raw_size, p.stored_size
            FROM (SELECT payload_hash, min(position) AS first FROM eventlog.events
                  WHERE stream = $1 AND section = $2 AND route = $3 AND outcome <> 'failed' AND payload_hash IS NOT NULL
                  GROUP BY payload_hash) v
            JOIN eventlog.payloads p ON p.hash = v.payload_hash
            ORDER BY v.first
            """,
            [key.stream, key.section, key.route]
        ).compactMap { row -> Version? in
            guard let hash = PayloadHash(bytes: try row.get(0, as: ByteA.self).bytes) else { return nil }
            return Version(
                hash: hash,
                codec: try row.get(1),
                base: try row.get(2, as: ByteA?.self).flatMap { PayloadHash(bytes: $0.bytes) },
                chain: Int(try row.get(3, as: Int16.self)),
                rawSize: try row.get(4, as: Int.self),
                stored: try row.get(5, as: Int.self)
            )
        }
        try connection.execute("SELECT set_config('eventlog.reencoding', 'on', true)")
        var done: (payloads: Int64, before: Int64, after: Int64) = (0, 0, 0)
        var previous: (hash: PayloadHash, chain: Int)?
        let delta = PayloadCodec.lz4Delta.rawValue
        for version in versions {
            let isDelta = version.codec == delta
            // The form this version should have: a keyframe first, after a full chain, and for
            // payloads too small to compress; else a delta on the previous version.
            let base = version.rawSize < 128 ? nil : previous.flatMap { $0.chain < self.maximumChain ? $0 : nil }
            guard let base else {
                if !isDelta {
                    previous = (version.hash, 0)
                    continue
                }
                previous = try self.rewrite(version.hash, stored: version.stored, on: nil, &done, connection)
                continue
            }
            if isDelta && version.base == base.hash && version.chain == base.chain + 1 {
                previous = (version.hash, version.chain)
                continue
            }
            // A base that rests on this version (content shared with another key, rewritten
            // there) would make a loop: this version stays as it is.
            if try self.rests(base.hash, on: version.hash, connection) {
                previous = (version.hash, isDelta ? version.chain : 0)
                continue
            }
            previous = try self.rewrite(version.hash, stored: version.stored, on: base, &done, connection)
        }
        try connection.execute("SELECT set_config('eventlog.reencoding', '', true)")
        return done
    }

    /// Stores `hash` again: as a delta on `base` where that is smaller, else as a keyframe (not
    /// written when it is one already). Returns what the next version may rest on; nil when this
    /// one cannot be read (left for `audit verify` to report).
    private func rewrite(
        _ hash: PayloadHash,
        stored: Int,
        on base: (hash: PayloadHash, chain: Int)?,
        _ done: inout (payloads: Int64, before: Int64, after: Int64),
        _ connection: PostgresConnection
    ) throws -> (hash: PayloadHash, chain: Int)? {
        let decoded = try PayloadChains.decode([hash] + (base.map { [$0.hash] } ?? []), verify: false, on: connection)
        guard case .success(let raw) = decoded[hash] else { return nil }
        var dictionary: PayloadBase?
        if let base, case .success(let baseRaw) = decoded[base.hash] {
            dictionary = PayloadBase(hash: base.hash, raw: baseRaw, chain: base.chain)
        }
        let encoded = PayloadCodec.encode(raw, base: dictionary, maximumChain: self.maximumChain)
        let current = try connection.query("SELECT codec FROM eventlog.payloads WHERE hash = $1", [ByteA(hash.bytes)])
        if encoded.codec != .lz4Delta, try current.first?.get(0, as: Int16.self) != PayloadCodec.lz4Delta.rawValue {
            return (hash, 0)
        }
        // Decoded again before it replaces what is stored.
        guard (try? encoded.codec.decode(encoded.body, rawSize: raw.count, base: dictionary?.raw)) == raw else {
            throw EventLogError(.corruptPayload, "re-encoding payload \(hash) does not round-trip")
        }
        try PayloadReencoding.store(hash, encoded, on: connection)
        done.payloads += 1
        done.before += Int64(stored)
        done.after += Int64(encoded.body.count)
        return (hash, encoded.chain)
    }

    /// Whether `payload` rests on `ancestor` (follows bases up to 64 steps).
    private func rests(
        _ payload: PayloadHash,
        on ancestor: PayloadHash,
        _ connection: PostgresConnection
    ) throws -> Bool {
        let rows = try connection.query(
            """
            WITH RECURSIVE up(hash, base, n) AS (
                SELECT hash, base_hash, 0 FROM eventlog.payloads WHERE hash = $1
                UNION ALL
                SELECT p.hash, p.base_hash, up.n + 1 FROM eventlog.payloads p JOIN up ON p.hash = up.base
                WHERE up.n < 64)
            SELECT count(*) FROM up WHERE hash = $2
            """,
            [ByteA(payload.bytes), ByteA(ancestor.bytes)]
        )
        return try rows[0].get(0, as: Int64.self) > 0
    }
}
