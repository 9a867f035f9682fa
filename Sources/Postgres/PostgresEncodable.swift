import Foundation

/// A Swift value that can be sent as a statement parameter in PostgreSQL's binary format.
///
/// Values are only ever sent as parameters (`$1`, `$2`, ...), never spliced into SQL text.
public protocol PostgresEncodable: Sendable {
    /// The type OID the parameter is declared with.
    static var postgresType: PostgresType { get }
    /// Appends the binary representation. Not called for SQL NULL (see ``isPostgresNull``).
    /// Throws ``PostgresError/Code/encoding`` for a value PostgreSQL cannot hold; never traps,
    /// whatever the value (it may have come from a user or from ESI).
    func encodePostgres(into buffer: inout [UInt8]) throws(PostgresError)
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
    public func encodePostgres(into buffer: inout [UInt8]) { buffer.appendBigEndian(Int64(truncatingIfNeeded: self)) }
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
    /// PostgreSQL's text cannot hold NUL: such a string is refused here, with a message, rather
    /// than by the server with a less clear one.
    public func encodePostgres(into buffer: inout [UInt8]) throws(PostgresError) {
        let start = buffer.count
        buffer.append(contentsOf: self.utf8)
        if buffer[start...].contains(0) {
            buffer.removeSubrange(start...)
            throw PostgresError(.encoding, "a text value holds a NUL character, which PostgreSQL cannot store")
        }
    }
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
    /// PostgreSQL's timestamps run from 4713 BC to 294276 AD; a date beyond them (or NaN, or an
    /// infinity) is refused here rather than converted.
    public func encodePostgres(into buffer: inout [UInt8]) throws(PostgresError) {
        guard let value = self.postgresMicros else {
            throw PostgresError(
                .encoding,
                "the moment \(self.timeIntervalSince1970) s after 1970 is outside PostgreSQL's range"
            )
        }
        buffer.appendBigEndian(value)
    }

    /// Whether PostgreSQL's `timestamptz` can hold this moment.
    public var isPostgresTimestamp: Bool { self.postgresMicros != nil }

    private var postgresMicros: Int64? {
        let micros = ((self.timeIntervalSince1970 - postgresEpoch) * 1_000_000).rounded()
        guard let value = Int64(exactly: micros), (Self.earliestMicros...Self.latestMicros).contains(value) else {
            return nil
        }
        return value
    }

    /// 4714-11-24 BC and the end of 294276 AD in microseconds after 2000-01-01: PostgreSQL's limits.
    static let earliestMicros: Int64 = -211_813_488_000_000_000
    static let latestMicros: Int64 = 9_223_371_331_199_999_999
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
    public func encodePostgres(into buffer: inout [UInt8]) throws(PostgresError) {
        try self?.encodePostgres(into: &buffer)
    }
}

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { Wrapped.postgresArrayType }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }

    /// A one-dimensional array in PostgreSQL's binary array format.
    public func encodePostgres(into buffer: inout [UInt8]) throws(PostgresError) {
        guard let count = Int32(exactly: self.count) else {
            throw PostgresError(.encoding, "an array of \(self.count) elements is too long for PostgreSQL")
        }
        buffer.appendBigEndian(Int32(1))  // dimensions
        buffer.appendBigEndian(Int32(self.contains { $0.isPostgresNull } ? 1 : 0))
        buffer.appendBigEndian(Element.postgresType.rawValue)
        buffer.appendBigEndian(count)
        buffer.appendBigEndian(Int32(1))  // lower bound
        for element in self {
            if element.isPostgresNull {
                buffer.appendBigEndian(Int32(-1))
                continue
            }
            try buffer.appendLengthPrefixed { (bytes) throws(PostgresError) in try element.encodePostgres(into: &bytes)
            }
        }
    }
}

/// A `jsonb` parameter or COPY value: JSON text, sent in jsonb's binary form (a version byte, then
/// the text). PostgreSQL checks that it is JSON.
public struct PostgresJSONB: PostgresEncodable, Hashable {
    public var text: String

    public init(_ text: String) { self.text = text }

    public static var postgresType: PostgresType { .jsonb }

    public func encodePostgres(into buffer: inout [UInt8]) throws(PostgresError) {
        buffer.append(1)
        try self.text.encodePostgres(into: &buffer)
    }
}
