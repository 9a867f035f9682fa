import LZ4

/// The envelope of one event as a packed block keeps it: the columns of `eventlog.entries`, with
/// times as PostgreSQL's microseconds since 2000-01-01, the payload named by a number instead of
/// its 32-byte hash, and the ETag left out when it is the one the payload arrived with.
///
/// This is the row format measured for packing sealed partitions (docs/event-log.md, "Next:
/// packed sealed partitions"); the log does not write it yet.
public struct PackedEntry: Sendable, Equatable {
    /// The ETag of a fetch: none, the same as the payload's own, or another.
    public enum ETag: Sendable, Equatable {
        case none
        case payloads
        case text(String)
    }

    public var position: Int64
    public var fetchedAt: Int64
    public var recordedAt: Int64
    public var lastModified: Int64?
    public var expires: Int64?
    public var streamID: Int32
    public var payloadSize: Int32?
    public var pages: Int32?
    /// Days since 2000-01-01.
    public var compatibilityDate: Int32?
    public var routeID: Int16
    public var outcome: Int16
    public var httpStatus: Int16?
    public var payloadID: Int64?
    public var etag: ETag
    public var error: String?
    /// JSON text, only when not the stream's own.
    public var parameters: String?

    public init(
        position: Int64,
        fetchedAt: Int64,
        recordedAt: Int64,
        streamID: Int32,
        routeID: Int16,
        outcome: Int16
    ) {
        self.position = position
        self.fetchedAt = fetchedAt
        self.recordedAt = recordedAt
        self.streamID = streamID
        self.routeID = routeID
        self.outcome = outcome
        self.etag = .none
    }
}

/// Consecutive envelopes stored column by column and compressed as one LZ4 frame.
///
/// A column of one kind of value compresses far better than rows that interleave them, and most
/// values are small once written against their neighbours: positions as steps from the previous
/// one (a step of 1, one byte, in a dense log), times as differences (fetched from the previous
/// fetched, the others from their own fetched time), numbers as variable-length integers. Which
/// optional values a row has is one flags byte per row. Every difference wraps (`&-`, `&+`), so
/// any value, however far out, comes back exactly.
///
/// Layout before compression: `0xE1`, the row count, then each column as its byte length and
/// bytes, in the order of ``Column``.
public enum EnvelopeBlock {
    static let format: UInt8 = 0xE1

    private enum Column: Int, CaseIterable {
        case flags, positions, fetched, recorded, lastModified, expires, streams, routes, outcomes, statuses
        case sizes, pages, dates, payloads, etags, errors, parameters
    }

    private struct Flags: OptionSet {
        let rawValue: UInt16
        static let lastModified = Flags(rawValue: 1 << 0)
        static let expires = Flags(rawValue: 1 << 1)
        static let payloadSize = Flags(rawValue: 1 << 2)
        static let pages = Flags(rawValue: 1 << 3)
        static let compatibilityDate = Flags(rawValue: 1 << 4)
        static let httpStatus = Flags(rawValue: 1 << 5)
        static let payloadID = Flags(rawValue: 1 << 6)
        static let error = Flags(rawValue: 1 << 7)
        static let parameters = Flags(rawValue: 1 << 8)
        static let payloadsETag = Flags(rawValue: 1 << 9)
        static let textETag = Flags(rawValue: 1 << 10)
    }

    /// Packs `entries` (in position order) into one compressed block.
    public static func encode(_ entries: [PackedEntry]) -> [UInt8] { self.encodeMeasured(entries).block }

    /// The columns of `entries`, before compression.
    static func layout(_ entries: [PackedEntry]) -> [UInt8] {
        var columns = [ByteWriter](repeating: ByteWriter(), count: Column.allCases.count)
        func put(_ column: Column, _ body: (inout ByteWriter) -> Void) { body(&columns[column.rawValue]) }
        var previousPosition: Int64 = 0
        var previousFetched: Int64 = 0
        for entry in entries {
            var flags = Flags()
            /// A value only some rows have: flagged, and in its column when there.
            func optional(_ value: Int64?, _ flag: Flags, _ column: Column, from origin: Int64 = 0) {
                guard let value else { return }
                flags.insert(flag)
                put(column) { $0.signed(value &- origin) }
            }
            func optional(_ text: String?, _ flag: Flags, _ column: Column) {
                guard let text else { return }
                flags.insert(flag)
                put(column) { $0.text(text) }
            }
            put(.positions) { $0.signed(entry.position &- previousPosition) }
            put(.fetched) { $0.signed(entry.fetchedAt &- previousFetched) }
            put(.recorded) { $0.signed(entry.recordedAt &- entry.fetchedAt) }
            (previousPosition, previousFetched) = (entry.position, entry.fetchedAt)
            put(.streams) { $0.signed(Int64(entry.streamID)) }
            put(.routes) { $0.signed(Int64(entry.routeID)) }
            put(.outcomes) { $0.signed(Int64(entry.outcome)) }
            optional(entry.lastModified, .lastModified, .lastModified, from: entry.fetchedAt)
            optional(entry.expires, .expires, .expires, from: entry.fetchedAt)
            optional(entry.httpStatus.map(Int64.init), .httpStatus, .statuses)
            optional(entry.payloadSize.map(Int64.init), .payloadSize, .sizes)
            optional(entry.pages.map(Int64.init), .pages, .pages)
            optional(entry.compatibilityDate.map(Int64.init), .compatibilityDate, .dates)
            optional(entry.payloadID, .payloadID, .payloads)
            switch entry.etag {
            case .none: break
            case .payloads: flags.insert(.payloadsETag)
            case .text(let text): optional(text, .textETag, .etags)
            }
            optional(entry.error, .error, .errors)
            optional(entry.parameters, .parameters, .parameters)
            put(.flags) { $0.unsigned(UInt64(flags.rawValue)) }
        }
        var block = ByteWriter()
        block.bytes.append(self.format)
        block.unsigned(UInt64(entries.count))
        for column in columns {
            block.unsigned(UInt64(column.bytes.count))
            block.bytes.append(contentsOf: column.bytes)
        }
        return block.bytes
    }

    /// Unpacks a block `encode(_:)` made; `rawSize` is the size of its layout before compression,
    /// kept beside it. A damaged block fails LZ4's checksum or a bounds check: it throws, never traps.
    public static func decode(_ block: [UInt8], rawSize: Int) throws(EventLogError) -> [PackedEntry] {
        let raw: [UInt8]
        do { raw = try LZ4.decompress(block, rawSize: rawSize) } catch {
            throw EventLogError(.corruptEnvelopes, "a packed envelope block does not decompress: \(error)")
        }
        return try self.decodeLayout(raw)
    }

    /// The size of a block's layout before compression, to keep beside it for ``decode(_:rawSize:)``.
    public static func encodeMeasured(_ entries: [PackedEntry]) -> (block: [UInt8], rawSize: Int) {
        let layout = self.layout(entries)
        return (LZ4.compress(layout), layout.count)
    }

    static func decodeLayout(_ raw: [UInt8]) throws(EventLogError) -> [PackedEntry] {
        var header = ByteReader(raw[...])
        guard try header.byte() == self.format else {
            throw EventLogError(.corruptEnvelopes, "not a packed envelope block (format byte)")
        }
        let count = try header.count(atMost: raw.count)
        var columns = [ByteReader]()
        for _ in Column.allCases {
            let length = try header.count(atMost: header.remaining)
            columns.append(ByteReader(try header.slice(length)))
        }
        guard header.remaining == 0 else {
            throw EventLogError(.corruptEnvelopes, "\(header.remaining) bytes follow a packed envelope block")
        }
        var entries = [PackedEntry]()
        entries.reserveCapacity(count)
        var previousPosition: Int64 = 0
        var previousFetched: Int64 = 0
        for _ in 0..<count {
            let flags = Flags(rawValue: try narrow(columns[Column.flags.rawValue].unsigned()))
            func signed(_ column: Column) throws(EventLogError) -> Int64 { try columns[column.rawValue].signed() }
            func small<T: FixedWidthInteger>(_ column: Column) throws(EventLogError) -> T { try narrow(signed(column)) }
            func text(_ column: Column) throws(EventLogError) -> String { try columns[column.rawValue].text() }

            let position = previousPosition &+ (try signed(.positions))
            let fetched = previousFetched &+ (try signed(.fetched))
            (previousPosition, previousFetched) = (position, fetched)
            var entry = PackedEntry(
                position: position,
                fetchedAt: fetched,
                recordedAt: fetched &+ (try signed(.recorded)),
                streamID: try small(.streams),
                routeID: try small(.routes),
                outcome: try small(.outcomes)
            )
            if flags.contains(.lastModified) { entry.lastModified = fetched &+ (try signed(.lastModified)) }
            if flags.contains(.expires) { entry.expires = fetched &+ (try signed(.expires)) }
            if flags.contains(.httpStatus) { entry.httpStatus = try small(.statuses) }
            if flags.contains(.payloadSize) { entry.payloadSize = try small(.sizes) }
            if flags.contains(.pages) { entry.pages = try small(.pages) }
            if flags.contains(.compatibilityDate) { entry.compatibilityDate = try small(.dates) }
            if flags.contains(.payloadID) { entry.payloadID = try signed(.payloads) }
            if flags.contains(.payloadsETag) {
                entry.etag = .payloads
            } else if flags.contains(.textETag) {
                entry.etag = .text(try text(.etags))
            }
            if flags.contains(.error) { entry.error = try text(.errors) }
            if flags.contains(.parameters) { entry.parameters = try text(.parameters) }
            entries.append(entry)
        }
        for column in columns where column.remaining != 0 {
            throw EventLogError(
                .corruptEnvelopes,
                "a packed envelope block has \(column.remaining) bytes left in a column"
            )
        }
        return entries
    }
}

/// A value that must fit a narrower integer type.
private func narrow<T: FixedWidthInteger>(_ value: some FixedWidthInteger) throws(EventLogError) -> T {
    guard let narrowed = T(exactly: value) else {
        throw EventLogError(.corruptEnvelopes, "a packed envelope block has \(value), out of range for \(T.self)")
    }
    return narrowed
}

/// Variable-length integers (LEB128; signed ones zigzag-mapped first, so small negatives stay
/// small) and length-prefixed text.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func unsigned(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            self.bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        self.bytes.append(UInt8(value))
    }

    mutating func signed(_ value: Int64) {
        self.unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func text(_ value: String) {
        let utf8 = Array(value.utf8)
        self.unsigned(UInt64(utf8.count))
        self.bytes.append(contentsOf: utf8)
    }
}

/// Reads what ``ByteWriter`` wrote, checking every bound: bad bytes throw, they never trap.
struct ByteReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var remaining: Int { self.bytes.count }

    mutating func byte() throws(EventLogError) -> UInt8 {
        guard let first = self.bytes.popFirst() else { throw Self.truncated }
        return first
    }

    mutating func unsigned() throws(EventLogError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.byte()
            guard shift < 64, shift < 63 || byte <= 1 else {
                throw EventLogError(.corruptEnvelopes, "a packed envelope block has an integer over 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func signed() throws(EventLogError) -> Int64 {
        let raw = try self.unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A count or length no larger than `limit`.
    mutating func count(atMost limit: Int) throws(EventLogError) -> Int {
        let raw = try self.unsigned()
        guard let value = Int(exactly: raw), value <= limit else {
            throw EventLogError(.corruptEnvelopes, "a packed envelope block has a length of \(raw), over \(limit)")
        }
        return value
    }

    mutating func slice(_ length: Int) throws(EventLogError) -> ArraySlice<UInt8> {
        guard length <= self.bytes.count else { throw Self.truncated }
        let slice = self.bytes.prefix(length)
        self.bytes.removeFirst(length)
        return slice
    }

    mutating func text() throws(EventLogError) -> String {
        let length = try self.count(atMost: self.remaining)
        guard let text = String(validating: try self.slice(length), as: UTF8.self) else {
            throw EventLogError(.corruptEnvelopes, "a packed envelope block has text that is not UTF-8")
        }
        return text
    }

    private static let truncated = EventLogError(.corruptEnvelopes, "a packed envelope block ends early")
}
