import Foundation
import Testing
import TokenVault
import Vocabulary

@Suite struct TokenCipherTests {
    let key = Array(repeating: UInt8(7), count: 32)

    @Test func sealedTokensOpenForTheirCharacterOnly() throws {
        let cipher = try TokenCipher(key: self.key)
        let sealed = try cipher.seal("MDEyMzQ1Njc4OWFiY2RlZg==", characterID: 2_112_000_001)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("MDEyMzQ1"))
        #expect(try cipher.open(sealed, characterID: 2_112_000_001) == "MDEyMzQ1Njc4OWFiY2RlZg==")
        #expect(throws: TokenVaultError.self) { try cipher.open(sealed, characterID: 90_000_001) }
    }

    @Test func eachSealUsesAFreshNonce() throws {
        let cipher = try TokenCipher(key: self.key)
        #expect(try cipher.seal("same", characterID: 1) != cipher.seal("same", characterID: 1))
    }

    @Test func tamperingAndAnotherKeyAreDetected() throws {
        let cipher = try TokenCipher(key: self.key)
        var sealed = try cipher.seal("token", characterID: 1)
        sealed[sealed.count / 2] ^= 1
        #expect(throws: TokenVaultError.self) { try cipher.open(sealed, characterID: 1) }
        let other = try TokenCipher(key: Array(repeating: UInt8(8), count: 32))
        let error = #expect(throws: TokenVaultError.self) {
            try other.open(try cipher.seal("token", characterID: 1), characterID: 1)
        }
        #expect(error?.description.contains("token key differs") == true)
        #expect(throws: TokenVaultError.self) { try cipher.open([1, 2, 3], characterID: 1) }
    }

    @Test func keysComeFromTheEnvironmentOrAFileAndTheirAbsenceIsExplained() throws {
        let generated = TokenCipher.generateKey()
        #expect(try TokenCipher.key(token: generated, file: nil).count == 32)
        let file = FileManager.default.temporaryDirectory.appending(path: "key-\(UUID().uuidString)")
        try (generated + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try TokenCipher.key(token: nil, file: file.path) == TokenCipher.key(token: generated, file: nil))
        let missing = #expect(throws: TokenVaultError.self) { try TokenCipher.key(token: nil, file: nil) }
        #expect(missing?.description.contains("MEMBERAUDIT_TOKEN_KEY") == true)
        #expect(throws: TokenVaultError.self) { try TokenCipher.key(token: "c2hvcnQ=", file: nil) }
        #expect(throws: TokenVaultError.self) { try TokenCipher.key(token: nil, file: "/nonexistent/key") }
    }
}
