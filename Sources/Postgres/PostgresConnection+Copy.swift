internal import CLibPQ

extension PostgresConnection {
    /// Bulk-loads rows with `COPY ... FROM STDIN (FORMAT binary)`.
    ///
    /// - Parameters:
    ///   - sql: the COPY statement, e.g. `COPY t (a, b) FROM STDIN (FORMAT binary)`.
    ///   - body: appends rows to the writer; each row's values must match the listed columns.
    /// - Returns: the number of rows copied.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        try self.copyIn(
            sql,
            streaming: { _ in
                var writer = PostgresCopyWriter(connection: self)
                try body(&writer)
                try writer.finish()
            }
        )
    }

    /// `COPY ... FROM STDIN` of data already in the COPY format (a file written by `copyOut`):
    /// `body` sends it in chunks of any size.
    @discardableResult
    public func copyIn(
        _ sql: String,
        streaming body: (_ send: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> Int {
        try self.canceller.checkNotCancelled()
        try self.check(PQexec(self.handle, sql), sql: sql)
        do {
            try body { chunk in
                guard let count = Int32(exactly: chunk.count) else {
                    throw PostgresError(.encoding, "a COPY chunk of \(chunk.count) bytes is too large")
                }
                let sent = chunk.withMemoryRebound(to: CChar.self) {
                    PQputCopyData(self.handle, $0.baseAddress, count)
                }
                guard sent == 1 else { throw self.connectionError(sql: sql) }
            }
        } catch {
            _ = PQputCopyEnd(self.handle, "aborted by the client")
            while let result = PQgetResult(self.handle) { PQclear(result) }
            throw error
        }
        guard PQputCopyEnd(self.handle, nil) == 1 else { throw self.connectionError(sql: sql) }
        var affected = 0
        var failure: PostgresError?
        while let result = PQgetResult(self.handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                affected = Int(String(cString: PQcmdTuples(result))) ?? 0
                PQclear(result)
            } else if failure == nil {
                failure = self.serverError(result, sql: sql)
                PQclear(result)
            } else {
                PQclear(result)
            }
        }
        if let failure { throw failure }
        return affected
    }
}

/// Buffers rows in PostgreSQL's binary COPY format and sends them in chunks.
public struct PostgresCopyWriter: ~Copyable {
    private let connection: PostgresConnection
    private var buffer: [UInt8]
    private static let flushThreshold = 1 << 20

    init(connection: PostgresConnection) {
        self.connection = connection
        // Signature, flags, header extension length.
        self.buffer = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
        self.buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Appends one row.
    public mutating func append(_ values: [any PostgresEncodable]) throws(PostgresError) {
        guard let columns = Int16(exactly: values.count) else {
            throw PostgresError(.encoding, "a row of \(values.count) columns is too wide for COPY")
        }
        self.buffer.appendBigEndian(columns)
        for value in values {
            if value.isPostgresNull {
                self.buffer.appendBigEndian(Int32(-1))
                continue
            }
            try self.buffer.appendLengthPrefixed { (bytes) throws(PostgresError) in
                try value.encodePostgres(into: &bytes)
            }
        }
        if self.buffer.count >= Self.flushThreshold { try self.flush() }
    }

    mutating func finish() throws(PostgresError) {
        self.buffer.appendBigEndian(Int16(-1))
        try self.flush()
    }

    private mutating func flush() throws(PostgresError) {
        let sent = self.buffer.withUnsafeBufferPointer { chunk in
            chunk.withMemoryRebound(to: CChar.self) {
                PQputCopyData(self.connection.handle, $0.baseAddress, Int32($0.count))
            }
        }
        guard sent == 1 else { throw self.connection.connectionError(sql: "COPY") }
        self.buffer.removeAll(keepingCapacity: true)
    }
}

extension PostgresConnection {
    /// Streams `COPY (query) TO STDOUT`: `chunk` gets the data as it arrives (a row at a time in
    /// the text formats, `FORMAT csv` and `text`), so an export of millions of rows never holds
    /// them all. When `chunk` throws, the rest of the COPY is read and dropped (the
    /// connection stays usable) and the error rethrown.
    public func copyOut(streaming sql: String, _ chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
        try self.canceller.checkNotCancelled()
        try self.check(PQexec(self.handle, sql), sql: sql)
        var stopped: (any Error)?
        while true {
            var pointer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(self.handle, &pointer, 0)
            if length > 0, let pointer {
                defer { PQfreemem(pointer) }
                if stopped == nil {
                    do {
                        try chunk(UnsafeRawBufferPointer(start: pointer, count: Int(length)))
                    } catch {
                        stopped = error
                    }
                }
            } else if length == -1 {
                break
            } else {
                throw self.connectionError(sql: sql)
            }
        }
        var failure: PostgresError?
        while let result = PQgetResult(self.handle) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, failure == nil {
                failure = self.serverError(result, sql: sql)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        if let stopped { throw stopped }
    }

    /// Reads rows with `COPY (query) TO STDOUT (FORMAT binary)`, handing each to `row` without
    /// building a result object per value: for reading hundreds of thousands of rows. COPY takes
    /// no parameters, so the query must be complete SQL.
    ///
    /// - Returns: the number of rows read.
    @discardableResult
    public func copyOut(_ sql: String, _ row: (PostgresCopyRow) throws -> Void) throws -> Int {
        var data = [UInt8]()
        try self.copyOut(streaming: sql) { data.append(contentsOf: $0) }
        return try data.withUnsafeBytes { bytes throws -> Int in
            // Signature (11 bytes), flags (4), header extension length (4) and extension.
            guard bytes.count >= 19 else { throw PostgresError(.decoding, "COPY: no binary header") }
            var offset = 19 + Int(bytes.readBigEndian(Int32.self, at: 15))
            var rows = 0
            while offset + 2 <= bytes.count {
                let fields = Int(bytes.readBigEndian(Int16.self, at: offset))
                if fields < 0 { break }  // the trailer
                let start = offset + 2
                offset = start
                for _ in 0..<fields {
                    guard offset + 4 <= bytes.count else { throw PostgresError(.decoding, "COPY: a truncated row") }
                    offset += 4 + max(0, Int(bytes.readBigEndian(Int32.self, at: offset)))
                }
                guard offset <= bytes.count else { throw PostgresError(.decoding, "COPY: a truncated row") }
                try row(PostgresCopyRow(bytes: bytes, start: start, fields: fields))
                rows += 1
            }
            return rows
        }
    }
}

/// One row of a binary COPY: its fields read in place. Valid only inside the `copyOut` callback
/// that received it (it points into the data being parsed).
public struct PostgresCopyRow {
    let bytes: UnsafeRawBufferPointer
    let start: Int
    public let fields: Int

    /// Field `index` as an integer (int2, int4 or int8 columns); nil when NULL.
    public func int64(_ index: Int) -> Int64? {
        var offset = self.start
        for _ in 0..<index { offset += 4 + max(0, Int(self.bytes.readBigEndian(Int32.self, at: offset))) }
        let length = Int(self.bytes.readBigEndian(Int32.self, at: offset))
        switch length {
        case 8: return self.bytes.readBigEndian(Int64.self, at: offset + 4)
        case 4: return Int64(self.bytes.readBigEndian(Int32.self, at: offset + 4))
        case 2: return Int64(self.bytes.readBigEndian(Int16.self, at: offset + 4))
        default: return nil
        }
    }
}
