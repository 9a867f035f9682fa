import Foundation
import Postgres
import Sync
import SyncTestSupport
import Testing
import TokenVault
import Vocabulary

@Suite struct TokenKeyRotationTests {
    /// Every character's stored tokens, as bytes.
    func storedTokens(_ harness: SyncHarness) async throws -> [[[UInt8]?]] {
        try await harness.pool.withConnection { connection in
            try connection.query("SELECT refresh_token, access_token FROM sync.characters ORDER BY id").map {
                let refresh: [UInt8]? = try $0.get(0, as: ByteA.self).bytes
                return [refresh, try $0.get(1, as: ByteA?.self)?.bytes]
            }
        }
    }

    func opens(_ harness: SyncHarness, with cipher: TokenCipher) async throws -> Bool {
        try await harness.pool.withConnection { connection in
            try connection.query("SELECT id, refresh_token, access_token FROM sync.characters").allSatisfy { row in
                let id = try row.get(0, as: Int64.self)
                let access = try row.get(2, as: ByteA?.self)
                return (try? cipher.open(try row.get(1, as: ByteA.self).bytes, characterID: id)) != nil
                    && (access == nil || (try? cipher.open(access!.bytes, characterID: id)) != nil)
            }
        }
    }

    @Test func everyTokenMovesToTheNewKeyAndTheSyncGoesOnWithIt() async throws {
        try await withSyncHarness(characters: 3) { harness in
            try await harness.register()
            let new = try TokenCipher(key: Array(try #require(Data(base64Encoded: TokenCipher.generateKey()))))
            let rotation = TokenKeyRotation(from: harness.cipher, to: new)

            #expect(try await rotation.rotate(on: harness.pool) == .init(resealed: 3, alreadyNew: 0))
            #expect(try await self.opens(harness, with: new))
            #expect(try await !self.opens(harness, with: harness.cipher))

            // The same engine with the new key syncs, refreshing the tokens it stores.
            try await harness.pool.withConnection { try Registry.forgetAccessTokens(on: $0) }
            let engine = SyncEngine(pool: harness.pool, settings: harness.settings, cipher: new)
            let summary = try await engine.runPass(filter: PassFilter(sections: [.skills]), force: true)
            #expect(summary.fetched == 3 && summary.failed == 0, "\(summary)")

            // Again: nothing to do, nothing changed.
            let before = try await self.storedTokens(harness)
            #expect(try await rotation.rotate(on: harness.pool) == .init(resealed: 0, alreadyNew: 3))
            #expect(try await self.storedTokens(harness) == before)
        }
    }

    @Test func aTokenStoredWithTheOldKeyAfterARotationIsMovedByTheNextOne() async throws {
        try await withSyncHarness(characters: 2) { harness in
            try await harness.register()
            let new = try TokenCipher(key: Array(try #require(Data(base64Encoded: TokenCipher.generateKey()))))
            _ = try await TokenKeyRotation(from: harness.cipher, to: new).rotate(on: harness.pool)
            // A worker still running with the old key registers a character again.
            try await harness.register([harness.characterIDs[0]])
            #expect(try await !self.opens(harness, with: new))

            let outcome = try await TokenKeyRotation(from: harness.cipher, to: new).rotate(on: harness.pool)
            #expect(outcome == .init(resealed: 1, alreadyNew: 1))
            #expect(try await self.opens(harness, with: new))
        }
    }

    @Test func aTokenThatOpensWithNeitherKeyChangesNothing() async throws {
        try await withSyncHarness(characters: 2) { harness in
            try await harness.register()
            let before = try await self.storedTokens(harness)
            let stranger = try TokenCipher(key: Array(try #require(Data(base64Encoded: TokenCipher.generateKey()))))
            let new = try TokenCipher(key: Array(try #require(Data(base64Encoded: TokenCipher.generateKey()))))

            let error = await #expect(throws: SyncError.self) {
                try await TokenKeyRotation(from: stranger, to: new).rotate(on: harness.pool)
            }
            #expect(error?.code == .tokenKeyMismatch)
            #expect(try await self.storedTokens(harness) == before)
        }
    }
}
