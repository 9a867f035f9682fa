/// Lower-case hex of bytes: checksums, hashes, `decode(..., 'hex')` input. In this module because
/// every module that hashes something already depends on it.
extension Sequence<UInt8> {
    public var hexEncoded: String {
        var text = [UInt8]()
        text.reserveCapacity(self.underestimatedCount * 2)
        for byte in self {
            text.append(hexDigit(byte >> 4))
            text.append(hexDigit(byte & 0x0F))
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// The hex digit of a value 0...15.
@inline(__always)
public func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }
