import Foundation

/// A JSON Web Token in the compact form (`header.claims.signature`, each part base64url),
/// split and decoded, with the bytes its signature covers. Checking the signature and the claims
/// is the reader's: the SSO client trusts the keys the SSO publishes, the simulator its own.
public struct CompactJWS {
    public let header: [String: Any]
    public let claims: [String: Any]
    public let signature: [UInt8]
    /// `header.claims` as sent: what the signature signs.
    public let signingInput: Data

    /// Nil when `token` is not three base64url parts of which the first two are JSON objects.
    public init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
            let claimsBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: Data(claimsBytes)) as? [String: Any]
        else { return nil }
        self.header = header
        self.claims = claims
        self.signature = signature
        self.signingInput = Data((parts[0] + "." + parts[1]).utf8)
    }
}
