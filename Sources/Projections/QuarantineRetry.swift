import EventLog
import Foundation
import Postgres

/// What `memberaudit project --retry-quarantined` did.
public struct QuarantineRetryReport: Sendable, Codable {
    /// Quarantined events tried again.
    public var tried: Int
    /// Those that decode now.
    public var decodeNow: Int
    /// Projectors rebuilt to apply them in log order.
    public var rebuilt: [String]
    /// Still quarantined after the rebuild.
    public var stillQuarantined: Int
}

extension Rebuilder {
    /// Tries every quarantined event again. A quarantined event that decodes now (after a fix)
    /// cannot just be applied late: later events of its section may depend on it or supersede it.
    /// Its projector is rebuilt instead, which applies it in log order and releases it.
    public func retryQuarantined(
        jobs: Int = 2,
        progress: @escaping @Sendable (RebuildProgress) -> Void = { _ in }
    ) async throws -> QuarantineRetryReport {
        let (tried, fixed) = try await self.pool.withConnection { connection -> (Int, Set<String>) in
            let entries = try connection.query(
                "SELECT projector, position FROM projection.quarantine ORDER BY position"
            )
            .map { (try $0.get(0, as: String.self), try $0.get(1, as: Int64.self)) }
            var fixed = Set<String>()
            for chunk in stride(from: 0, to: entries.count, by: 1000).map({
                entries[$0..<min($0 + 1000, entries.count)]
            }) {
                let positions = chunk.map(\.1)
                let events = Dictionary(
                    uniqueKeysWithValues: try EventStore.envelopes(at: positions, on: connection)
                        .map { ($0.position, $0) }
                )
                var parsed = ParsedPayloads(
                    payloads: try EventSource.payloads(Set(events.values.compactMap(\.payloadHash)), on: connection)
                )
                for (name, position) in chunk {
                    guard let projector = Catalog.projector(named: name), let event = events[position] else { continue }
                    var scratch = Batch()
                    if Applier.apply(event, to: projector, batch: &scratch, parsed: &parsed) { fixed.insert(name) }
                }
            }
            return (entries.count, fixed)
        }
        guard !fixed.isEmpty else {
            return QuarantineRetryReport(tried: tried, decodeNow: 0, rebuilt: [], stillQuarantined: tried)
        }
        let report = try await self.rebuild(RebuildOptions(projectors: fixed.sorted(), jobs: jobs), progress: progress)
        let left = try await self.pool.withConnection {
            Int(try $0.query("SELECT count(*) FROM projection.quarantine")[0].get(0, as: Int64.self))
        }
        return QuarantineRetryReport(
            tried: tried,
            decodeNow: report.released,
            rebuilt: report.projectors,
            stillQuarantined: left
        )
    }
}
