// Big-endian integer reading and writing for PostgreSQL's binary wire format.

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { self.append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func readBigEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: self[offset..<(offset + MemoryLayout<T>.size)]))
        }
        return T(bigEndian: value)
    }
}

extension Array where Element == UInt8 {
    /// Appends a length-prefixed value: a big-endian Int32 length, then what `write` appends.
    /// A value PostgreSQL's wire format cannot carry (1 GiB and more) throws.
    @inline(__always)
    mutating func appendLengthPrefixed(_ write: (inout [UInt8]) throws(PostgresError) -> Void) throws(PostgresError) {
        let lengthOffset = self.count
        self.appendBigEndian(Int32(0))
        try write(&self)
        guard let written = Int32(exactly: self.count - lengthOffset - 4), written < 1 << 30 else {
            throw PostgresError(
                .encoding,
                "a value of \(self.count - lengthOffset - 4) bytes is over PostgreSQL's 1 GiB"
            )
        }
        let length = written.bigEndian
        Swift.withUnsafeBytes(of: length) { bytes in
            for index in 0..<4 { self[lengthOffset + index] = bytes[index] }
        }
    }
}
