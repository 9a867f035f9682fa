import Foundation
import StaticData

/// Upwell structures of the simulated world (deterministic from the seed), reachable with the
/// `esi-universe.read_structures.v1` scope unless a fault makes one answer 403.
struct StructureDirectory: Sendable {
    struct Structure: Sendable {
        var id: Int
        var name: String
        var ownerID: Int
        var systemID: Int
        var typeID: Int
    }

    let structures: [Int: Structure]

    init(seed: UInt64) {
        var random = SeededRandom(seed, 5)
        let data = StaticData.shipped
        let systems = data.systemIDs
        let types = data.types(ofKind: "structure").map(\.id)
        var structures = [Int: Structure]()
        for index in 0..<Self.count {
            let id = Self.id(ofStructure: index)
            let system = data.systems[random.pick(systems)]!
            structures[id] = Structure(
                id: id,
                name: "\(system.name) - Citadel \(index + 1)",
                ownerID: 98_000_001,
                systemID: system.id,
                typeID: types.isEmpty ? 35_832 : random.pick(types)
            )
        }
        self.structures = structures
    }

    func structure(_ id: Int) -> Structure? { self.structures[id] }

    static let count = 8

    /// The id of the `index`th structure.
    static func id(ofStructure index: Int) -> Int { 1_035_000_000_000 + index * 1_234_567 }
}
