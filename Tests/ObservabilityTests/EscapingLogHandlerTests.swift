import Observability
import Testing

/// A value from a user or from ESI cannot forge a log line or drive the operator's terminal.
@Suite struct EscapingLogHandlerTests {
    @Test func controlCharactersAreEscapedAndTheRestKept() {
        #expect(escapedForLog("GET /characters/1 failed") == "GET /characters/1 failed")
        #expect(escapedForLog("a\nINFO forged line") == "a\\nINFO forged line")
        #expect(escapedForLog("x\r\ny") == "x\\r\\ny")
        #expect(escapedForLog("\u{1B}[2Jcleared") == "\\u{1B}[2Jcleared")
        #expect(escapedForLog("tab\there") == "tab\\there")
        #expect(escapedForLog("Ærøskøbing 🚀 «ok»") == "Ærøskøbing 🚀 «ok»")
        #expect(escapedForLog("nul\u{0}byte") == "nul\\u{0}byte")
        #expect(!escapedForLog("\u{85}next line").contains("\u{85}"))
        #expect(escapedForLog("a\u{2028}b") == "a\\u{2028}b")
    }
}
