import Foundation
import Synchronization

/// The simulated universe: organisations and characters, advanced lazily to the clock's time.
public final class World: Sendable {
    public let seed: UInt64
    private let generator: WorldGenerator
    private let state: Mutex<State>

    struct State {
        var alliances: [Int: Organisation] = [:]
        var corporations: [Int: Organisation] = [:]
        var characters: [Int: CharacterState] = [:]
        var order: [Int] = []
        var ownerGenerations: [Int: Int] = [:]
        var corporationIDs: [Int] = []
    }

    public init(seed: UInt64, characters count: Int, origin: Date, history: WorldHistory.Depth = .full) {
        self.seed = seed
        self.generator = WorldGenerator(seed: seed, origin: origin, history: history)
        var state = State()
        let (alliances, corporations) = self.generator.organisations(characterCount: max(count, 1))
        for alliance in alliances { state.alliances[alliance.id] = alliance }
        for corporation in corporations { state.corporations[corporation.id] = corporation }
        state.corporationIDs = corporations.map(\.id).sorted()
        self.state = Mutex(state)
        for index in 0..<count { _ = self.addCharacter() }
    }

    /// Creates a character (ids continue the deterministic sequence) and returns its id.
    @discardableResult
    public func addCharacter(corporationID: Int? = nil) -> Int {
        self.state.withLock { state in
            let index = state.order.count
            let corporations = state.corporationIDs
            let corporation =
                state.corporations[corporationID ?? corporations[index % corporations.count]] ?? state.corporations[
                    corporations[0]
                ]!
            let peers = Array(state.order.suffix(8))
            var character = self.generator.character(
                index: index,
                corporation: corporation,
                peers: peers,
                corporations: corporations
            )
            if let existing = state.characters.values.first(where: { $0.advancedTo > character.advancedTo }) {
                // Joining a world whose clock has moved: start at the world's present.
                WorldEvolution.advance(&character, to: existing.advancedTo, seed: self.seed, peers: peers)
            }
            state.characters[character.id] = character
            state.order.append(character.id)
            state.corporations[corporation.id]?.memberIDs.append(character.id)
            return character.id
        }
    }

    /// The ids of all characters, in creation order.
    public var characterIDs: [Int] { self.state.withLock { $0.order } }

    /// A character as it is at `time`.
    func character(_ id: Int, at time: Date) -> CharacterState? {
        self.state.withLock { state in
            guard var character = state.characters[id] else { return nil }
            if character.advancedTo.addingTimeInterval(WorldEvolution.hour) <= time || !character.queue.isEmpty {
                let peers = state.order.filter { $0 != id }.prefix(12).map { $0 }
                WorldEvolution.advance(
                    &character,
                    to: time,
                    seed: self.seed,
                    peers: Array(peers),
                    corporations: state.corporationIDs
                )
                state.characters[id] = character
            }
            return character
        }
    }

    /// Runs `body` on a character's state under the world's lock.
    func withCharacter<T>(_ id: Int, _ body: (inout CharacterState) -> T?) -> T? {
        self.state.withLock { state in
            guard state.characters[id] != nil else { return nil }
            return body(&state.characters[id]!)
        }
    }

    public func name(ofCharacter id: Int) -> String? { self.state.withLock { $0.characters[id]?.name } }
    public func ownerHash(ofCharacter id: Int) -> String? { self.state.withLock { $0.characters[id]?.ownerHash } }

    func corporation(_ id: Int) -> Organisation? { self.state.withLock { $0.corporations[id] } }
    func alliance(_ id: Int) -> Organisation? { self.state.withLock { $0.alliances[id] } }

    /// Members of a corporation now (characters whose current corporation it is).
    func members(ofCorporation id: Int) -> [Int] {
        self.state.withLock { state in state.order.filter { state.characters[$0]?.corporationID == id } }
    }

    /// A planet some character has a colony on: its system, its index in the system (the roman
    /// numeral of its name) and its planet type (Temperate, Oceanic, ...), all from its id.
    func planet(_ id: Int) -> (systemID: Int, index: Int, typeID: Int)? {
        self.state.withLock { state in
            for character in state.characters.values {
                guard let colony = character.planets.first(where: { $0.planetID == id }) else { continue }
                let typeIDs = [
                    "temperate": 11, "ice": 12, "gas": 13, "oceanic": 2014, "lava": 2015, "barren": 2016,
                    "storm": 2017, "plasma": 2063,
                ]
                return (colony.systemID, 1 + id % 9, typeIDs[colony.type] ?? 11)
            }
            return nil
        }
    }

    /// Gives a character a new owner hash, as when it is sold to another account.
    public func transferCharacter(_ id: Int) -> String? {
        self.state.withLock { state in
            guard state.characters[id] != nil else { return nil }
            let generation = (state.ownerGenerations[id] ?? 0) + 1
            state.ownerGenerations[id] = generation
            let hash = ESISimulator.ownerHash(seed: self.seed, character: id, generation: generation)
            state.characters[id]?.ownerHash = hash
            return hash
        }
    }

    /// Moves a character to another corporation at `time` (appears in its corporation history).
    public func moveCharacter(_ id: Int, toCorporation corporationID: Int, at time: Date) -> Bool {
        self.state.withLock { state in
            guard state.characters[id] != nil, state.corporations[corporationID] != nil else { return false }
            WorldEvolution.changeCorporation(&state.characters[id]!, to: corporationID, at: time)
            return true
        }
    }

    /// Names of characters, corporations and alliances the world knows (for `/universe/names`).
    func entityName(_ id: Int) -> (name: String, category: String)? {
        self.state.withLock { state in
            if let character = state.characters[id] { return (character.name, "character") }
            if let corporation = state.corporations[id] { return (corporation.name, "corporation") }
            if let alliance = state.alliances[id] { return (alliance.name, "alliance") }
            return nil
        }
    }
}
