import Crypto
import Foundation
import Vocabulary
import _CryptoExtras

/// The simulator's fixed, published test keys (`data/esi/simulator-keys.json`): an RS256 key with
/// kid `JWT-Signature-Key` as EVE SSO uses, and an ES256 key, both listed in the JWKS.
struct SigningKeys: Sendable {
    let rsa: _RSA.Signing.PrivateKey
    let rsaKeyID: String
    let ec: P256.Signing.PrivateKey
    let ecKeyID: String

    static let shipped: SigningKeys = {
        struct File: Decodable {
            let rs256_kid: String
            let rs256_pem: String
            let es256_kid: String
            let es256_pem: String
        }
        do {
            let file = try JSONDecoder().decode(
                File.self,
                from: Data((EmbeddedFiles.text(named: "simulator-keys.json") ?? "").utf8)
            )
            return SigningKeys(
                rsa: try _RSA.Signing.PrivateKey(pemRepresentation: file.rs256_pem),
                rsaKeyID: file.rs256_kid,
                ec: try P256.Signing.PrivateKey(pemRepresentation: file.es256_pem),
                ecKeyID: file.es256_kid
            )
        } catch {
            fatalError("the simulator's embedded signing keys do not load: \(error)")
        }
    }()

    /// Signs `header.payload` and returns the compact JWT.
    func sign(header: JSONValue, payload: JSONValue, algorithm: String) throws -> String {
        let signingInput = Base64URL.encode(header.rendered()) + "." + Base64URL.encode(payload.rendered())
        let signature: [UInt8]
        if algorithm == "ES256" {
            signature = Array(try self.ec.signature(for: Data(signingInput.utf8)).rawRepresentation)
        } else {
            signature = Array(
                try self.rsa.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5).rawRepresentation
            )
        }
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// The JSON Web Key Set EVE SSO publishes at `/oauth/jwks`.
    func jwks() throws -> JSONValue {
        let primitives = try self.rsa.publicKey.getKeyPrimitives()
        let point = Array(self.ec.publicKey.x963Representation)  // 0x04 || X || Y
        return .object([
            (
                "keys",
                .array([
                    .object([
                        ("alg", .string("RS256")), ("e", .string(Base64URL.encode(Array(primitives.publicExponent)))),
                        ("kid", .string(self.rsaKeyID)), ("kty", .string("RSA")),
                        ("n", .string(Base64URL.encode(Array(primitives.modulus)))), ("use", .string("sig")),
                    ]),
                    .object([
                        ("alg", .string("ES256")), ("crv", .string("P-256")), ("kid", .string(self.ecKeyID)),
                        ("kty", .string("EC")), ("use", .string("sig")),
                        ("x", .string(Base64URL.encode(Array(point[1..<33])))),
                        ("y", .string(Base64URL.encode(Array(point[33..<65])))),
                    ]),
                ])
            ),
            ("SkipUnresolvedJsonWebKeys", .bool(true)),
        ])
    }

    /// Verifies a token this simulator signed and returns its claims.
    func verify(_ token: String) -> [String: Any]? {
        guard let jws = CompactJWS(token) else { return nil }
        let (header, claims, signature, input) = (jws.header, jws.claims, jws.signature, jws.signingInput)
        switch (header["alg"] as? String, header["kid"] as? String) {
        case ("RS256", self.rsaKeyID):
            let valid = self.rsa.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: input,
                padding: .insecurePKCS1v1_5
            )
            return valid ? claims : nil
        case ("ES256", self.ecKeyID):
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return nil }
            return self.ec.publicKey.isValidSignature(ecdsa, for: input) ? claims : nil
        default:
            return nil
        }
    }
}
