import EventLog
import Foundation
import Postgres

/// A read model computed from other read models rather than from events (skill-set checks from
/// skills and attributes). Incrementally, it is refreshed in the same transaction as each batch,
/// for the characters whose input sections the batch changed; a rebuild computes it in full from
/// the rebuilt (or live) inputs before the swap. Its tables, DDL and version work as a projector's.
public struct DerivedModel: Sendable {
    public let name: String
    public let tables: [TableSpec]
    /// The projectors it reads, and the sections of theirs whose events make a character's rows stale.
    public let inputs: [String: Set<String>]
    /// Recomputes the rows of `characters` (nil: all) into `schema`, reading each input projector's
    /// tables from `inputSchema(projector)`. Returns the rows written.
    let refresh:
        @Sendable (
            _ characters: [Int64]?, _ schema: String, _ inputSchema: (String) -> String,
            _ connection: PostgresConnection
        ) throws -> Int

    /// The characters whose rows `events` make stale, for the input projectors in `active` above
    /// their checkpoints.
    func touched(by events: [EnvelopeRow], active: [(projector: Projector, checkpoint: Int64)]) -> [Int64] {
        var characters = Set<Int64>()
        for (projector, checkpoint) in active {
            guard let sections = self.inputs[projector.name] else { continue }
            for event in events
            where event.position > checkpoint && event.outcome == .fetched && sections.contains(event.section) {
                if let id = event.stream.characterID { characters.insert(id) }
            }
        }
        return characters.sorted()
    }

    /// Refreshes the rows `events` make stale in `schema` (inputs read from the same schema).
    func refresh(
        after events: [EnvelopeRow],
        active: [(projector: Projector, checkpoint: Int64)],
        schema: String,
        on connection: PostgresConnection
    ) throws {
        let characters = self.touched(by: events, active: active)
        guard !characters.isEmpty else { return }
        _ = try self.refresh(characters, schema, { _ in schema }, connection)
    }
}
