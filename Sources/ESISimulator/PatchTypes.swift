import Foundation

/// Types a game patch added after the bundled static data (ids above any in it, one in a group
/// that is new too). The simulator answers for them on `/universe/types` and `/universe/groups`
/// as for every other, with dogma attributes, so a product that only knows its bundled data must
/// ask ESI to name them. A test hands one to a character with the `give_asset` script.
public enum PatchTypes {
    public struct PatchType: Sendable {
        public var id: Int
        public var name: String
        public var groupID: Int
        public var volume: Double
        /// Dogma attributes (id, value), as ESI lists them.
        public var dogma: [(Int, Double)]
    }

    /// A group the patch added: (id, name, category).
    public static let newGroup = (id: 99_001, name: "Frontier Implants", categoryID: 20)

    public static let types: [PatchType] = [
        PatchType(id: 99_000_001, name: "Frontier Cargo Container", groupID: 12, volume: 120, dogma: []),
        // An implant of the new group: slot 1, +3 perception.
        PatchType(
            id: 99_000_002,
            name: "Frontier Implant - Alpha",
            groupID: 99_001,
            volume: 1,
            dogma: [(331, 1), (178, 3)]
        ),
        // A new skill: rank 3, perception/willpower, needs Navigation III.
        PatchType(
            id: 99_000_003,
            name: "Frontier Navigation",
            groupID: 275,
            volume: 0.01,
            dogma: [(275, 3), (180, 167), (181, 168), (182, 3449), (277, 3)]
        ),
    ]

    public static func type(_ id: Int) -> PatchType? { self.types.first { $0.id == id } }
}
