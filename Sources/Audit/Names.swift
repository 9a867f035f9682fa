import Foundation
import Postgres

/// The kinds of ids the audit trail names: item types (skills are types), places and entities
/// (characters, corporations, alliances, factions).
public enum NameKind: Character, Sendable, Hashable {
    case type = "t"
    case location = "l"
    case entity = "e"

    /// The kind of id a read-model column holds, if it is one the audit trail names.
    static func of(column: String) -> NameKind? {
        switch column {
        case "type_id", "ship_type_id", "skill_id": .type
        case "location_id", "root_location_id", "solar_system_id", "station_id", "structure_id", "home_location_id",
            "start_location_id", "end_location_id":
            .location
        case "corporation_id", "alliance_id", "faction_id", "from_id", "contact_id", "first_party_id",
            "second_party_id", "client_id", "issuer_id", "issuer_corporation_id", "assignee_id", "acceptor_id",
            "bidder_id", "tax_receiver_id":
            .entity
        default: nil
        }
    }
}

/// Text with ids to be named when shown: `{t:587}` is the type 587, `{l:60003760}` a place,
/// `{e:98000001}` an entity. Change summaries are stored this way, so a name that arrives later
/// shows in old summaries too.
enum NamedText {
    static func token(_ kind: NameKind, _ id: Int64) -> String { "{\(kind.rawValue):\(id)}" }

    /// Every id the texts mention, by kind.
    static func ids(in texts: [String]) -> [NameKind: Set<Int64>] {
        var result = [NameKind: Set<Int64>]()
        for text in texts { self.scan(text) { kind, id, _ in result[kind, default: []].insert(id) } }
        return result
    }

    /// The text with each token replaced by its name, or by the id where no name is known.
    static func render(_ text: String, names: Names) -> String {
        guard text.contains("{") else { return text }
        var output = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            var consumed = false
            if let close = rest[open...].firstIndex(of: "}") {
                let inner = rest[rest.index(after: open)..<close]
                if inner.count > 2, let kind = NameKind(rawValue: inner.first!), inner.dropFirst().first == ":",
                    let id = Int64(inner.dropFirst(2))
                {
                    output += names.name(kind, id)
                    rest = rest[rest.index(after: close)...]
                    consumed = true
                }
            }
            if !consumed {
                output.append("{")
                rest = rest[rest.index(after: open)...]
            }
        }
        return output + rest
    }

    private static func scan(_ text: String, _ found: (NameKind, Int64, Range<String.Index>) -> Void) {
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "{") {
            guard let close = text[open...].firstIndex(of: "}") else { return }
            let inner = text[text.index(after: open)..<close]
            if inner.count > 2, let kind = NameKind(rawValue: inner.first!), inner.dropFirst().first == ":",
                let id = Int64(inner.dropFirst(2))
            {
                found(kind, id, open..<text.index(after: close))
            }
            index = text.index(after: open)
        }
    }
}

/// Names of ids, looked up in one query per kind: types in the static data, places in the
/// read models' locations view, entities in its names view. Unknown ids show as the id.
public struct Names: Sendable {
    var types: [Int64: String] = [:]
    var locations: [Int64: String] = [:]
    var entities: [Int64: String] = [:]

    public init() {}

    public func name(_ kind: NameKind, _ id: Int64) -> String {
        let known: String? =
            switch kind {
            case .type: self.types[id]
            case .location: self.locations[id]
            case .entity: self.entities[id]
            }
        return known ?? String(id)
    }

    /// Looks up `ids`, where the read models are installed (a database without them names nothing).
    static func load(_ ids: [NameKind: Set<Int64>], on connection: PostgresConnection) throws -> Names {
        var names = Names()
        let installed = try connection.query("SELECT to_regclass('readmodel.names') IS NOT NULL")[0].get(
            0,
            as: Bool.self
        )
        if let types = ids[.type], !types.isEmpty {
            // Skills are types too. With the read models, types ESI answered for are named as well.
            let source = installed ? "readmodel.universe_types" : "sde.types"
            for row in try connection.query("SELECT id, name FROM \(source) WHERE id = ANY($1)", [Array(types)]) {
                names.types[try row.get(0)] = try row.get(1)
            }
        }
        guard installed else { return names }
        if let places = ids[.location], !places.isEmpty {
            for row in try connection.query(
                "SELECT location_id, name FROM readmodel.locations WHERE location_id = ANY($1) AND name IS NOT NULL",
                [Array(places)]
            ) {
                names.locations[try row.get(0)] = try row.get(1)
            }
        }
        if let entities = ids[.entity], !entities.isEmpty {
            for row in try connection.query(
                "SELECT id, name FROM readmodel.names WHERE id = ANY($1) AND name IS NOT NULL",
                [Array(entities)]
            ) {
                names.entities[try row.get(0)] = try row.get(1)
            }
        }
        return names
    }
}
