import Foundation

/// A Swift value that can be sent as a statement parameter in PostgreSQL's binary format.
///
/// Values are only ever sent as parameters (`$1`, `$2`, ...), never spliced into SQL text.
public protocol PostgresEncodable: Sendable {
    /// The type OID the parameter is declared with.
    static var postgresType: PostgresType { get }
    /// Appends the binary representation. Not called for SQL NULL (see ``isPostgresNull``).
    func encodePostgres(into buffer: inout [UInt8])
    /// Whether this value is SQL NULL.
    var isPostgresNull: Bool { get }
}

extension PostgresEncodable {
    public var isPostgresNull: Bool { false }
}

/// A type that can also be sent as the element of an array parameter (`$1::bigint[]`).
public protocol PostgresArrayElement: PostgresEncodable {
    static var postgresArrayType: PostgresType { get }
}

extension Bool: PostgresArrayElement {
    public static var postgresType: PostgresType { .bool }
    public static var postgresArrayType: PostgresType { .boolArray }
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
}

extension Int: PostgresArrayElement {
    public static var postgresType: PostgresType { .int8 }
    public static var postgresArrayType: PostgresType { .int8Array }
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.appendBigEndian(Int64(self)) }
}

extension Int64: PostgresArrayElement {
    public static var postgresType: PostgresType { .int8 }
    public static var postgresArrayType: PostgresType { .int8Array }
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
}

extension Int32: PostgresArrayElement {
    public static var postgresType: PostgresType { .int4 }
    public static var postgresArrayType: PostgresType { .int4Array }
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
}

extension Int16: PostgresArrayElement {
    public static var postgresType: PostgresType { .int2 }
    public static var postgresArrayType: PostgresType { .int2Array }
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
}

extension Double: PostgresArrayElement {
    public static var postgresType: PostgresType { .float8 }
    public static var postgresArrayType: PostgresType { .float8Array }
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.appendBigEndian(self.bitPattern) }
}

extension String: PostgresArrayElement {
    public static var postgresType: PostgresType { .text }
    public static var postgresArrayType: PostgresType { .textArray }
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.append(contentsOf: self.utf8) }
}

/// Raw bytes, sent as `bytea`.
public struct ByteA: PostgresArrayElement, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public static var postgresType: PostgresType { .bytea }
    public static var postgresArrayType: PostgresType { .byteaArray }
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.append(contentsOf: self.bytes) }
}

/// PostgreSQL's epoch for timestamps: 2000-01-01 00:00:00 UTC, in seconds after 1970.
let postgresEpoch: TimeInterval = 946_684_800

extension Date: PostgresArrayElement {
    public static var postgresType: PostgresType { .timestamptz }
    public static var postgresArrayType: PostgresType { .timestamptzArray }
    public func encodePostgres(into buffer: inout [UInt8]) {
        let micros = ((self.timeIntervalSince1970 - postgresEpoch) * 1_000_000).rounded()
        buffer.appendBigEndian(Int64(micros))
    }
}

extension UUID: PostgresArrayElement {
    public static var postgresType: PostgresType { .uuid }
    public static var postgresArrayType: PostgresType { .uuidArray }
    public func encodePostgres(into buffer: inout [UInt8]) {
        Swift.withUnsafeBytes(of: self.uuid) { buffer.append(contentsOf: $0) }
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public var isPostgresNull: Bool { self == nil }
    public func encodePostgres(into buffer: inout [UInt8]) { self?.encodePostgres(into: &buffer) }
}

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { Wrapped.postgresArrayType }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }

    /// A one-dimensional array in PostgreSQL's binary array format.
    public func encodePostgres(into buffer: inout [UInt8]) {
        buffer.appendBigEndian(Int32(1))  // dimensions
        buffer.appendBigEndian(Int32(self.contains { $0.isPostgresNull } ? 1 : 0))
        buffer.appendBigEndian(Element.postgresType.rawValue)
        buffer.appendBigEndian(Int32(self.count))
        buffer.appendBigEndian(Int32(1))  // lower bound
        for element in self {
            if element.isPostgresNull {
                buffer.appendBigEndian(Int32(-1))
                continue
            }
            buffer.appendLengthPrefixed { element.encodePostgres(into: &$0) }
        }
    }
}
