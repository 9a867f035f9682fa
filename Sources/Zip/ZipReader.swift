internal import CZlib
import Vocabulary

/// Reads the entries of a zip archive held in memory (stored or deflated, as CCP's SDE zip and
/// every common zip tool write them). Everything about the file is checked before it is trusted:
/// offsets and sizes stay inside the file, an entry inflates to exactly its recorded size (at most
/// `maximumEntrySize`), and its CRC-32 matches. A damaged or hostile file is a `ZipError`, never a
/// trap.
public struct ZipReader: Sendable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var compressedSize: Int
        public var size: Int
        fileprivate var method: UInt16
        fileprivate var crc: UInt32
        fileprivate var localHeaderOffset: Int
    }

    private let bytes: [UInt8]
    public let entries: [Entry]
    /// The largest entry it inflates (CCP's biggest table, types.jsonl, is about 100 MB).
    public static let maximumEntrySize = 1 << 30

    public init(_ bytes: [UInt8]) throws(ZipError) {
        self.bytes = bytes
        self.entries = try Self.centralDirectory(bytes)
    }

    /// The entry named `name` (a path inside the archive), if there is one.
    public func entry(named name: String) -> Entry? { self.entries.first { $0.name == name } }

    /// The entry's bytes, inflated and checked.
    public func contents(of entry: Entry) throws(ZipError) -> [UInt8] {
        let header = entry.localHeaderOffset
        guard let signature = self.uint32(at: header), signature == 0x0403_4B50,
            let nameLength = self.uint16(at: header + 26), let extraLength = self.uint16(at: header + 28)
        else { throw ZipError(.damaged, "\(entry.name): the local header is damaged") }
        let start = header + 30 + Int(nameLength) + Int(extraLength)
        guard start <= self.bytes.count, entry.compressedSize <= self.bytes.count - start else {
            throw ZipError(.damaged, "\(entry.name): the entry runs past the end of the file")
        }
        let data = self.bytes[start..<(start + entry.compressedSize)]
        let output: [UInt8]
        switch entry.method {
        case 0: output = Array(data)
        case 8: output = try Self.inflate(data, size: entry.size, name: entry.name)
        default: throw ZipError(.unsupported, "\(entry.name): compression method \(entry.method) is not supported")
        }
        guard output.count == entry.size else {
            throw ZipError(.damaged, "\(entry.name): \(output.count) bytes, the directory says \(entry.size)")
        }
        let crc = output.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
        guard crc == entry.crc else { throw ZipError(.damaged, "\(entry.name): the CRC-32 does not match (damaged)") }
        return output
    }

    private static func centralDirectory(_ bytes: [UInt8]) throws(ZipError) -> [Entry] {
        // The end-of-central-directory record is in the last 65,557 bytes (22 + a comment).
        let reader = ByteReader(bytes: bytes)
        var end: Int?
        var position = bytes.count - 22
        while position >= max(0, bytes.count - 65_557) {
            if reader.uint32(at: position) == 0x0605_4B50 {
                end = position
                break
            }
            position -= 1
        }
        guard let end, let count = reader.uint16(at: end + 10), let size = reader.uint32(at: end + 12),
            let offset = reader.uint32(at: end + 16)
        else { throw ZipError(.damaged, "not a zip archive (no end of central directory)") }
        guard count != 0xFFFF, offset != 0xFFFF_FFFF else {
            throw ZipError(.unsupported, "zip64 archives are not supported")
        }
        guard Int(offset) <= bytes.count, Int(size) <= bytes.count - Int(offset) else {
            throw ZipError(.damaged, "the central directory lies outside the file")
        }
        var entries = [Entry]()
        var cursor = Int(offset)
        for _ in 0..<Int(count) {
            guard reader.uint32(at: cursor) == 0x0201_4B50, let method = reader.uint16(at: cursor + 10),
                let crc = reader.uint32(at: cursor + 16), let compressed = reader.uint32(at: cursor + 20),
                let uncompressed = reader.uint32(at: cursor + 24), let nameLength = reader.uint16(at: cursor + 28),
                let extraLength = reader.uint16(at: cursor + 30), let commentLength = reader.uint16(at: cursor + 32),
                let local = reader.uint32(at: cursor + 42)
            else { throw ZipError(.damaged, "the central directory is damaged") }
            let nameStart = cursor + 46
            guard nameStart + Int(nameLength) <= bytes.count else {
                throw ZipError(.damaged, "the central directory is damaged")
            }
            let name = String(decoding: bytes[nameStart..<(nameStart + Int(nameLength))], as: UTF8.self)
            guard Int(uncompressed) <= Self.maximumEntrySize else {
                throw ZipError(
                    .damaged,
                    "\(name): \(uncompressed) bytes is larger than the \(Self.maximumEntrySize) allowed"
                )
            }
            guard Int(local) < bytes.count else {
                throw ZipError(.damaged, "\(name): its header lies outside the file")
            }
            entries.append(
                Entry(
                    name: name,
                    compressedSize: Int(compressed),
                    size: Int(uncompressed),
                    method: method,
                    crc: crc,
                    localHeaderOffset: Int(local)
                )
            )
            cursor = nameStart + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }
        return entries
    }

    private static func inflate(_ data: ArraySlice<UInt8>, size: Int, name: String) throws(ZipError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ZipError(.damaged, "\(name): cannot start inflating")
        }
        defer { inflateEnd(&stream) }
        // One byte more than expected reveals an entry that inflates to more than it says.
        var output = [UInt8](repeating: 0, count: size + 1)
        var input = Array(data)
        let status = input.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                stream.next_in = input.baseAddress
                stream.avail_in = UInt32(input.count)
                stream.next_out = output.baseAddress
                stream.avail_out = UInt32(output.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw ZipError(.damaged, "\(name): the compressed data is damaged (\(status))")
        }
        let produced = Int(stream.total_out)
        guard produced == size else {
            throw ZipError(.damaged, "\(name): inflates to \(produced) bytes, expected \(size)")
        }
        output.removeLast()
        return output
    }

    private func uint16(at offset: Int) -> UInt16? { ByteReader(bytes: self.bytes).uint16(at: offset) }
    private func uint32(at offset: Int) -> UInt32? { ByteReader(bytes: self.bytes).uint32(at: offset) }
}

/// Little-endian reads that answer nil outside the bytes.
private struct ByteReader {
    let bytes: [UInt8]

    func uint16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= self.bytes.count - 2 else { return nil }
        return UInt16(self.bytes[offset]) | UInt16(self.bytes[offset + 1]) << 8
    }

    func uint32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= self.bytes.count - 4 else { return nil }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(self.bytes[offset + $1]) << (8 * $1) }
    }
}
