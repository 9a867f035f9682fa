import ArgumentParser
import TokenVault

struct TokenKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token-key",
        abstract: "Print a new random key for encrypting refresh tokens at rest.",
        discussion: """
            Refresh tokens are stored encrypted with AES-256-GCM. Set the printed key as \
            MEMBERAUDIT_TOKEN_KEY, or write it to a file readable only by the service's user and set \
            MEMBERAUDIT_TOKEN_KEY_FILE. Keep it: tokens stored with one key cannot be read with another.
            """
    )

    func run() { print(TokenCipher.generateKey()) }
}
