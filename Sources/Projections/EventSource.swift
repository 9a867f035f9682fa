import EventLog
import Foundation
import Postgres

/// An event's envelope as projectors read it (the columns they need, nothing more).
typealias EnvelopeRow = EventStore.Envelope

extension EventStore.Envelope {
    func event(json: Any?) -> ProjectionEvent { ProjectionEvent(envelope: self, json: json) }
}

/// Synchronous reads of the log for projection (they run on a pool connection's own queue).
/// Removed characters' events stay in the log, but no read model shows them (see
/// docs/skill-sets.md, "Removing a character"): they are read and left out here.
enum EventSource {
    /// Events after `position`, up to `through`, at most `limit` scanned, in log order; removed
    /// characters' events are scanned but not returned. `scanned`: the last position looked at (a
    /// checkpoint may move past removed characters' events).
    static func events(
        after position: Int64,
        through last: Int64 = .max,
        limit: Int,
        on connection: PostgresConnection
    ) throws -> (events: [EnvelopeRow], scanned: Int64?, scannedCount: Int) {
        let scanned = try EventStore.envelopes(after: position, through: last, limit: limit, on: connection)
        let removed = try RemovedStreams(on: connection)
        return (scanned.filter { !removed.hides($0) }, scanned.last?.position, scanned.count)
    }

    /// The events of some streams up to a position, ordered by stream and position.
    static func events(
        streams: [String],
        through last: Int64,
        on connection: PostgresConnection
    ) throws -> [EnvelopeRow] {
        let events = try EventStore.envelopes(streams: streams, through: last, on: connection)
        let removed = try RemovedStreams(on: connection)
        return events.filter { !removed.hides($0) }
    }

    /// Every stream of the log with events but those of characters still removed.
    static func streams(on connection: PostgresConnection) throws -> [String] {
        let streams = try EventStore.streamsWithEvents(on: connection)
        let removed = try RemovedStreams(on: connection)
        return streams.filter { !removed.hidesAll($0) }
    }

    /// Decoded payloads; a payload missing or corrupt is absent or a failure (its events are
    /// quarantined with the reason).
    static func payloads(
        _ hashes: Set<PayloadHash>,
        on connection: PostgresConnection
    ) throws
        -> [PayloadHash: Result<[UInt8], EventLogError>]
    {
        try EventStore.payloads(hashes, on: connection)
    }
}

/// The streams of removed characters and how far their events are hidden: all of them while the
/// character stays removed (no `through_position`), those up to its removal once it came back.
/// Read after the events it filters, so a removal committed meanwhile hides them too.
struct RemovedStreams {
    private var through: [String: Int64?] = [:]

    init(on connection: PostgresConnection) throws {
        for row in try connection.query("SELECT stream, through_position FROM sync.removed_characters") {
            self.through[try row.get(0, as: String.self)] = .some(try row.get(1, as: Int64?.self))
        }
    }

    func hides(_ event: EnvelopeRow) -> Bool {
        guard let through = self.through[event.stream.rawValue] else { return false }
        return through.map { event.position <= $0 } ?? true
    }

    func hidesAll(_ stream: String) -> Bool {
        guard let through = self.through[stream] else { return false }
        return through == nil
    }
}
