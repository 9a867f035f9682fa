import Postgres

/// Counts of one section's events.
public struct SectionStatistics: Sendable, Codable, Equatable {
    public var events = 0
    public var fetched = 0
    public var notModified = 0
    public var failed = 0
    /// Raw bytes of the payloads the section's fetched events carried (before dedup).
    public var payloadBytes: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case events, fetched, failed
        case notModified = "not_modified"
        case payloadBytes = "payload_bytes"
    }
}

/// What the log holds: events by section and outcome, payloads, sizes and ratios.
public struct LogStatistics: Sendable, Codable, Equatable {
    public var events = 0
    public var headPosition: Int64 = 0
    public var sections: [String: SectionStatistics] = [:]
    public var payloads = 0
    /// Raw bytes of all distinct payloads.
    public var payloadRawBytes: Int64 = 0
    /// Bytes of the stored (compressed) bodies.
    public var payloadStoredBytes: Int64 = 0
    /// Raw bytes that all events referred to, counting a payload once per event that carried it.
    public var referencedRawBytes: Int64 = 0
    /// On-disk size of the log's tables and indexes.
    public var diskBytes: Int64 = 0

    /// Raw over stored bytes of the distinct payloads (LZ4's effect).
    public var compressionRatio: Double {
        self.payloadStoredBytes == 0 ? 0 : Double(self.payloadRawBytes) / Double(self.payloadStoredBytes)
    }

    /// Referenced over distinct raw bytes (content addressing's effect).
    public var dedupRatio: Double {
        self.payloadRawBytes == 0 ? 0 : Double(self.referencedRawBytes) / Double(self.payloadRawBytes)
    }

    enum CodingKeys: String, CodingKey {
        case events, sections, payloads
        case headPosition = "head_position"
        case payloadRawBytes = "payload_raw_bytes"
        case payloadStoredBytes = "payload_stored_bytes"
        case referencedRawBytes = "referenced_raw_bytes"
        case diskBytes = "disk_bytes"
        case compressionRatio = "compression_ratio"
        case dedupRatio = "dedup_ratio"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.events = try container.decode(Int.self, forKey: .events)
        self.headPosition = try container.decode(Int64.self, forKey: .headPosition)
        self.sections = try container.decode([String: SectionStatistics].self, forKey: .sections)
        self.payloads = try container.decode(Int.self, forKey: .payloads)
        self.payloadRawBytes = try container.decode(Int64.self, forKey: .payloadRawBytes)
        self.payloadStoredBytes = try container.decode(Int64.self, forKey: .payloadStoredBytes)
        self.referencedRawBytes = try container.decode(Int64.self, forKey: .referencedRawBytes)
        self.diskBytes = try container.decode(Int64.self, forKey: .diskBytes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.events, forKey: .events)
        try container.encode(self.headPosition, forKey: .headPosition)
        try container.encode(self.sections, forKey: .sections)
        try container.encode(self.payloads, forKey: .payloads)
        try container.encode(self.payloadRawBytes, forKey: .payloadRawBytes)
        try container.encode(self.payloadStoredBytes, forKey: .payloadStoredBytes)
        try container.encode(self.referencedRawBytes, forKey: .referencedRawBytes)
        try container.encode(self.diskBytes, forKey: .diskBytes)
        try container.encode(self.compressionRatio, forKey: .compressionRatio)
        try container.encode(self.dedupRatio, forKey: .dedupRatio)
    }
}

extension EventStore {
    /// Counts the log's events and payloads. Reads every event row: seconds on a large log.
    public func statistics() async throws -> LogStatistics {
        try await self.pool.withConnection { connection in
            var statistics = LogStatistics()
            let sections = try connection.query(
                """
                SELECT section, outcome, count(*), coalesce(sum(payload_size), 0)::bigint
                FROM eventlog.events GROUP BY section, outcome
                """
            )
            for row in sections {
                let name: String = try row.get(0)
                let count: Int = try row.get(2)
                var section = statistics.sections[name] ?? SectionStatistics()
                section.events += count
                switch Outcome(rawValue: try row.get(1)) {
                case .fetched: section.fetched += count
                case .notModified: section.notModified += count
                case .failed: section.failed += count
                case nil: break
                }
                section.payloadBytes += try row.get(3, as: Int64.self)
                statistics.sections[name] = section
                statistics.events += count
            }
            let payloads = try connection.query(
                """
                SELECT count(*), coalesce(sum(raw_size), 0)::bigint, coalesce(sum(stored_size), 0)::bigint,
                    (SELECT position FROM eventlog.head),
                    (SELECT coalesce(sum(payload_size), 0)::bigint FROM eventlog.events WHERE outcome = 'fetched'),
                    (SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'eventlog' AND c.relkind IN ('r', 'p'))
                FROM eventlog.payloads
                """
            )[0]
            statistics.payloads = try payloads.get(0)
            statistics.payloadRawBytes = try payloads.get(1)
            statistics.payloadStoredBytes = try payloads.get(2)
            statistics.headPosition = try payloads.get(3)
            statistics.referencedRawBytes = try payloads.get(4)
            statistics.diskBytes = try payloads.get(5, as: Int64?.self) ?? 0
            return statistics
        }
    }
}
