import Foundation

@testable import ESISimulator

/// A simulator with a manual clock, and helpers to call it as a client would.
struct Harness {
    let simulator: Simulator
    let character: Int

    /// A fresh access token (they live 20 simulated minutes), as a client refreshes it.
    var token: String {
        try! self.simulator.accessToken(characterID: self.character, scopes: self.simulator.allScopes)!
    }

    init(seed: UInt64 = 7, characters: Int = 4, faults: Faults = Faults(), errorLimit: Int = 100) throws {
        var configuration = SimulatorConfiguration()
        configuration.seed = seed
        configuration.characters = characters
        configuration.faults = faults
        configuration.errorLimit = errorLimit
        self.simulator = Simulator(configuration)
        self.character = self.simulator.world.characterIDs[0]
    }

    func get(
        _ path: String,
        query: [String: String] = [:],
        headers: [String: String] = [:],
        authorized: Bool = true
    ) -> SimulatorResponse {
        var headers = headers
        if authorized { headers["Authorization"] = "Bearer \(self.token)" }
        return self.simulator.handle(SimulatorRequest(method: "GET", path: path, query: query, headers: headers))
    }

    func post(_ path: String, json: String, authorized: Bool = true) -> SimulatorResponse {
        var headers = ["Content-Type": "application/json"]
        if authorized { headers["Authorization"] = "Bearer \(self.token)" }
        return self.simulator.handle(
            SimulatorRequest(method: "POST", path: path, headers: headers, body: Array(json.utf8))
        )
    }

    func admin(_ method: String, _ path: String, json: String = "{}") -> [String: Any] {
        let response = self.simulator.handle(SimulatorRequest(method: method, path: path, body: Array(json.utf8)))
        return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    func advance(_ seconds: Double) { self.simulator.clock.advance(by: seconds) }
}

extension SimulatorResponse {
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(self.body), options: [.fragmentsAllowed]) }
}
