import Crypto
import Foundation
import Vocabulary
import _CryptoExtras

/// EVE SSO's signing keys, from its JWKS document (`/oauth/jwks`).
public struct JSONWebKeySet: Sendable {
    enum Key: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
    }

    /// Keys by (kid, alg): a token names both, and both must match.
    let keys: [String: Key]

    /// Parses a JWKS document. Keys of other types or algorithms are skipped, as EVE's
    /// `SkipUnresolvedJsonWebKeys` asks.
    public init(json: [UInt8]) throws(JWTError) {
        guard let document = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let entries = document["keys"] as? [[String: Any]]
        else { throw JWTError(.badKeySet, "the JWKS document is not a JSON object with \"keys\"") }
        var keys = [String: Key]()
        for entry in entries {
            guard let kid = entry["kid"] as? String, let alg = entry["alg"] as? String else { continue }
            switch (alg, entry["kty"] as? String) {
            case ("RS256", "RSA"):
                guard let n = (entry["n"] as? String).flatMap(Base64URL.decode),
                    let e = (entry["e"] as? String).flatMap(Base64URL.decode),
                    let key = try? _RSA.Signing.PublicKey(n: n, e: e)
                else { continue }
                keys[kid + "|RS256"] = .rsa(key)
            case ("ES256", "EC"):
                guard entry["crv"] as? String == "P-256", let x = (entry["x"] as? String).flatMap(Base64URL.decode),
                    let y = (entry["y"] as? String).flatMap(Base64URL.decode), x.count == 32, y.count == 32,
                    let key = try? P256.Signing.PublicKey(x963Representation: [4] + x + y)
                else { continue }
                keys[kid + "|ES256"] = .p256(key)
            default:
                continue
            }
        }
        guard !keys.isEmpty else { throw JWTError(.badKeySet, "the JWKS document has no RS256 or ES256 key") }
        self.keys = keys
    }

    func key(id: String, algorithm: String) -> Key? { self.keys[id + "|" + algorithm] }
}
