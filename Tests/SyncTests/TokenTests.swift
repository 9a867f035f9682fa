import ESI
import ESISimulator
import EventLog
import Foundation
import Postgres
import Sync
import SyncTestSupport
import Testing
import TokenVault
import Vocabulary

@Suite struct TokenTests {
    /// The refresh token as stored, decrypted.
    func storedRefreshToken(_ harness: SyncHarness, _ id: Int64) async throws -> String {
        let sealed: [ByteA] = try await harness.column("SELECT refresh_token FROM sync.characters WHERE id = $1", [id])
        return try harness.cipher.open(try #require(sealed.first).bytes, characterID: id)
    }

    /// Forgets the cached access tokens, so the next sync must refresh.
    func expireAccessTokens(_ harness: SyncHarness) async throws {
        try await harness.pool.withConnection { connection in
            try connection.execute("UPDATE sync.characters SET access_token = NULL, access_token_expires_at = NULL")
        }
    }

    @Test func tokensAreRefreshedAndTheRotatedOneIsKept() async throws {
        try await withSyncHarness(characters: 1) { harness in
            let id = harness.characterIDs[0]
            let original = try #require(
                harness.simulator.issueRefreshToken(characterID: Int(id), scopes: harness.simulator.allScopes)
            )
            let sso = SSOClient(http: HTTPClient(userAgent: "tests"), configuration: harness.settings.sso)
            let character = try await harness.registry.register(
                refreshToken: original,
                user: "alice",
                sso: sso,
                sections: harness.settings.sections
            )
            #expect(character.user == "alice" && character.isMain && character.name.isEmpty == false)
            let afterRegistration = try await self.storedRefreshToken(harness, id)
            #expect(afterRegistration != original, "the SSO rotated the token at registration")
            // Never stored in the clear.
            let clear: [Int] = try await harness.column(
                "SELECT count(*)::int8 FROM sync.characters WHERE position($1::bytea in refresh_token) > 0",
                [ByteA(Array(afterRegistration.utf8))]
            )
            #expect(clear == [0])

            try await self.expireAccessTokens(harness)
            let summary = try await harness.engine().runPass(filter: PassFilter(sections: [.skills]), force: true)
            #expect(summary.fetched == 1)
            let afterSync = try await self.storedRefreshToken(harness, id)
            #expect(afterSync != afterRegistration)
            // The old token is dead at the SSO; the stored one works.
            await #expect(throws: SSOError.self) { try await sso.refresh(afterRegistration) }
            #expect(try await sso.refresh(afterSync).accessToken.isEmpty == false)
        }
    }

    @Test func workersRefreshingTogetherNeverUseARotatedTokenTwice() async throws {
        try await withSyncHarness(characters: 1) { harness in
            try await harness.register()
            try await self.expireAccessTokens(harness)
            // Four engines (as four workers) need the token at once: one refreshes, the others wait for it.
            try await withThrowingTaskGroup(of: PassSummary.self) { group in
                for section in [Section.skills, .walletBalance, .location, .ship] {
                    group.addTask {
                        try await harness.engine().runPass(filter: PassFilter(sections: [section]), force: true)
                    }
                }
                for try await summary in group { #expect(summary.fetched == 1, "\(summary)") }
            }
            let states: [String] = try await harness.column("SELECT token_state FROM sync.characters")
            #expect(states == ["valid"])
        }
    }

    @Test func aRevokedTokenSuspendsTheCharacterAndTellsItsOwner() async throws {
        try await withSyncHarness(characters: 2) { harness in
            try await harness.register()
            let (revoked, other) = (harness.characterIDs[0], harness.characterIDs[1])
            let token = try await self.storedRefreshToken(harness, revoked)
            let answer = harness.simulator.handle(
                SimulatorRequest(
                    method: "POST",
                    path: "/_sim/tokens/revoke",
                    body: Array(#"{"refresh_token": "\#(token)"}"#.utf8)
                )
            )
            #expect(answer.status == 200)
            try await self.expireAccessTokens(harness)
            let sections = harness.settings.sections
            let summary = try await harness.engine().runPass(filter: PassFilter(sections: sections), force: false)
            #expect(summary.fetched == sections.count, "the other character syncs: \(summary)")
            #expect(summary.skipped >= 1 && summary.skipped + summary.fetched == summary.sections)

            let character = try #require(try await harness.registry.list().first { $0.id == revoked })
            #expect(character.tokenState == "invalid")
            #expect(
                character.tokenError?.contains("invalid_grant") == true
                    || character.tokenError?.contains("Invalid refresh token") == true
            )
            let notifications = try await harness.registry.notifications()
            #expect(notifications.count == 1)
            #expect(notifications.first?.characterID == revoked)
            #expect(notifications.first?.message.contains("add the character again") == true)
            // Suspended: nothing of it is claimed any more, even forced; its events stay.
            let again = try await harness.engine().runPass(
                filter: PassFilter(characters: [revoked], sections: sections),
                force: true
            )
            #expect(again.sections == 0)
            let otherEvents = try await harness.events().filter { $0.stream == .character(other) }
            #expect(otherEvents.isEmpty == false)
            // Adding it again lifts the suspension.
            try await harness.register([revoked])
            #expect(try await harness.registry.list().first { $0.id == revoked }?.tokenState == "valid")
        }
    }

    @Test func aTokenFromAnotherIssuerIsRefusedAndNothingIsStored() async throws {
        try await withSyncHarness(characters: 1, issuer: "https://login.evil.example") { harness in
            let error = await #expect(throws: SyncError.self) { try await harness.register() }
            #expect(error?.code == .tokenRefused)
            #expect(
                error?.description.contains("issued by https://login.evil.example") == true,
                "\(String(describing: error))"
            )
            let registered = try await harness.registry.list()
            #expect(registered.isEmpty)
        }
    }

    @Test func anExpiredTokenIsRefused() async throws {
        // The SSO's clock is two hours behind: its fresh tokens expired long ago.
        try await withSyncHarness(characters: 1, origin: Date().addingTimeInterval(-7200)) {
            harness in
            let error = await #expect(throws: SyncError.self) { try await harness.register() }
            #expect(error?.code == .tokenRefused)
            #expect(error?.description.contains("expired") == true, "\(String(describing: error))")
            let registered = try await harness.registry.list()
            #expect(registered.isEmpty)
        }
    }

    @Test func aTokenESICallsExpiredIsReplacedForTheNextSync() async throws {
        try await withSyncHarness(characters: 1) { harness in
            try await harness.register()
            // ESI's clock runs half an hour ahead of ours: our cached token is expired to it.
            harness.simulator.clock.advance(by: 1_800)
            let engine = harness.engine()
            let first = try await engine.runPass(filter: PassFilter(sections: [.skills]), force: true)
            #expect(first.failed == 1)
            let error = try await harness.events().last?.error
            #expect(error?.contains("token is expired") == true, "\(String(describing: error))")
            let second = try await engine.runPass(filter: PassFilter(sections: [.skills]), force: true)
            #expect(second.fetched == 1, "a refreshed token: \(second)")
            #expect(try await harness.registry.list().first?.tokenState == "valid")
        }
    }

    @Test func aCharacterMovedToAnotherAccountIsSuspended() async throws {
        try await withSyncHarness(characters: 1) { harness in
            try await harness.register()
            let id = harness.characterIDs[0]
            // Sold: a new owner hash. Its old grants are gone, as on Tranquility; either way it stops.
            _ = harness.simulator.handle(SimulatorRequest(method: "POST", path: "/_sim/characters/\(id)/transfer"))
            try await self.expireAccessTokens(harness)
            _ = try await harness.engine().runPass(filter: PassFilter(sections: [.skills]), force: true)
            #expect(try await harness.registry.list().first?.tokenState == "invalid")
            #expect(try await harness.registry.notifications().count == 1)
        }
    }
}

/// The SSO's key set is fetched once and kept: not on every login or refresh; again after an
/// hour; once more, at most once a minute, when a token names a key it does not have.
@Suite struct KeySetCacheTests {
    @Test func theKeySetIsCachedAndRefetchedOnlyForAnUnknownKey() async throws {
        try await withSyncHarness(characters: 1) { harness in
            let sso = SSOClient(http: HTTPClient(userAgent: "memberaudit-tests"), configuration: harness.settings.sso)
            let character = Int(harness.characterIDs[0])
            let token = try #require(try harness.simulator.accessToken(characterID: character, scopes: ["publicData"]))
            let before = harness.simulator.keySetRequestCount
            for _ in 0..<5 { _ = try await sso.verify(token) }
            #expect(harness.simulator.keySetRequestCount == before + 1)

            // The same token with a key id the set does not have.
            let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            var base64 = parts[0].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            let headerBytes = try #require(Data(base64Encoded: base64))
            var header = try #require(try JSONSerialization.jsonObject(with: headerBytes) as? [String: Any])
            header["kid"] = "rotated-away"
            let forgedHeader = try JSONSerialization.data(withJSONObject: header).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            let forged = ([forgedHeader] + parts.dropFirst()).joined(separator: ".")
            await #expect(throws: JWTError.self) { _ = try await sso.verify(forged) }
            #expect(harness.simulator.keySetRequestCount == before + 2, "one refetch for the unknown key")
            await #expect(throws: JWTError.self) { _ = try await sso.verify(forged) }
            #expect(harness.simulator.keySetRequestCount == before + 2, "not again within a minute")
            _ = try await sso.verify(token)
            #expect(harness.simulator.keySetRequestCount == before + 2)
        }
    }
}
