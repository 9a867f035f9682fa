import Foundation
import Testing
import Vocabulary

@testable import Settings

@Suite struct SettingsTests {
    @Test func configFileLinesCommentsAndQuotes() throws {
        let values = try parseConfigFile(
            """
            # a comment
            MEMBERAUDIT_DATABASE_URL = "host=/run/pg dbname=audit"
            MEMBERAUDIT_DB_POOL_SIZE=8

            MEMBERAUDIT_DATA_DIR='/srv/memberaudit'
            """,
            name: "test.conf"
        )
        #expect(values["MEMBERAUDIT_DATABASE_URL"] == "host=/run/pg dbname=audit")
        #expect(values["MEMBERAUDIT_DB_POOL_SIZE"] == "8")
        #expect(values["MEMBERAUDIT_DATA_DIR"] == "/srv/memberaudit")
    }

    @Test func configFileWithCRLFLineEndsAndAByteOrderMark() throws {
        let values = try parseConfigFile(
            "\u{FEFF}MEMBERAUDIT_DB_POOL_SIZE=8\r\n# note\r\nMEMBERAUDIT_DATA_DIR=/srv/memberaudit\r\n",
            name: "windows.conf"
        )
        #expect(values == ["MEMBERAUDIT_DB_POOL_SIZE": "8", "MEMBERAUDIT_DATA_DIR": "/srv/memberaudit"])
        let error = #expect(throws: SettingsError.self) { try parseConfigFile("# ok\r\nwords\r\n", name: "w.conf") }
        #expect(error?.code == .badLine && error?.description.hasPrefix("w.conf:2:") == true)
    }

    @Test(
        "bad lines are reported with file and line",
        arguments: ["just words", "OTHER_SETTING=1", "memberaudit_lower=1"]
    )
    func badLines(line: String) {
        let error = #expect(throws: SettingsError.self) { try parseConfigFile("# ok\n\(line)\n", name: "my.conf") }
        #expect([.badLine, .unknownSetting].contains(error?.code))
        #expect(error?.description.hasPrefix("my.conf:2:") == true)
    }

    @Test func environmentWinsOverTheFile() throws {
        let file = FileManager.default.temporaryDirectory.appending(path: "settings-\(UUID().uuidString).conf")
        try "MEMBERAUDIT_DB_POOL_SIZE=8\nMEMBERAUDIT_DATA_DIR=/from/file\n".write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        defer { try? FileManager.default.removeItem(at: file) }
        let settings = try Settings.load(
            environment: ["MEMBERAUDIT_CONFIG": file.path, "MEMBERAUDIT_DB_POOL_SIZE": "2", "HOME": "/root"]
        )
        #expect(try settings.integer("MEMBERAUDIT_DB_POOL_SIZE", default: 4) == 2)
        #expect(settings.dataDirectory.path == "/from/file")
        #expect(settings.configFile == file.path)
    }

    @Test func aMissingConfigFileIsAClearError() {
        let error = #expect(throws: SettingsError.self) {
            try Settings.load(environment: [:], configFile: "/nonexistent/memberaudit.conf")
        }
        #expect(error?.code == .unreadableFile)
        #expect(error?.description.contains("/nonexistent/memberaudit.conf") == true)
    }

    @Test func nonNumbersAreRefusedWithTheSettingsName() {
        let settings = Settings(values: ["MEMBERAUDIT_DB_POOL_SIZE": "lots"])
        let error = #expect(throws: SettingsError.self) {
            try settings.integer("MEMBERAUDIT_DB_POOL_SIZE", default: 4, in: 1...256)
        }
        #expect(error?.code == .badValue && error?.description.contains("MEMBERAUDIT_DB_POOL_SIZE") == true)
    }
}
