import Foundation

/// A Swift type that can be read from a column in PostgreSQL's binary format.
public protocol PostgresDecodable {
    /// Decodes a non-NULL value of column type `type`.
    init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError)
}

func decodingError<T>(_ type: PostgresType, as swiftType: T.Type, _ reason: String = "") -> PostgresError {
    PostgresError(.decoding, "cannot decode PostgreSQL type \(type.rawValue) as \(swiftType)\(reason)")
}

extension Bool: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        guard type == .bool, bytes.count == 1 else { throw decodingError(type, as: Bool.self) }
        self = bytes[0] != 0
    }
}

extension Int64: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        switch (type, bytes.count) {
        case (.int8, 8), (.xid8, 8): self = bytes.readBigEndian(Int64.self, at: 0)
        case (.int4, 4): self = Int64(bytes.readBigEndian(Int32.self, at: 0))
        case (.int2, 2): self = Int64(bytes.readBigEndian(Int16.self, at: 0))
        case (.oid, 4): self = Int64(bytes.readBigEndian(UInt32.self, at: 0))
        case (.numeric, _):
            let text = try decodeNumeric(bytes)
            guard let value = Int64(text) else { throw decodingError(type, as: Int64.self, ": \(text)") }
            self = value
        default: throw decodingError(type, as: Int64.self)
        }
    }
}

extension Int: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        self = Int(try Int64(postgresBytes: bytes, type: type))
    }
}

extension Int32: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        let wide = try Int64(postgresBytes: bytes, type: type)
        guard let value = Int32(exactly: wide) else { throw decodingError(type, as: Int32.self, ": out of range") }
        self = value
    }
}

extension Int16: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        let wide = try Int64(postgresBytes: bytes, type: type)
        guard let value = Int16(exactly: wide) else { throw decodingError(type, as: Int16.self, ": out of range") }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        switch (type, bytes.count) {
        case (.float8, 8): self = Double(bitPattern: bytes.readBigEndian(UInt64.self, at: 0))
        case (.float4, 4): self = Double(Float(bitPattern: bytes.readBigEndian(UInt32.self, at: 0)))
        case (.numeric, _):
            let text = try decodeNumeric(bytes)
            guard let value = Double(text) else { throw decodingError(type, as: Double.self, ": \(text)") }
            self = value
        case (.int8, _), (.int4, _), (.int2, _): self = Double(try Int64(postgresBytes: bytes, type: type))
        default: throw decodingError(type, as: Double.self)
        }
    }
}

extension String: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        if type.isText {
            self = String(decoding: bytes, as: UTF8.self)
        } else if type == .jsonb, bytes.count >= 1, bytes[0] == 1 {
            self = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[1...]), as: UTF8.self)
        } else if type == .numeric {
            self = try decodeNumeric(bytes)
        } else {
            throw decodingError(type, as: String.self)
        }
    }
}

extension ByteA: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        guard type == .bytea else { throw decodingError(type, as: ByteA.self) }
        self.init(Array(bytes))
    }
}

extension Date: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        switch (type, bytes.count) {
        case (.timestamptz, 8), (.timestamp, 8):
            let micros = bytes.readBigEndian(Int64.self, at: 0)
            self = Date(timeIntervalSince1970: postgresEpoch + Double(micros) / 1_000_000)
        case (.date, 4):
            let days = bytes.readBigEndian(Int32.self, at: 0)
            self = Date(timeIntervalSince1970: postgresEpoch + Double(days) * 86_400)
        default: throw decodingError(type, as: Date.self)
        }
    }
}

extension UUID: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        guard type == .uuid, bytes.count == 16 else { throw decodingError(type, as: UUID.self) }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: bytes) }
        self.init(uuid: value)
    }
}

/// Decodes PostgreSQL's binary `numeric` (base-10000 digits) to its exact decimal text.
func decodeNumeric(_ bytes: UnsafeRawBufferPointer) throws(PostgresError) -> String {
    guard bytes.count >= 8 else { throw decodingError(.numeric, as: String.self, ": short value") }
    let count = Int(bytes.readBigEndian(Int16.self, at: 0))
    let weight = Int(bytes.readBigEndian(Int16.self, at: 2))
    let sign = bytes.readBigEndian(UInt16.self, at: 4)
    let scale = Int(bytes.readBigEndian(Int16.self, at: 6))
    guard bytes.count == 8 + 2 * count else { throw decodingError(.numeric, as: String.self, ": bad length") }
    if sign == 0xC000 { return "NaN" }
    if sign == 0xD000 { return "Infinity" }
    if sign == 0xF000 { return "-Infinity" }
    let digits = (0..<count).map { Int(bytes.readBigEndian(Int16.self, at: 8 + 2 * $0)) }
    var integer = ""
    if weight < 0 {
        integer = "0"
    } else {
        for index in 0...weight {
            let digit = index < digits.count ? digits[index] : 0
            integer +=
                index == 0 ? String(digit) : String(repeating: "0", count: 4 - String(digit).count) + String(digit)
        }
    }
    var fraction = ""
    if scale > 0 {
        var index = weight + 1
        while fraction.count < scale {
            let digit = index >= 0 && index < digits.count ? digits[index] : 0
            fraction += String(repeating: "0", count: 4 - String(digit).count) + String(digit)
            index += 1
        }
        fraction = "." + fraction.prefix(scale)
    }
    return (sign == 0x4000 ? "-" : "") + integer + fraction
}

/// One-dimensional arrays in PostgreSQL's binary array format (an empty array has no dimensions).
/// A NULL element decodes only into an `Optional` element type.
extension Array: PostgresDecodable where Element: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        guard bytes.count >= 12 else { throw decodingError(type, as: [Element].self, ": too short") }
        let dimensions = bytes.readBigEndian(Int32.self, at: 0)
        let elementType = PostgresType(rawValue: bytes.readBigEndian(UInt32.self, at: 8))
        guard dimensions <= 1 else { throw decodingError(type, as: [Element].self, ": \(dimensions) dimensions") }
        guard dimensions == 1 else {
            self = []
            return
        }
        guard bytes.count >= 20 else { throw decodingError(type, as: [Element].self, ": too short") }
        let count = Int(bytes.readBigEndian(Int32.self, at: 12))
        var offset = 20
        var elements = [Element]()
        elements.reserveCapacity(count)
        for _ in 0..<count {
            guard offset + 4 <= bytes.count else { throw decodingError(type, as: [Element].self, ": truncated") }
            let length = Int(bytes.readBigEndian(Int32.self, at: offset))
            offset += 4
            if length < 0 {
                guard let nullable = Element.self as? any OptionalDecodable.Type else {
                    throw decodingError(type, as: [Element].self, ": a NULL element")
                }
                elements.append(nullable.null as! Element)
                continue
            }
            guard offset + length <= bytes.count else { throw decodingError(type, as: [Element].self, ": truncated") }
            elements.append(
                try Element(
                    postgresBytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]),
                    type: elementType
                )
            )
            offset += length
        }
        self = elements
    }
}
