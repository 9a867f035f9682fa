import Crypto
import Foundation
import Postgres

/// What an archive folder holds besides the rows: `manifest.json`, which names every file with
/// its size and SHA-256 and says what the partition held.
public struct ArchiveManifest: Codable, Sendable, Equatable {
    public struct FileDigest: Codable, Sendable, Equatable {
        public var bytes: Int64
        public var sha256: String
    }

    /// The layout of the folder; a reader refuses a format it does not know.
    public var format: Int
    public var partition: String
    public var firstPosition: Int64
    public var lastPosition: Int64
    public var events: Int64
    public var payloads: Int64
    public var firstFetchedAt: Date?
    public var lastFetchedAt: Date?
    public var firstRecordedAt: Date?
    public var lastRecordedAt: Date?
    /// The columns of `entries.pgcopy`, in order.
    public var columns: [String]
    /// Row count and an order-independent sum of the rows' MD5s, as PostgreSQL computes them: the
    /// rows restored must give the same.
    public var rowChecksum: String
    public var files: [String: FileDigest]
    public var createdAt: Date

    static let currentFormat = 1
    static let fileName = "manifest.json"
    static let entries = "entries.pgcopy"
    static let names = "names.json"
    static let payloadsFile = "payloads.bin"

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    static func read(from folder: URL) throws -> (ArchiveManifest, sha256: String) {
        let url = folder.appending(path: self.fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EventLogError(
                .damagedArchive,
                "\(folder.path) has no \(self.fileName): it is not an archive of the log"
            )
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest: ArchiveManifest
        do {
            manifest = try decoder.decode(ArchiveManifest.self, from: data)
        } catch {
            throw EventLogError(.damagedArchive, "\(url.path) is not a manifest this program can read: \(error)")
        }
        guard manifest.format == self.currentFormat else {
            throw EventLogError(
                .damagedArchive,
                "\(url.path) is of format \(manifest.format); this program reads \(self.currentFormat)"
            )
        }
        return (manifest, SHA256.hash(data: data).hex)
    }

    /// Checks every file against its size and hash.
    func checkFiles(in folder: URL) throws {
        for name in [Self.entries, Self.names, Self.payloadsFile] {
            guard let expected = self.files[name] else {
                throw EventLogError(.damagedArchive, "the manifest of \(folder.path) does not list \(name)")
            }
            let found = try FileDigest(of: folder.appending(path: name))
            guard found == expected else {
                throw EventLogError(
                    .damagedArchive,
                    "\(folder.appending(path: name).path) has \(found.bytes) bytes with SHA-256 \(found.sha256); "
                        + "the manifest says \(expected.bytes) bytes with \(expected.sha256)"
                )
            }
        }
    }
}

extension ArchiveManifest.FileDigest {
    /// Size and SHA-256 of a file, read in 1 MB chunks.
    init(of url: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw EventLogError(.damagedArchive, "\(url.path) is missing or unreadable")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        self.init(bytes: bytes, sha256: hasher.finalize().hex)
    }
}

/// A file written once, front to back, hashed as it goes.
final class HashedFileWriter {
    private let handle: FileHandle
    private var hasher = SHA256()
    private(set) var bytes: Int64 = 0
    let url: URL

    init(_ url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw EventLogError(.archiveRefused, "cannot create \(url.path)")
        }
        guard let handle = FileHandle(forWritingAtPath: url.path) else {
            throw EventLogError(.archiveRefused, "cannot write \(url.path)")
        }
        self.handle = handle
        self.url = url
    }

    func write(_ data: some DataProtocol) throws {
        self.hasher.update(data: data)
        self.bytes += Int64(data.count)
        try self.handle.write(contentsOf: data)
    }

    /// Flushes to the disk and closes; the digest of what was written.
    func finish() throws -> ArchiveManifest.FileDigest {
        try self.handle.synchronize()
        try self.handle.close()
        return ArchiveManifest.FileDigest(bytes: self.bytes, sha256: self.hasher.finalize().hex)
    }
}

/// `payloads.bin`: the payloads the partition's events refer to, each a keyframe (so a restored
/// archive never needs a base another archive took away): a header line, then per payload its
/// SHA-256 (32 bytes), creation time (microseconds since 1970, 8 bytes), raw size (4), codec (1),
/// body length (4), all big-endian, and the body.
enum PayloadFile {
    static let header = Array("memberaudit payloads 1\n".utf8)

    struct Record {
        var hash: PayloadHash
        var createdAt: Date
        var rawSize: Int32
        var codec: PayloadCodec
        var body: [UInt8]
    }

    static func encode(_ record: Record) -> [UInt8] {
        var bytes = record.hash.bytes
        bytes.reserveCapacity(49 + record.body.count)
        let micros = Int64(exactly: (record.createdAt.timeIntervalSince1970 * 1_000_000).rounded()) ?? 0
        withUnsafeBytes(of: micros.bigEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(bitPattern: record.rawSize).bigEndian) { bytes += $0 }
        bytes.append(UInt8(truncatingIfNeeded: record.codec.rawValue))
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: record.body.count).bigEndian) { bytes += $0 }
        return bytes + record.body
    }

    /// Reads the records of `url` one at a time, checking each decodes to bytes with its hash.
    final class Reader {
        private let handle: FileHandle
        private var buffer: [UInt8] = []
        private var offset = 0
        let url: URL

        init(_ url: URL) throws {
            guard let handle = FileHandle(forReadingAtPath: url.path) else {
                throw EventLogError(.damagedArchive, "\(url.path) is missing or unreadable")
            }
            self.handle = handle
            self.url = url
            guard try self.take(PayloadFile.header.count) == PayloadFile.header else {
                throw EventLogError(.damagedArchive, "\(url.path) is not a payload file of this program")
            }
        }

        deinit { try? self.handle.close() }

        /// The next record with its raw bytes, or nil at the end.
        func next() throws -> (Record, raw: [UInt8])? {
            guard let hashBytes = try self.take(32, orEnd: true) else { return nil }
            let fixed = try self.take(17)
            let micros = fixed[0..<8].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            let rawSize = Int32(bitPattern: fixed[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            let codecByte = fixed[12]
            let length = Int(fixed[13..<17].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard let hash = PayloadHash(bytes: hashBytes),
                let codec = PayloadCodec(rawValue: Int16(codecByte)), codec != .lz4Delta, rawSize >= 0
            else {
                throw EventLogError(.damagedArchive, "\(self.url.path): a payload record is malformed")
            }
            let body = try self.take(length)
            let record = Record(
                hash: hash,
                createdAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000),
                rawSize: rawSize,
                codec: codec,
                body: body
            )
            let raw: [UInt8]
            do {
                raw = try codec.decode(body, rawSize: Int(rawSize))
            } catch {
                throw EventLogError(.damagedArchive, "\(self.url.path): payload \(hash) does not decode: \(error)")
            }
            guard PayloadHash(of: raw) == hash else {
                throw EventLogError(.damagedArchive, "\(self.url.path): payload \(hash) decodes to other bytes")
            }
            return (record, raw)
        }

        private func take(_ count: Int, orEnd: Bool = false) throws -> [UInt8]? {
            while self.buffer.count - self.offset < count {
                guard let chunk = try self.handle.read(upToCount: max(1 << 20, count)), !chunk.isEmpty else {
                    if orEnd, self.buffer.count == self.offset { return nil }
                    throw EventLogError(.damagedArchive, "\(self.url.path) ends in the middle of a payload")
                }
                self.buffer.removeFirst(self.offset)
                self.offset = 0
                self.buffer += chunk
            }
            defer { self.offset += count }
            return Array(self.buffer[self.offset..<(self.offset + count)])
        }

        private func take(_ count: Int) throws -> [UInt8] {
            guard let bytes = try self.take(count, orEnd: false) else {
                throw EventLogError(.damagedArchive, "\(self.url.path) ends in the middle of a payload")
            }
            return bytes
        }
    }
}

extension Digest {
    var hex: String { Array(self).hexEncoded }
}
