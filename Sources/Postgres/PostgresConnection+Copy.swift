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
        try self.canceller.checkNotCancelled()
        try self.check(PQexec(self.handle, sql), sql: sql)
        var writer = PostgresCopyWriter(connection: self)
        do {
            try body(&writer)
            try writer.finish()
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
        self.buffer.appendBigEndian(Int16(values.count))
        for value in values {
            if value.isPostgresNull {
                self.buffer.appendBigEndian(Int32(-1))
                continue
            }
            self.buffer.appendLengthPrefixed { value.encodePostgres(into: &$0) }
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
