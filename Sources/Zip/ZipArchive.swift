import Foundation
import Vocabulary

/// A zip archive (PKWARE APPNOTE 6.3) built in memory: each entry DEFLATE-compressed, with its
/// CRC-32, UTF-8 name and modification time. Entries are written whole, so sizes and CRC sit in
/// the local headers and no data descriptors are needed; every unzip, Python's zipfile and
/// spreadsheet tools read it. Without Zip64 an archive holds under 4 GiB and 65,535 entries, which
/// is checked.
public struct ZipArchive: Sendable {
    private struct Entry {
        var name: [UInt8]
        var crc: UInt32
        var compressedSize: UInt32
        var size: UInt32
        var time: UInt16
        var date: UInt16
        var offset: UInt32
    }

    private var bytes: [UInt8] = []
    private var entries: [Entry] = []

    public init() {}

    /// Adds an entry whose content `produce` writes in chunks (it is compressed as it comes).
    public mutating func add(
        _ name: String,
        modified: Date = Date(),
        _ produce: (_ write: (UnsafeRawBufferPointer) -> Void) throws -> Void
    ) throws {
        let deflater = Deflater()
        try produce { deflater.write($0) }
        deflater.finish()
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= Int(UInt16.max) else {
            throw ZipError(.limitExceeded, "an entry's name must be 1 to 65,535 bytes")
        }
        guard self.entries.count < Int(UInt16.max) else { throw ZipError(.limitExceeded, "more than 65,535 entries") }
        let limit = UInt64(UInt32.max)
        guard deflater.inputSize < limit, UInt64(deflater.output.count) < limit,
            UInt64(self.bytes.count + 30 + nameBytes.count + deflater.output.count) < limit
        else {
            throw ZipError(
                .limitExceeded,
                "\(name) makes the archive 4 GiB or more, which needs Zip64 (not written here)"
            )
        }
        let (time, date) = Self.dosTime(modified)
        let entry = Entry(
            name: nameBytes,
            crc: deflater.crc,
            compressedSize: UInt32(deflater.output.count),
            size: UInt32(deflater.inputSize),
            time: time,
            date: date,
            offset: UInt32(self.bytes.count)
        )
        // Local file header.
        self.put32(0x0403_4b50)
        self.putCommon(entry)
        self.put16(0)  // extra field length
        self.bytes += nameBytes
        self.bytes += deflater.output
        self.entries.append(entry)
    }

    /// Adds an entry with the given content.
    public mutating func add(_ name: String, modified: Date = Date(), data: [UInt8]) throws {
        try self.add(name, modified: modified) { write in data.withUnsafeBytes { write($0) } }
    }

    /// Ends the archive (central directory, end record) and returns it; nothing may be added
    /// after. Written in place: copying the entries first would double an export's memory.
    public mutating func finish() throws -> [UInt8] {
        let directoryOffset = self.bytes.count
        for entry in self.entries {
            self.put32(0x0201_4b50)
            self.put16(0x0314)  // made by: Unix, APPNOTE 2.0 (file modes in the high attributes)
            self.putCommon(entry)
            self.put16(0)  // extra field length
            self.put16(0)  // comment length
            self.put16(0)  // disk number
            self.put16(0)  // internal attributes
            self.put32(0o100644 << 16)  // external attributes: a regular file, rw-r--r--
            self.put32(entry.offset)
            self.bytes += entry.name
        }
        let directorySize = self.bytes.count - directoryOffset
        guard UInt64(self.bytes.count) + 22 < UInt64(UInt32.max) else {
            throw ZipError(.limitExceeded, "the archive is 4 GiB or more, which needs Zip64 (not written here)")
        }
        self.put32(0x0605_4b50)
        self.put16(0)  // this disk
        self.put16(0)  // the directory's disk
        self.put16(UInt16(self.entries.count))
        self.put16(UInt16(self.entries.count))
        self.put32(UInt32(directorySize))
        self.put32(UInt32(directoryOffset))
        self.put16(0)  // comment length
        return self.bytes
    }

    /// The fields local and central headers share, from "version needed" to the name's length.
    private mutating func putCommon(_ entry: Entry) {
        self.put16(20)  // version needed: deflate
        self.put16(1 << 11)  // flags: the name is UTF-8
        self.put16(8)  // method: deflate
        self.put16(entry.time)
        self.put16(entry.date)
        self.put32(entry.crc)
        self.put32(entry.compressedSize)
        self.put32(entry.size)
        self.put16(UInt16(entry.name.count))
    }

    private mutating func put16(_ value: UInt16) {
        self.bytes += [UInt8(value & 0xff), UInt8(value >> 8)]
    }

    private mutating func put32(_ value: UInt32) {
        self.bytes += [
            UInt8(value & 0xff), UInt8((value >> 8) & 0xff), UInt8((value >> 16) & 0xff), UInt8(value >> 24),
        ]
    }

    /// MS-DOS time and date, in UTC (zip has no time zone; 2-second steps; 1980 to 2107).
    static func dosTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = min(max(c.year ?? 1980, 1980), 2107)
        return (
            UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2),
            UInt16((year - 1980) << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
        )
    }
}

/// A zip archive that cannot be read or written: its code and a message.
public typealias ZipError = ModuleError<ZipErrorCodes>

/// The codes of ``ZipError``.
public enum ZipErrorCodes {}

extension ErrorCode where Owner == ZipErrorCodes {
    /// Not a zip archive, or a damaged one.
    public static let damaged = Self("damaged", .invalidInput)
    /// A compression method or Zip64, which are not read here.
    public static let unsupported = Self("unsupported", .invalidInput)
    /// An archive to write past the limits of a plain zip.
    public static let limitExceeded = Self("limit_exceeded", .failure)
}
