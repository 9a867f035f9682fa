import Foundation
import Logging
import Observability
import Synchronization
import Testing

/// The level and format come from the environment, a value not understood is named and the
/// default used; JSON lines carry the message and every metadata value as fields.
@Suite struct LogSetupTests {
    @Test func levelAndFormatFromTheEnvironment() {
        let plain = LogSetup.choice(from: [:])
        #expect(plain.level == .info && plain.format == .text && plain.complaint == nil)
        let chosen = LogSetup.choice(from: ["MEMBERAUDIT_LOG_LEVEL": "Debug", "MEMBERAUDIT_LOG_FORMAT": "JSON"])
        #expect(chosen.level == .debug && chosen.format == .json && chosen.complaint == nil)
        let bad = LogSetup.choice(from: ["MEMBERAUDIT_LOG_LEVEL": "loud", "MEMBERAUDIT_LOG_FORMAT": "xml"])
        #expect(bad.level == .info && bad.format == .text)
        #expect(bad.complaint?.contains("'loud'") == true && bad.complaint?.contains("'xml'") == true)
    }

    @Test func jsonLinesCarryTheMetadataAsFields() throws {
        let lines = Mutex([String]())
        var logger = Logger(label: "memberaudit.test") { label in
            JSONLinesLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "worker"] = "w1"
        logger.warning("a section failed", metadata: ["character": "90000001", "error": "line\nbreak \"quoted\""])
        logger.debug("not at this level")
        let written = lines.withLock { $0 }
        #expect(written.count == 1 && written[0].hasSuffix("\n") && written[0].dropLast().contains("\n") == false)
        let fields = try #require(
            try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: String]
        )
        #expect(fields["message"] == "a section failed" && fields["level"] == "warning")
        #expect(fields["label"] == "memberaudit.test" && fields["worker"] == "w1")
        #expect(fields["character"] == "90000001" && fields["error"] == "line\nbreak \"quoted\"")
        #expect(fields["time"] != nil && fields["source"] != nil)
    }
}
