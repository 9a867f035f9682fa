import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import ESISimulator

/// The simulator over a real socket, with keep-alive, as the sync engine will use it.
@Suite struct LiveServerTests {
    @Test func servesESIAndSSOOverHTTP() async throws {
        let simulator = Simulator(SimulatorConfiguration())
        let app = SimulatorServer.application(simulator: simulator, host: "127.0.0.1", port: 0)
        try await app.test(.live) { client in
            try await client.execute(uri: "/latest/status/", method: .get) { response in
                #expect(response.status.code == 200)
                #expect(response.headers[.init("X-Ratelimit-Group")!] == "status")
                #expect(String(buffer: response.body).contains("server_version"))
            }
            let id = simulator.world.characterIDs[0]
            let token = try simulator.accessToken(characterID: id, scopes: simulator.allScopes)!
            try await client.execute(
                uri: "/characters/\(id)/assets?page=1",
                method: .get,
                headers: [.authorization: "Bearer \(token)"]
            ) { response in
                #expect(response.status.code == 200)
                #expect(response.headers[.init("X-Pages")!] != nil)
            }
            try await client.execute(uri: "/oauth/jwks", method: .get) { response in
                #expect(String(buffer: response.body).contains("JWT-Signature-Key"))
            }
            try await client.execute(uri: "/universe/names", method: .post, body: .init(string: "[\(id)]")) {
                response in
                #expect(response.status.code == 200)
            }
        }
    }
}
