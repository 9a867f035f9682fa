import ArgumentParser
import Foundation
import Settings
import Sync
import TokenVault

struct TokenKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token-key",
        abstract: "Make a key for encrypting refresh tokens at rest, or move the stored tokens to a new one.",
        discussion: """
            Refresh tokens are stored encrypted with AES-256-GCM. Set the key `memberaudit token-key` \
            prints as MEMBERAUDIT_TOKEN_KEY, or write it to a file readable only by the service's user \
            and set MEMBERAUDIT_TOKEN_KEY_FILE. Keep it: tokens stored with one key cannot be read with \
            another; `memberaudit token-key rotate` moves them to a new key.
            """,
        subcommands: [New.self, Rotate.self],
        defaultSubcommand: New.self
    )

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new random token key (base64 of 32 bytes).")

        func run() { print(TokenCipher.generateKey()) }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal every stored token under a new token key, in one transaction.",
            discussion: """
                The old key is the configured one (MEMBERAUDIT_TOKEN_KEY or MEMBERAUDIT_TOKEN_KEY_FILE) \
                unless --old-key-file names it; the new key is read from --new-key-file (base64 of \
                32 bytes, as `memberaudit token-key` prints, or the 32 bytes themselves). Keys are \
                never taken on the command line, where other users of the machine could read them.

                Stop the workers and the web server first (they hold the old key and would store \
                refreshed tokens with it), rotate, then start them with the new key configured. \
                Every token is re-sealed or none is: a token that opens with neither key stops the \
                rotation and names its character. Tokens already sealed with the new key are left \
                alone, so running it again is safe.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "File holding the key the tokens are stored with now (default: the configured key).")
        var oldKeyFile: String?

        @Option(help: "File holding the key to store the tokens with.")
        var newKeyFile: String

        func run() async throws {
            let settings = try self.global.settings()
            let oldKey =
                try self.oldKeyFile.map { try TokenCipher.key(token: nil, file: $0) }
                ?? TokenCipher.key(
                    token: settings.string("MEMBERAUDIT_TOKEN_KEY"),
                    file: settings.string("MEMBERAUDIT_TOKEN_KEY_FILE")
                )
            let newKey = try TokenCipher.key(token: nil, file: self.newKeyFile)
            guard oldKey != newKey else {
                throw ValidationError("the new key is the old key; make a new one with `memberaudit token-key`")
            }
            let rotation = TokenKeyRotation(from: try TokenCipher(key: oldKey), to: try TokenCipher(key: newKey))
            let outcome = try await withMigratedDatabase(settings) { try await rotation.rotate(on: $0.pool) }
            print(
                "re-sealed the tokens of \(outcome.resealed) character(s) under the new key"
                    + (outcome.alreadyNew > 0 ? "; \(outcome.alreadyNew) already had it" : "")
            )
            print("now set the new key as MEMBERAUDIT_TOKEN_KEY (or MEMBERAUDIT_TOKEN_KEY_FILE) and restart")
        }
    }
}
