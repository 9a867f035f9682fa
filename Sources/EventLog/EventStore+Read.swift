import Foundation
import Postgres

extension EventStore {
    /// The highest position committed so far (0 for an empty log).
    public func headPosition() async throws -> Int64 {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT coalesce(max(position), 0) FROM eventlog.events")[0].get(0, as: Int64.self)
        }
    }

    /// Events after `position`, in position order: the tailing read of projectors.
    ///
    /// Gap-safe: every event with a position above the last one returned is still to come, so a
    /// caller may checkpoint the last position it got and ask again from there.
    public func read(after position: Int64, limit: Int = 1000) async throws -> [RecordedEvent] {
        try await self.pool.withConnection { connection in
            try connection.query(
                "SELECT \(eventColumns) FROM eventlog.events WHERE position > $1 ORDER BY position LIMIT $2",
                [position, Int64(limit)]
            ).map(decodeEvent)
        }
    }

    /// The events of one stream in position order, optionally of one section, up to a position
    /// and/or fetched at or before a moment.
    public func read(
        stream: Stream,
        section: String? = nil,
        through position: Int64? = nil,
        fetchedAtOrBefore time: Date? = nil
    ) async throws -> [RecordedEvent] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(eventColumns) FROM eventlog.events
                WHERE stream = $1 AND ($2::text IS NULL OR section = $2)
                    AND ($3::bigint IS NULL OR position <= $3) AND ($4::timestamptz IS NULL OR fetched_at <= $4)
                ORDER BY position
                """,
                [stream.rawValue, section, position, time]
            ).map(decodeEvent)
        }
    }

    /// The raw bytes of a payload.
    ///
    /// - Parameter verify: also recompute the hash of the decoded bytes.
    /// - Throws: ``EventLogError`` with `.missingPayload` or `.corruptPayload`.
    public func payload(_ hash: PayloadHash, verify: Bool = false) async throws -> [UInt8] {
        let found = try await self.payloads([hash], verify: verify)
        guard let bytes = found[hash] else {
            throw EventLogError(.missingPayload, "payload \(hash) is not in the log")
        }
        return bytes
    }

    /// The raw bytes of several payloads; hashes not stored are absent from the result.
    public func payloads(_ hashes: [PayloadHash], verify: Bool = false) async throws -> [PayloadHash: [UInt8]] {
        guard !hashes.isEmpty else { return [:] }
        return try await self.pool.withConnection { connection in
            try Self.payloads(hashes, verify: verify, on: connection).mapValues { try $0.get() }
        }
    }

    /// The payloads of `hashes` read on a connection the caller holds (inside its transaction),
    /// each decoded or with the reason it could not be: callers that skip a corrupt payload and go
    /// on (the projectors) and callers that stop at one (``payloads(_:verify:)``) share it.
    public static func payloads(
        _ hashes: some Collection<PayloadHash>,
        verify: Bool = false,
        on connection: PostgresConnection
    ) throws -> [PayloadHash: Result<[UInt8], EventLogError>] {
        guard !hashes.isEmpty else { return [:] }
        return try PayloadChains.decode(hashes, verify: verify, on: connection)
    }
}

let eventColumns = """
    position, stream, section, route, parameters::text, outcome, http_status, error, etag, last_modified, expires, \
    pages, fetched_at, recorded_at, payload_hash, payload_size, to_char(compatibility_date, 'YYYY-MM-DD')
    """

func decodeEvent(_ row: PostgresRow) throws -> RecordedEvent {
    let parametersText: String = try row.get(4)
    let parameters =
        (try? JSONSerialization.jsonObject(with: Data(parametersText.utf8)) as? [String: String]) ?? [:]
    let outcomeText: String = try row.get(5)
    guard let outcome = Outcome(rawValue: outcomeText) else {
        throw EventLogError(.invalidEvent, "unknown outcome \(outcomeText)")
    }
    return RecordedEvent(
        position: try row.get(0),
        stream: Stream(rawValue: try row.get(1)),
        section: try row.get(2),
        route: try row.get(3),
        parameters: parameters,
        outcome: outcome,
        httpStatus: try row.get(6, as: Int?.self),
        error: try row.get(7),
        etag: try row.get(8),
        lastModified: try row.get(9),
        expires: try row.get(10),
        pages: try row.get(11, as: Int?.self),
        fetchedAt: try row.get(12),
        recordedAt: try row.get(13),
        payloadHash: try row.get(14, as: ByteA?.self).flatMap { PayloadHash(bytes: $0.bytes) },
        payloadSize: try row.get(15, as: Int?.self),
        compatibilityDate: try row.get(16)
    )
}
