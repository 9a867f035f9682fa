import Crypto
import Postgres

/// The SHA-256 of a payload's raw bytes: its address in the log.
public struct PayloadHash: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Hashes raw payload bytes.
    public init(of payload: [UInt8]) { self.bytes = Array(SHA256.hash(data: payload)) }

    /// Wraps a stored 32-byte hash.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Parses 64 hexadecimal digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }

    public var hex: String { self.bytes.hexEncoded }

    public var description: String { self.hex }

    public static func < (lhs: PayloadHash, rhs: PayloadHash) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
