import Crypto
import Foundation
import Testing
import Vocabulary
import _CryptoExtras

@testable import ESISimulator

@Suite struct SSOTests {
    let basic = "Basic " + Data("memberaudit-demo:memberaudit-demo-secret".utf8).base64EncodedString()

    func form(_ fields: [String: String]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Array(
            fields.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
            }.joined(separator: "&").utf8
        )
    }

    func token(_ harness: Harness, _ fields: [String: String], authorization: String? = nil) -> SimulatorResponse {
        var headers = ["Content-Type": "application/x-www-form-urlencoded"]
        if let authorization { headers["Authorization"] = authorization }
        return harness.simulator.handle(
            SimulatorRequest(method: "POST", path: "/v2/oauth/token", headers: headers, body: self.form(fields))
        )
    }

    /// Runs authorize for the harness's character and returns the code from the redirect.
    func authorize(
        _ harness: Harness,
        challenge: String? = nil,
        scope: String = "esi-skills.read_skills.v1"
    ) throws -> String {
        var query = [
            "response_type": "code", "client_id": "memberaudit-demo", "redirect_uri": "http://127.0.0.1:9/callback",
            "scope": scope, "state": "xyz", "character_id": String(harness.character),
        ]
        if let challenge {
            query["code_challenge"] = challenge
            query["code_challenge_method"] = "S256"
        }
        let response = harness.simulator.handle(
            SimulatorRequest(method: "GET", path: "/v2/oauth/authorize", query: query)
        )
        #expect(response.status == 302)
        let location = try #require(response.header("Location"))
        let items = URLComponents(string: location)?.queryItems ?? []
        #expect(items.first { $0.name == "state" }?.value == "xyz")
        return try #require(items.first { $0.name == "code" }?.value)
    }

    @Test func codeFlowWithPKCEIssuesTokensAndCodesAreSingleUse() throws {
        let harness = try Harness()
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let challenge = Base64URL.encode(Array(SHA256.hash(data: Data(verifier.utf8))))
        let code = try self.authorize(harness, challenge: challenge)
        let wrong = self.token(
            harness,
            [
                "grant_type": "authorization_code", "code": code, "client_id": "memberaudit-demo",
                "code_verifier": "nope",
            ]
        )
        #expect(wrong.status == 400)
        let code2 = try self.authorize(harness, challenge: challenge)
        let good = self.token(
            harness,
            [
                "grant_type": "authorization_code", "code": code2, "client_id": "memberaudit-demo",
                "code_verifier": verifier,
            ]
        )
        #expect(good.status == 200, "\(good.text)")
        let body = try #require(good.json as? [String: Any])
        #expect(body["expires_in"] as? Int == 1199)
        #expect(body["token_type"] as? String == "Bearer")
        #expect((body["refresh_token"] as? String)?.count == 24)
        let replay = self.token(
            harness,
            [
                "grant_type": "authorization_code", "code": code2, "client_id": "memberaudit-demo",
                "code_verifier": verifier,
            ]
        )
        #expect(replay.status == 400)
        #expect((replay.json as? [String: Any])?["error"] as? String == "invalid_grant")
    }

    @Test func codesExpireAfterFiveMinutes() throws {
        let harness = try Harness()
        let code = try self.authorize(harness)
        harness.advance(301)
        let late = self.token(harness, ["grant_type": "authorization_code", "code": code], authorization: self.basic)
        #expect(late.status == 400)
        #expect((late.json as? [String: Any])?["error_description"] as? String == "Authorization code is expired.")
    }

    @Test func tokenRequestsMustBeFormEncodedAndAuthenticated() throws {
        let harness = try Harness()
        let code = try self.authorize(harness)
        let json = harness.simulator.handle(
            SimulatorRequest(
                method: "POST",
                path: "/v2/oauth/token",
                headers: ["Content-Type": "application/json", "Authorization": self.basic],
                body: Array("{\"grant_type\":\"authorization_code\",\"code\":\"\(code)\"}".utf8)
            )
        )
        #expect(json.status == 400)
        let badSecret = "Basic " + Data("memberaudit-demo:wrong".utf8).base64EncodedString()
        #expect(
            self.token(harness, ["grant_type": "authorization_code", "code": code], authorization: badSecret).status
                == 401
        )
    }

    @Test func refreshTokensRotateAndTheOldOneStopsWorking() throws {
        let harness = try Harness()
        let first = try #require(
            harness.simulator.issueRefreshToken(characterID: harness.character, scopes: ["esi-skills.read_skills.v1"])
        )
        let refreshed = self.token(
            harness,
            ["grant_type": "refresh_token", "refresh_token": first],
            authorization: self.basic
        )
        #expect(refreshed.status == 200)
        let second = try #require((refreshed.json as? [String: Any])?["refresh_token"] as? String)
        #expect(second != first)
        let old = self.token(
            harness,
            ["grant_type": "refresh_token", "refresh_token": first],
            authorization: self.basic
        )
        #expect(old.status == 400)
        #expect(
            (old.json as? [String: Any])?["error_description"] as? String
                == "Invalid refresh token. Character grant missing/expired."
        )
        #expect(
            self.token(harness, ["grant_type": "refresh_token", "refresh_token": second], authorization: self.basic)
                .status == 200
        )
    }

    @Test func revokedTokensAndTransferredCharactersGetInvalidGrant() throws {
        let harness = try Harness()
        let revoked = try #require(harness.simulator.issueRefreshToken(characterID: harness.character, scopes: []))
        let revoke = harness.simulator.handle(
            SimulatorRequest(
                method: "POST",
                path: "/v2/oauth/revoke",
                headers: ["Authorization": self.basic],
                body: self.form(["token": revoked, "token_type_hint": "refresh_token"])
            )
        )
        #expect(revoke.status == 200)
        #expect(
            self.token(harness, ["grant_type": "refresh_token", "refresh_token": revoked], authorization: self.basic)
                .status == 400
        )

        let before = try #require(harness.simulator.issueRefreshToken(characterID: harness.character, scopes: []))
        let oldOwner = harness.simulator.world.ownerHash(ofCharacter: harness.character)
        let transfer = harness.admin("POST", "/_sim/characters/\(harness.character)/transfer")
        #expect(transfer["owner_hash"] as? String != oldOwner)
        #expect(
            self.token(harness, ["grant_type": "refresh_token", "refresh_token": before], authorization: self.basic)
                .status == 400
        )
        let after = try #require(harness.simulator.issueRefreshToken(characterID: harness.character, scopes: []))
        let claims = try self.claims(
            of: self.token(harness, ["grant_type": "refresh_token", "refresh_token": after], authorization: self.basic)
        )
        #expect(claims["owner"] as? String == transfer["owner_hash"] as? String)
    }

    @Test("access tokens carry EVE's claims and verify against the published JWKS", arguments: ["RS256", "ES256"])
    func jwtClaimsAndSignature(algorithm: String) throws {
        let harness = try Harness()
        _ = harness.admin("POST", "/_sim/faults", json: "{\"jwt_algorithm\":\"\(algorithm)\"}")
        let one = try #require(
            harness.simulator.issueRefreshToken(characterID: harness.character, scopes: ["esi-skills.read_skills.v1"])
        )
        let response = self.token(
            harness,
            ["grant_type": "refresh_token", "refresh_token": one],
            authorization: self.basic
        )
        let jwt = try #require((response.json as? [String: Any])?["access_token"] as? String)
        let parts = jwt.split(separator: ".")
        let header = try #require(
            try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[0])!)) as? [String: Any]
        )
        #expect(header["alg"] as? String == algorithm)
        let claims = try self.claims(of: response)
        #expect(claims["sub"] as? String == "CHARACTER:EVE:\(harness.character)")
        #expect(claims["name"] as? String == harness.simulator.world.name(ofCharacter: harness.character))
        #expect(claims["owner"] as? String == harness.simulator.world.ownerHash(ofCharacter: harness.character))
        #expect(claims["scp"] as? String == "esi-skills.read_skills.v1")  // one scope: a string
        #expect(claims["aud"] as? [String] == ["memberaudit-demo", "EVE Online"])
        #expect(claims["iss"] as? String == harness.simulator.configuration.issuer)
        #expect((claims["exp"] as! Int) - (claims["iat"] as! Int) == 1200)

        // Verify with the key the JWKS publishes, chosen by kid and alg, as a client must.
        let jwks = harness.simulator.handle(SimulatorRequest(method: "GET", path: "/oauth/jwks")).json as! [String: Any]
        let key = try #require(
            (jwks["keys"] as! [[String: Any]]).first {
                $0["kid"] as? String == header["kid"] as? String && $0["alg"] as? String == algorithm
            }
        )
        let input = Data((parts[0] + "." + parts[1]).utf8)
        let signature = Data(Base64URL.decode(parts[2])!)
        if algorithm == "RS256" {
            let publicKey = try _RSA.Signing.PublicKey(
                n: Base64URL.decode(key["n"] as! String)!,
                e: Base64URL.decode(key["e"] as! String)!
            )
            #expect(
                publicKey.isValidSignature(
                    _RSA.Signing.RSASignature(rawRepresentation: signature),
                    for: input,
                    padding: .insecurePKCS1v1_5
                )
            )
        } else {
            let point =
                [UInt8(4)] + Base64URL.decode(key["x"] as! String)! + Base64URL.decode(key["y"] as! String)!
            let publicKey = try P256.Signing.PublicKey(x963Representation: point)
            #expect(
                publicKey.isValidSignature(try P256.Signing.ECDSASignature(rawRepresentation: signature), for: input)
            )
        }
    }

    @Test func scopeClaimIsAnArrayForSeveralAndAbsentForNone() throws {
        let harness = try Harness()
        let several = try self.claims(
            jwt: harness.simulator.accessToken(characterID: harness.character, scopes: ["a.v1", "b.v1"])!
        )
        #expect(several["scp"] as? [String] == ["a.v1", "b.v1"])
        let none = try self.claims(jwt: harness.simulator.accessToken(characterID: harness.character, scopes: [])!)
        #expect(none["scp"] == nil)
    }

    @Test func discoveryNamesTheEndpoints() throws {
        let harness = try Harness()
        let document =
            harness.simulator.handle(SimulatorRequest(method: "GET", path: "/.well-known/oauth-authorization-server"))
            .json as! [String: Any]
        let issuer = harness.simulator.configuration.issuer
        #expect(document["token_endpoint"] as? String == "\(issuer)/v2/oauth/token")
        #expect(document["jwks_uri"] as? String == "\(issuer)/oauth/jwks")
        #expect(document["code_challenge_methods_supported"] as? [String] == ["S256"])
    }

    @Test func authorizeWithoutACharacterShowsALoginPage() throws {
        let harness = try Harness()
        let page = harness.simulator.handle(
            SimulatorRequest(
                method: "GET",
                path: "/v2/oauth/authorize",
                query: [
                    "response_type": "code", "client_id": "memberaudit-demo", "redirect_uri": "http://x/cb",
                    "state": "s", "scope": "",
                ]
            )
        )
        #expect(page.status == 200)
        #expect(page.text.contains(harness.simulator.world.name(ofCharacter: harness.character)!))
        let badScope = harness.simulator.handle(
            SimulatorRequest(
                method: "GET",
                path: "/v2/oauth/authorize",
                query: [
                    "response_type": "code", "client_id": "memberaudit-demo", "redirect_uri": "http://x/cb",
                    "state": "s", "scope": "esi-nope.v1",
                ]
            )
        )
        #expect((badScope.json as? [String: Any])?["error"] as? String == "invalid_scope")
    }

    private func claims(of response: SimulatorResponse) throws -> [String: Any] {
        try self.claims(jwt: try #require((response.json as? [String: Any])?["access_token"] as? String))
    }

    private func claims(jwt: String) throws -> [String: Any] {
        let payload = try #require(Base64URL.decode(jwt.split(separator: ".")[1]))
        return try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
    }
}
