internal import CLibPQ

/// The rows a statement returned, read in place from libpq's result.
///
/// A libpq result is immutable once produced and may be read from any thread, so this type is
/// `Sendable`; it frees the result when the last reference goes.
public final class PostgresResult: @unchecked Sendable, RandomAccessCollection {
    let handle: OpaquePointer?
    /// Number of rows.
    public let endIndex: Int
    public var startIndex: Int { 0 }
    /// Column names, in order.
    public let columns: [String]
    /// Column types, in order.
    public let types: [PostgresType]

    init(_ handle: OpaquePointer?) {
        self.handle = handle
        guard let handle else {
            self.endIndex = 0
            self.columns = []
            self.types = []
            return
        }
        self.endIndex = Int(PQntuples(handle))
        let columnCount = PQnfields(handle)
        self.columns = (0..<columnCount).map { PQfname(handle, $0).map { String(cString: $0) } ?? "" }
        self.types = (0..<columnCount).map { PostgresType(rawValue: PQftype(handle, $0)) }
    }

    deinit { PQclear(self.handle) }

    /// Number of rows the statement affected (for INSERT, UPDATE, DELETE, COPY).
    public var affectedRows: Int {
        guard let handle else { return 0 }
        return Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    public subscript(position: Int) -> PostgresRow { PostgresRow(result: self, index: position) }

    func columnIndex(_ name: String) -> Int? { self.columns.firstIndex(of: name) }
}

/// One row of a ``PostgresResult``.
public struct PostgresRow: Sendable {
    let result: PostgresResult
    let index: Int

    /// Decodes column `column` (0-based). A NULL decodes only into an `Optional`.
    public func get<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard column >= 0, column < self.result.columns.count else {
            throw PostgresError(.decoding, "no column \(column) in a result of \(self.result.columns.count) columns")
        }
        let row = Int32(self.index)
        let col = Int32(column)
        if PQgetisnull(self.result.handle, row, col) == 1 {
            guard let nullable = T.self as? any OptionalDecodable.Type else {
                throw PostgresError(.decoding, "column \"\(self.result.columns[column])\" is NULL, expected \(T.self)")
            }
            return nullable.null as! T
        }
        let length = Int(PQgetlength(self.result.handle, row, col))
        let pointer = UnsafeRawPointer(PQgetvalue(self.result.handle, row, col)!)
        return try T(
            postgresBytes: UnsafeRawBufferPointer(start: pointer, count: length),
            type: self.result.types[column]
        )
    }

    /// Decodes the column named `name`.
    public func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard let column = self.result.columnIndex(name) else {
            throw PostgresError(.decoding, "no column named \"\(name)\" in the result")
        }
        return try self.get(column, as: type)
    }
}

protocol OptionalDecodable {
    static var null: Self { get }
}

extension Optional: OptionalDecodable {
    static var null: Self { nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) {
        self = try Wrapped(postgresBytes: bytes, type: type)
    }
}
