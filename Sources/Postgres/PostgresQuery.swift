/// A statement whose interpolated values become bind parameters, in the manner of postgres-nio's
/// `PostgresQuery`: `"SELECT name FROM sync.users WHERE id = \(id)"` sends `$1` and the value,
/// never the value's text inside the SQL. No `$n` is counted by hand.
///
/// - `\(value)`: a bind (an `Optional` binds NULL).
/// - `\(fragment)`: another query spliced in, its binds renumbered after the ones before it (a
///   condition built elsewhere, such as the viewer's visibility).
/// - `\(unescaped: text)`: SQL text as it is: identifiers and fixed SQL, never input.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    public private(set) var sql: String
    public private(set) var binds: [any PostgresEncodable]

    public init(unescaped sql: String) {
        self.sql = sql
        self.binds = []
    }

    public init(stringLiteral value: String) { self.init(unescaped: value) }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds = [any PostgresEncodable]()

        public init(literalCapacity: Int, interpolationCount: Int) {
            self.sql.reserveCapacity(literalCapacity + 4 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { self.sql += literal }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            self.binds.append(value)
            self.sql += "$\(self.binds.count)"
        }

        /// A value that may be NULL. Declared apart only so that the compiler sees the optional is
        /// meant (it warns of an optional interpolated into a string otherwise); it binds the same.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            self.binds.append(value)
            self.sql += "$\(self.binds.count)"
        }

        public mutating func appendInterpolation(_ fragment: PostgresQuery) {
            self.sql += fragment.renumbered(after: self.binds.count)
            self.binds += fragment.binds
        }

        public mutating func appendInterpolation(unescaped text: String) { self.sql += text }
    }

    /// The SQL with each `$n` moved on by `offset` (a fragment's binds follow earlier ones). Only
    /// `$` followed by digits is a parameter; fragments hold no dollar-quoted strings.
    func renumbered(after offset: Int) -> String {
        guard offset > 0, !self.binds.isEmpty else { return self.sql }
        var result = ""
        result.reserveCapacity(self.sql.utf8.count + 8)
        var index = self.sql.startIndex
        while index < self.sql.endIndex {
            let character = self.sql[index]
            index = self.sql.index(after: index)
            guard character == "$" else {
                result.append(character)
                continue
            }
            let digits = self.sql[index...].prefix { $0.isASCII && $0.isNumber }
            guard let number = Int(digits) else {
                result.append(character)
                continue
            }
            result += "$\(number + offset)"
            index = digits.endIndex
        }
        return result
    }
}

extension PostgresConnection {
    /// Runs a statement built by interpolation and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws(PostgresError) -> PostgresResult {
        try self.query(query.sql, query.binds)
    }

    /// Runs a statement built by interpolation; returns the rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws(PostgresError) -> Int {
        try self.execute(query.sql, query.binds)
    }
}

extension PostgresRow {
    /// The row's first columns as a tuple: `try row.decode((Int64, String, Date?).self)`.
    public func decode<each Column: PostgresDecodable>(
        _: (repeat each Column).Type
    ) throws(PostgresError) -> (repeat each Column) {
        var column = 0
        func next<T: PostgresDecodable>(_: T.Type) throws(PostgresError) -> T {
            defer { column += 1 }
            return try self.get(column, as: T.self)
        }
        return (repeat try next((each Column).self))
    }
}
