import Foundation
import Projections

/// Read-model rows in a compact binary form, for the index's departed rows: an as-of of a year-old
/// journal reads tens of thousands of them, so decoding must cost little more than copying.
///
/// A row is a format byte, a cell count, then each cell as a tag byte and its value; integers and
/// doubles as 8 bytes little-endian, texts as a length and UTF-8, arrays as a count and elements.
/// Decoding checks every length and gives nil on anything it does not understand.
enum CellCoding {
    static let format: UInt8 = 1

    private enum Tag: UInt8 {
        case null = 0
        case int
        case double
        case text
        case bool
        case time
        case date
        case ints
        case texts
        case doubles
        case bools
    }

    static func encode(_ row: [Cell]) -> [UInt8] {
        var writer = Writer()
        writer.bytes.append(format)
        writer.count(row.count)
        for cell in row {
            switch cell {
            case .null: writer.tag(.null)
            case .int(let value):
                writer.tag(.int)
                writer.int(value)
            case .double(let value):
                writer.tag(.double)
                writer.double(value)
            case .text(let value):
                writer.tag(.text)
                writer.text(value)
            case .bool(let value):
                writer.tag(.bool)
                writer.bytes.append(value ? 1 : 0)
            case .time(let value):
                writer.tag(.time)
                writer.double(value.timeIntervalSince1970)
            case .date(let days):
                writer.tag(.date)
                writer.int(Int64(days))
            case .ints(let values):
                writer.tag(.ints)
                writer.count(values.count)
                for value in values { writer.int(value) }
            case .texts(let values):
                writer.tag(.texts)
                writer.count(values.count)
                for value in values { writer.text(value) }
            case .doubles(let values):
                writer.tag(.doubles)
                writer.count(values.count)
                for value in values {
                    writer.bytes.append(value == nil ? 0 : 1)
                    if let value { writer.double(value) }
                }
            case .bools(let values):
                writer.tag(.bools)
                writer.count(values.count)
                for value in values { writer.bytes.append(value ? 1 : 0) }
            }
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) -> [Cell]? {
        bytes.withUnsafeBytes { buffer in
            var reader = Reader(buffer: buffer)
            guard reader.byte() == format, let count = reader.count() else { return nil }
            var row = [Cell]()
            row.reserveCapacity(count)
            for _ in 0..<count {
                guard let cell = reader.cell() else { return nil }
                row.append(cell)
            }
            return reader.atEnd ? row : nil
        }
    }

    /// A row's key cells as text (the departed rows' key column).
    static func key(_ row: [Cell], of table: PastTable) -> String {
        table.keyIndexes.map { row[$0].keyDescription }.joined(separator: "|")
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func tag(_ tag: Tag) { bytes.append(tag.rawValue) }
        mutating func count(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { bytes += $0 } }
        mutating func int(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        mutating func double(_ value: Double) { int(Int64(bitPattern: value.bitPattern)) }
        mutating func text(_ value: String) {
            count(value.utf8.count)
            bytes += value.utf8
        }
    }

    private struct Reader {
        let buffer: UnsafeRawBufferPointer
        var offset = 0

        var atEnd: Bool { offset == buffer.count }

        mutating func byte() -> UInt8? {
            guard offset < buffer.count else { return nil }
            defer { offset += 1 }
            return buffer[offset]
        }

        private mutating func fixed<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard buffer.count - offset >= size else { return nil }
            defer { offset += size }
            return T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
        }

        /// A count no larger than the bytes left, so a corrupt count cannot ask for a huge allocation.
        mutating func count() -> Int? {
            guard let value = fixed(UInt32.self), Int(value) <= buffer.count - offset else { return nil }
            return Int(value)
        }

        mutating func int() -> Int64? { fixed(Int64.self) }
        mutating func double() -> Double? { fixed(UInt64.self).map(Double.init(bitPattern:)) }
        mutating func bool() -> Bool? { byte().map { $0 != 0 } }

        mutating func text() -> String? {
            guard let length = count() else { return nil }
            defer { offset += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)]), as: UTF8.self)
        }

        mutating func many<T>(_ element: (inout Reader) -> T?) -> [T]? {
            guard let count = count() else { return nil }
            var values = [T]()
            values.reserveCapacity(count)
            for _ in 0..<count {
                guard let value = element(&self) else { return nil }
                values.append(value)
            }
            return values
        }

        mutating func cell() -> Cell? {
            guard let raw = byte(), let tag = Tag(rawValue: raw) else { return nil }
            switch tag {
            case .null: return .null
            case .int: return int().map(Cell.int)
            case .double: return double().map(Cell.double)
            case .text: return text().map(Cell.text)
            case .bool: return bool().map(Cell.bool)
            case .time: return double().map { .time(Date(timeIntervalSince1970: $0)) }
            case .date: return int().flatMap(Int32.init(exactly:)).map(Cell.date)
            case .ints: return many { $0.int() }.map(Cell.ints)
            case .texts: return many { $0.text() }.map(Cell.texts)
            case .bools: return many { $0.bool() }.map(Cell.bools)
            case .doubles:
                return many { reader -> Double?? in
                    guard let present = reader.bool() else { return nil }
                    return present ? reader.double().map { .some($0) } : .some(nil)
                }.map(Cell.doubles)
            }
        }
    }
}

extension Cell {
    var keyDescription: String {
        switch self {
        case .int(let value): String(value)
        case .text(let value): value
        case .date(let days): String(days)
        case .time(let date): String(date.timeIntervalSince1970)
        case .bool(let value): String(value)
        default: ""
        }
    }
}
