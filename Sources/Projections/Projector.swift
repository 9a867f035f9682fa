import EventLog
import Foundation
import Vocabulary

/// How the rebuild may read an event section.
public enum SectionKind: Sendable, Hashable {
    /// Each fetch replaces the previous one's rows (per character, and per value of the named
    /// parameter when given, e.g. a contract's items): a rebuild applies only the newest fetch
    /// that decodes, which gives the same rows as applying them all in order.
    case snapshot(parameter: String? = nil)
    /// Every fetch adds to what is known: all are applied in order.
    case accumulating
}

/// An event as a projector sees it: the envelope (its fields read as the event's own:
/// `event.section`, `event.fetchedAt`), and the parsed payload of a fetched event.
@dynamicMemberLookup
public struct ProjectionEvent {
    public var envelope: EventStore.Envelope
    /// The parsed payload (fetched events of projectors that read payloads; nil otherwise).
    public var json: Any?

    public init(envelope: EventStore.Envelope, json: Any?) {
        self.envelope = envelope
        self.json = json
    }

    public subscript<Value>(dynamicMember field: KeyPath<EventStore.Envelope, Value>) -> Value {
        self.envelope[keyPath: field]
    }

    public var characterID: Int64? { self.stream.characterID }

    /// The character of a character stream; public streams have none.
    func requireCharacter() throws -> Int64 {
        guard let id = self.characterID else { throw DecodeError("\(self.stream) is not a character stream") }
        return id
    }

    func parameter(_ name: String) throws -> Int64 {
        guard let text = self.parameters[name], let value = Int64(text) else {
            throw DecodeError("the event has no parameter \(name)")
        }
        return value
    }
}

/// A change a projector makes for one event.
public enum Write {
    /// Replace every row of `scope` (the values of the table's scope columns) with `rows`.
    case replace(TableSpec, scope: [Cell], rows: [[Cell]])
    /// Insert or replace `rows` by their keys.
    case upsert(TableSpec, rows: [[Cell]])
}

/// Reads a row a projector wrote before, by table and key (for stateful tables): this batch's
/// rows first, then the table's.
public typealias StateReader = (TableSpec, [Cell]) -> [Cell]?

/// Turns events into read-model rows. A pure function of the events it is given, in log order:
/// applying them one by one, in batches, or in a rebuild gives the same tables.
public struct Projector: Sendable {
    /// Also the name of its DDL file, `projections/<name>.sql`, whose header gives its version.
    public let name: String
    public let tables: [TableSpec]
    /// The event sections it consumes, and how a rebuild may read each.
    public let sections: [EventSection: SectionKind]
    /// Whether it reads payloads; false: envelopes only, every outcome.
    public let readsPayloads: Bool
    let project: @Sendable (ProjectionEvent, StateReader) throws -> [Write]

    public init(
        name: String,
        tables: [TableSpec],
        sections: [EventSection: SectionKind],
        readsPayloads: Bool = true,
        project: @escaping @Sendable (ProjectionEvent, StateReader) throws -> [Write]
    ) {
        self.name = name
        self.tables = tables
        self.sections = sections
        self.readsPayloads = readsPayloads
        self.project = project
    }

    /// Whether the projector applies `event`: payload readers take fetched events of their
    /// sections (a 304 changes nothing; a failure has no data), envelope readers take all.
    func consumes(section: String, outcome: Outcome) -> Bool {
        guard self.sections[EventSection(rawValue: section)] != nil else { return false }
        return !self.readsPayloads || outcome == .fetched
    }
}
