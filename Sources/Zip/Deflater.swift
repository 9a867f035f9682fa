internal import CZlib

/// Raw DEFLATE (RFC 1951, as zip entries hold it) of a stream of chunks, with the CRC-32 and size
/// of what went in. zlib keeps a pointer back to its stream, so the stream lives on the heap.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private(set) var output: [UInt8] = []
    private(set) var crc: UInt32 = 0
    private(set) var inputSize: UInt64 = 0
    private var finished = false

    init(level: Int32 = 6) {
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        // windowBits −15: raw deflate, no zlib header or trailer. Fails only without memory.
        let status = deflateInit2_(
            self.stream,
            level,
            Z_DEFLATED,
            -MAX_WBITS,
            8,
            Z_DEFAULT_STRATEGY,
            zlibVersion(),
            Int32(MemoryLayout<z_stream>.size)
        )
        precondition(status == Z_OK, "deflateInit2: \(status)")
    }

    deinit {
        deflateEnd(self.stream)
        self.stream.deinitialize(count: 1)
        self.stream.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        precondition(!self.finished, "write after finish")
        // zlib counts in 32-bit lengths: feed at most 1 GiB at a time.
        var offset = 0
        while offset < bytes.count {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<min(bytes.count, offset + (1 << 30))])
            let base = slice.baseAddress!.assumingMemoryBound(to: Bytef.self)
            self.crc = UInt32(crc32(uLong(self.crc), base, uInt(slice.count)))
            self.inputSize += UInt64(slice.count)
            self.stream.pointee.next_in = UnsafeMutablePointer(mutating: base)
            self.stream.pointee.avail_in = uInt(slice.count)
            self.run(flush: Z_NO_FLUSH)
            offset += slice.count
        }
    }

    /// Ends the stream; `output` then holds all of it.
    func finish() {
        guard !self.finished else { return }
        self.stream.pointee.next_in = nil
        self.stream.pointee.avail_in = 0
        self.run(flush: Z_FINISH)
        self.finished = true
    }

    private func run(flush: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let (status, produced) = buffer.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                self.stream.pointee.next_out = out.baseAddress
                self.stream.pointee.avail_out = uInt(out.count)
                let status = deflate(self.stream, flush)
                return (status, out.count - Int(self.stream.pointee.avail_out))
            }
            // Z_STREAM_ERROR means a corrupt stream (a bug here), Z_BUF_ERROR only "no progress".
            precondition(status != Z_STREAM_ERROR, "deflate: stream error")
            self.output.append(contentsOf: buffer[..<produced])
            if flush == Z_FINISH ? status == Z_STREAM_END : self.stream.pointee.avail_out != 0 { return }
        }
    }
}
