import Crypto
import Foundation
import Vocabulary
import _CryptoExtras

/// What a verified EVE SSO access token says.
public struct VerifiedAccessToken: Sendable, Equatable {
    public var characterID: Int64
    public var characterName: String
    /// The CharacterOwnerHash: changes when the character moves to another account.
    public var ownerHash: String
    public var scopes: [String]
    public var issuedAt: Date
    public var expiresAt: Date
}

/// Why a token was refused. The message never contains the token.
/// An access token (or the SSO's key set) that does not verify: its code and a message. To the sync every one means "this token is refused".
public typealias JWTError = ModuleError<JWTErrorCodes>

/// The codes of ``JWTError``.
public enum JWTErrorCodes {}

extension ErrorCode where Owner == JWTErrorCodes {
    /// Not a JWT, or one without the claims an EVE access token has.
    public static let malformed = Self("malformed", .invalidInput)
    /// Signed with a key the key set does not have: the SSO may have rotated its keys.
    public static let unknownKey = Self("unknown_key", .invalidInput)
    public static let badSignature = Self("bad_signature", .invalidInput)
    public static let wrongIssuer = Self("wrong_issuer", .invalidInput)
    public static let wrongAudience = Self("wrong_audience", .invalidInput)
    public static let expired = Self("expired", .invalidInput)
    /// The SSO's published key set does not read.
    public static let badKeySet = Self("bad_key_set", .unavailable)
}

/// Verifies EVE SSO access tokens (JWTs) as CCP's SSO documentation asks: the signature with the
/// JWKS key named by the token's `kid` *and* `alg` (RS256 or ES256; `none` and anything else are
/// refused), the issuer, both audiences (the client id and "EVE Online") and the expiry.
public struct AccessTokenVerifier: Sendable {
    public let keys: JSONWebKeySet
    public let clientID: String
    public let issuers: Set<String>

    /// The issuers EVE SSO has used (with and without scheme and slash).
    public static let eveIssuers: Set<String> = [
        "login.eveonline.com", "https://login.eveonline.com", "https://login.eveonline.com/",
    ]

    public init(keys: JSONWebKeySet, clientID: String, issuers: Set<String> = Self.eveIssuers) {
        self.keys = keys
        self.clientID = clientID
        self.issuers = issuers
    }

    /// Verifies `token` at time `now` (allowing `leeway` seconds of clock difference).
    public func verify(
        _ token: String,
        now: Date = Date(),
        leeway: TimeInterval = 5
    ) throws(JWTError) -> VerifiedAccessToken {
        guard let jws = CompactJWS(token) else {
            throw JWTError(.malformed, "the access token is not a well-formed JWT")
        }
        let (header, claims, signature, input) = (jws.header, jws.claims, jws.signature, jws.signingInput)

        guard let algorithm = header["alg"] as? String, algorithm == "RS256" || algorithm == "ES256" else {
            throw JWTError(
                .malformed,
                "the access token's algorithm \(header["alg"] as? String ?? "(none)") is not accepted"
            )
        }
        guard let keyID = header["kid"] as? String, let key = self.keys.key(id: keyID, algorithm: algorithm) else {
            throw JWTError(.unknownKey, "the access token is signed with a key the SSO does not publish")
        }
        let valid: Bool
        switch key {
        case .rsa(let publicKey):
            valid = publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: input,
                padding: .insecurePKCS1v1_5
            )
        case .p256(let publicKey):
            valid =
                (try? P256.Signing.ECDSASignature(rawRepresentation: signature)).map {
                    publicKey.isValidSignature($0, for: input)
                } ?? false
        }
        guard valid else { throw JWTError(.badSignature, "the access token's signature is not valid") }

        guard let issuer = claims["iss"] as? String, self.issuers.contains(issuer) else {
            throw JWTError(
                .wrongIssuer,
                "the access token was issued by \(claims["iss"] as? String ?? "nobody"), not by the configured SSO"
            )
        }
        let audiences = (claims["aud"] as? [String]) ?? (claims["aud"] as? String).map { [$0] } ?? []
        guard audiences.contains(self.clientID), audiences.contains("EVE Online") else {
            throw JWTError(.wrongAudience, "the access token is not meant for this application")
        }
        guard let expiry = (claims["exp"] as? NSNumber)?.doubleValue,
            let issued = (claims["iat"] as? NSNumber)?.doubleValue
        else {
            throw JWTError(.malformed, "the access token has no expiry")
        }
        guard expiry + leeway > now.timeIntervalSince1970 else {
            throw JWTError(.expired, "the access token has expired")
        }
        guard let subject = claims["sub"] as? String, subject.hasPrefix("CHARACTER:EVE:"),
            let characterID = Int64(subject.dropFirst("CHARACTER:EVE:".count))
        else { throw JWTError(.malformed, "the access token's subject is not a character") }
        // One scope comes as a string, several as an array, none as no claim.
        let scopes = (claims["scp"] as? [String]) ?? (claims["scp"] as? String).map { [$0] } ?? []
        return VerifiedAccessToken(
            characterID: characterID,
            characterName: claims["name"] as? String ?? "",
            ownerHash: claims["owner"] as? String ?? "",
            scopes: scopes,
            issuedAt: Date(timeIntervalSince1970: issued),
            expiresAt: Date(timeIntervalSince1970: expiry)
        )
    }
}
