import Crypto
import Foundation
import Vocabulary

/// Encrypts refresh tokens for storage with AES-256-GCM.
///
/// A sealed token is `version (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. The character id is
/// authenticated with it, so a token copied onto another character's row does not decrypt, and
/// any change to the stored bytes is detected.
public struct TokenCipher: Sendable {
    private let key: SymmetricKey
    private static let version: UInt8 = 1

    /// - Parameter key: 32 bytes.
    public init(key: [UInt8]) throws(TokenVaultError) {
        guard key.count == 32 else {
            throw TokenVaultError(.badKey, "the token key must be 32 bytes, not \(key.count)")
        }
        self.key = SymmetricKey(data: key)
    }

    /// A fresh random key, base64-encoded, as `MEMBERAUDIT_TOKEN_KEY` takes it.
    public static func generateKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    public func seal(_ token: String, characterID: Int64) throws -> [UInt8] {
        let box = try AES.GCM.seal(Data(token.utf8), using: self.key, authenticating: Self.context(characterID))
        return [Self.version] + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
    }

    public func open(_ sealed: [UInt8], characterID: Int64) throws(TokenVaultError) -> String {
        guard sealed.count >= 1 + 12 + 16, sealed[0] == Self.version else {
            throw TokenVaultError(.undecryptable, "a stored token has an unknown format")
        }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: sealed[1..<13]),
                ciphertext: sealed[13..<(sealed.count - 16)],
                tag: sealed[(sealed.count - 16)...]
            )
            let plain = try AES.GCM.open(box, using: self.key, authenticating: Self.context(characterID))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw TokenVaultError(
                .undecryptable,
                "a stored token does not decrypt: the token key differs from the one it was stored with, or the row was altered"
            )
        }
    }

    private static func context(_ characterID: Int64) -> Data { Data("memberaudit-refresh-token:\(characterID)".utf8) }
}

/// A token key or stored token problem, in words a user can act on. Never contains a token.
/// A token key or a stored token that cannot be used: its code and a message.
public typealias TokenVaultError = ModuleError<TokenVaultErrorCodes>

/// The codes of ``TokenVaultError``.
public enum TokenVaultErrorCodes {}

extension ErrorCode where Owner == TokenVaultErrorCodes {
    /// A configured key that is not 32 bytes or their base64.
    public static let badKey = Self("bad_key", .invalidInput)
    public static let unreadableKeyFile = Self("unreadable_key_file", .invalidInput)
    /// No key is configured.
    public static let noKey = Self("no_key", .invalidInput)
    /// A stored token that does not decrypt with the key (another key, or an altered row).
    public static let undecryptable = Self("undecryptable", .failure)
}

extension TokenCipher {
    /// The key from `MEMBERAUDIT_TOKEN_KEY` (base64 of 32 bytes) or the file named by
    /// `MEMBERAUDIT_TOKEN_KEY_FILE` (the same base64 text, or 32 raw bytes).
    public static func key(token: String?, file: String?) throws(TokenVaultError) -> [UInt8] {
        let howTo =
            "make one with `memberaudit token-key` (or: head -c 32 /dev/urandom | base64) and set MEMBERAUDIT_TOKEN_KEY, "
            + "or write it to a file readable only by this user and set MEMBERAUDIT_TOKEN_KEY_FILE"
        if let token, !token.isEmpty {
            guard let key = Data(base64Encoded: token.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32
            else {
                throw TokenVaultError(.badKey, "MEMBERAUDIT_TOKEN_KEY must be the base64 of 32 bytes; \(howTo)")
            }
            return Array(key)
        }
        if let file, !file.isEmpty {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw TokenVaultError(.unreadableKeyFile, "cannot read the token key file \(file); \(howTo)")
            }
            if contents.count == 32 { return Array(contents) }
            let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let key = Data(base64Encoded: text), key.count == 32 else {
                throw TokenVaultError(
                    .badKey,
                    "the token key file \(file) must hold 32 bytes or their base64; \(howTo)"
                )
            }
            return Array(key)
        }
        throw TokenVaultError(.noKey, "refresh tokens are stored encrypted and no token key is configured; \(howTo)")
    }
}
