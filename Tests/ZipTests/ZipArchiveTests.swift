import Foundation
import TestSupport
import Testing

@testable import Zip

/// The zip writer read back by Python's zipfile, which checks every CRC.
@Suite struct ZipArchiveTests {
    let modified = Date(timeIntervalSince1970: 1_796_199_342)  // 2026-12-02 08:15:42 UTC

    @Test func entriesReadBackByAnIndependentReader() throws {
        var archive = ZipArchive()
        let rows = (0..<20_000).map { "\($0),\"Jita IV - Moon 4\",\(Double($0) * 1.5)\n" }.joined()
        // Written in uneven chunks, as PostgreSQL hands over COPY rows.
        try archive.add("journal.csv", modified: self.modified) { write in
            var rest = Substring(rows)
            var size = 1
            while !rest.isEmpty {
                let piece = rest.prefix(size)
                Array(piece.utf8).withUnsafeBytes { write($0) }
                rest = rest.dropFirst(piece.count)
                size = size * 3 % 997 + 1
            }
        }
        try archive.add("empty.csv", modified: self.modified, data: [])
        try archive.add("Jita – Perimeter ✓.txt", modified: self.modified, data: Array("naïve\r\nline".utf8))
        let bytes = try archive.finish()
        let entries = try inspectZip(bytes)
        #expect(entries.map(\.name) == ["journal.csv", "empty.csv", "Jita – Perimeter ✓.txt"])
        #expect(entries[0].text == rows)
        #expect(entries[1].text == "")
        #expect(entries[2].text == "naïve\r\nline")
        #expect(entries.allSatisfy { $0.modified == "2026-12-02 08:15:42" })
        #expect(bytes.count < rows.utf8.count / 5, "compressed: \(bytes.count) of \(rows.utf8.count) bytes")
    }

    @Test func incompressibleData() throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var archive = ZipArchive()
        try archive.add("noise.bin", modified: self.modified, data: noise)
        let bytes = try archive.finish()
        let entries = try inspectZip(bytes)
        #expect(entries.count == 1)
        #expect(entries.first?.size == noise.count)
        #expect(entries.first?.byteSum == noise.reduce(UInt32(0)) { $0 &+ UInt32($1) })
        #expect(bytes.count < noise.count + 1_000, "deflate stores what it cannot compress")
    }

    @Test func namesAndTimesAreChecked() throws {
        var archive = ZipArchive()
        #expect(throws: ZipError.self) { try archive.add("", data: [1]) }
        #expect(ZipArchive.dosTime(Date(timeIntervalSince1970: 0)).date >> 9 == 0, "1970 is stored as 1980")
        let (time, date) = ZipArchive.dosTime(self.modified)
        #expect(time == UInt16(8 << 11 | 15 << 5 | 21))
        #expect(date == UInt16(46 << 9 | 12 << 5 | 2))
    }
}
