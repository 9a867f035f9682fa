import Crypto
import ESI
import ESISimulator
import Foundation
import Testing
import Vocabulary
import _CryptoExtras

@Suite struct AccessTokenVerifierTests {
    let simulator: Simulator
    let verifier: AccessTokenVerifier
    let character: Int

    init() throws {
        self.simulator = Simulator(SimulatorConfiguration())
        let jwks = self.simulator.handle(SimulatorRequest(method: "GET", path: "/oauth/jwks")).body
        self.verifier = AccessTokenVerifier(
            keys: try JSONWebKeySet(json: jwks),
            clientID: "memberaudit-demo",
            issuers: [self.simulator.configuration.issuer]
        )
        self.character = self.simulator.world.characterIDs[0]
    }

    var now: Date { self.simulator.clock.now() }

    func token(scopes: [String] = ["esi-skills.read_skills.v1"], clientID: String? = nil) throws -> String {
        try #require(try self.simulator.accessToken(characterID: self.character, scopes: scopes, clientID: clientID))
    }

    @Test("a genuine token verifies, whichever published key signed it", arguments: ["RS256", "ES256"])
    func genuine(algorithm: String) throws {
        _ = self.simulator.handle(
            SimulatorRequest(
                method: "POST",
                path: "/_sim/faults",
                body: Array("{\"jwt_algorithm\":\"\(algorithm)\"}".utf8)
            )
        )
        let verified = try self.verifier.verify(try self.token(), now: self.now)
        #expect(verified.characterID == Int64(self.character))
        #expect(verified.characterName == self.simulator.world.name(ofCharacter: self.character))
        #expect(verified.ownerHash == self.simulator.world.ownerHash(ofCharacter: self.character))
        #expect(verified.scopes == ["esi-skills.read_skills.v1"])
        #expect(verified.expiresAt.timeIntervalSince(verified.issuedAt) == 1200)
    }

    @Test func scopesComeAsAStringAnArrayOrNotAtAll() throws {
        #expect(
            try self.verifier.verify(try self.token(scopes: ["a.v1", "b.v1"]), now: self.now).scopes == [
                "a.v1", "b.v1",
            ]
        )
        #expect(try self.verifier.verify(try self.token(scopes: []), now: self.now).scopes == [])
    }

    @Test func anExpiredTokenIsRefused() throws {
        let token = try self.token()
        let error = #expect(throws: JWTError.self) {
            try self.verifier.verify(token, now: self.now.addingTimeInterval(1_300))
        }
        #expect(error?.code == .expired)
    }

    @Test func aTokenForAnotherApplicationIsRefused() throws {
        var configuration = SimulatorConfiguration()
        configuration.clients.append(.init(id: "someone-else", secret: "x"))
        let other = Simulator(configuration)
        let token = try #require(
            try other.accessToken(characterID: other.world.characterIDs[0], scopes: [], clientID: "someone-else")
        )
        let error = #expect(throws: JWTError.self) { try self.verifier.verify(token, now: self.now) }
        #expect(error?.code == .wrongAudience)
    }

    @Test func anotherIssuerIsRefused() throws {
        let strict = AccessTokenVerifier(keys: self.verifier.keys, clientID: "memberaudit-demo")  // EVE's issuers only
        #expect { try strict.verify(try self.token(), now: self.now) } throws: {
            ($0 as? JWTError)?.code == .wrongIssuer
        }
    }

    @Test func aTamperedPayloadIsRefused() throws {
        let parts = try self.token().split(separator: ".").map(String.init)
        var claims = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[1]) ?? [])) as! [String: Any]
        claims["sub"] = "CHARACTER:EVE:1"
        let forged =
            parts[0] + "." + Base64URL.encode(try JSONSerialization.data(withJSONObject: claims)) + "." + parts[2]
        let error = #expect(throws: JWTError.self) { try self.verifier.verify(forged, now: self.now) }
        #expect(error?.code == .badSignature)
    }

    @Test func algNoneIsRefused() throws {
        let parts = try self.token().split(separator: ".").map(String.init)
        let header = Base64URL.encode(Data("{\"alg\":\"none\",\"kid\":\"JWT-Signature-Key\",\"typ\":\"JWT\"}".utf8))
        let error = #expect(throws: JWTError.self) {
            try self.verifier.verify(header + "." + parts[1] + ".", now: self.now)
        }
        #expect(error?.code == .malformed && error?.description.contains("algorithm") == true)
    }

    @Test func aTokenSignedWithAForeignKeyIsRefused() throws {
        // Same kid and alg as EVE's key, but a key the SSO never published.
        let parts = try self.token().split(separator: ".").map(String.init)
        let foreign = P256.Signing.PrivateKey()
        let header = Base64URL.encode(
            Data("{\"alg\":\"ES256\",\"kid\":\"8878a23f-2489-4045-989e-4d2f3ec1ae1a\",\"typ\":\"JWT\"}".utf8)
        )
        let input = header + "." + parts[1]
        let signature = try foreign.signature(for: Data(input.utf8)).rawRepresentation
        let error = #expect(throws: JWTError.self) {
            try self.verifier.verify(input + "." + Base64URL.encode(signature), now: self.now)
        }
        #expect(error?.code == .badSignature)
        let unknownKid = Base64URL.encode(Data("{\"alg\":\"RS256\",\"kid\":\"some-other-key\",\"typ\":\"JWT\"}".utf8))
        #expect {
            try self.verifier.verify(unknownKid + "." + parts[1] + "." + parts[2], now: self.now)
        } throws: { ($0 as? JWTError)?.code == .unknownKey }
    }

    @Test func garbageIsRefusedWithoutEchoingIt() {
        let error = #expect(throws: JWTError.self) { try self.verifier.verify("not-a-jwt-secret-value", now: self.now) }
        #expect(error?.code == .malformed && error?.description.contains("secret-value") == false)
    }
}
