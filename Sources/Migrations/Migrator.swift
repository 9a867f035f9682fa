import Crypto
import Foundation
import Postgres
import Vocabulary

/// A numbered SQL migration, e.g. `0001_event_log.sql`.
package struct Migration: Sendable {
    package var version: Int
    package var name: String
    package var sql: String

    /// SHA-256 of the file, recorded when applied, so an edited migration is noticed.
    package var checksum: String {
        SHA256.hash(data: Data(self.sql.utf8)).hexEncoded
    }

    package init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations embedded from `schema/` at build time.
    package static var embedded: [Migration] {
        EmbeddedFiles.files.compactMap { file in
            guard let version = Int(file.name.prefix { $0.isNumber }) else { return nil }
            return Migration(version: version, name: file.name, sql: file.text)
        }
        .sorted { $0.version < $1.version }
    }
}

/// What ``Migrator/migrate(_:)`` did.
public struct MigrationReport: Sendable {
    /// File names applied by this run, in order.
    public var applied: [String]
    /// How many were already applied before.
    public var alreadyApplied: Int
}

/// A migration that failed, naming the file, the statement and where it is.
public struct MigrationError: ClassifiedError, Sendable {
    public typealias Code = ErrorCode<MigrationError>
    public var code: Code
    public var kind: ErrorKind { self.code.kind }
    public var file: String
    public var statementNumber: Int?
    public var line: Int?
    public var statement: String?
    public var reason: String

    public var description: String {
        var text = "migration \(self.file) failed"
        if let statementNumber, let line {
            text += " at statement \(statementNumber) (line \(line))"
        }
        text += ": \(self.reason)"
        if let statement {
            let firstLine = statement.split(separator: "\n").first.map(String.init) ?? statement
            text += "\n  statement: \(firstLine)\(statement.contains("\n") ? " ..." : "")"
        }
        return text + "\nNothing of this migration was applied."
    }
}

extension ErrorCode where Owner == MigrationError {
    /// An applied migration's file differs from what was applied: a new migration is needed.
    public static let changedAfterApplying = Self("changed_after_applying", .failure)
    /// A statement failed; nothing of its migration was applied.
    public static let statementFailed = Self("statement_failed", .failure)
}

/// Applies the schema migrations in order, each in its own transaction, recording them in
/// `public.schema_migrations`. Concurrent migrators wait for each other (advisory lock).
public struct Migrator: Sendable {
    let migrations: [Migration]

    /// The migrations built into this program (`schema/*.sql`).
    public init() { self.migrations = Migration.embedded }

    package init(migrations: [Migration]) { self.migrations = migrations }

    /// The versions and names this program knows.
    public var known: [(version: Int, name: String)] { self.migrations.map { ($0.version, $0.name) } }

    /// Applies every migration not yet applied. Re-running is a no-op.
    public func migrate(_ connection: PostgresConnection) throws -> MigrationReport {
        // The lock comes first: even CREATE TABLE IF NOT EXISTS fails when two run at once.
        try connection.query("SELECT pg_advisory_lock(hashtext('memberaudit.migrate'))")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(hashtext('memberaudit.migrate'))") }
        try connection.executeScript(
            """
            CREATE TABLE IF NOT EXISTS public.schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )

        var applied = [Int: (name: String, checksum: String)]()
        for row in try connection.query("SELECT version, name, checksum FROM public.schema_migrations") {
            applied[try row.get(0)] = (try row.get(1), try row.get(2))
        }
        var report = MigrationReport(applied: [], alreadyApplied: 0)
        for migration in self.migrations {
            if let done = applied[migration.version] {
                guard done.checksum == migration.checksum else {
                    throw MigrationError(
                        code: .changedAfterApplying,
                        file: migration.name,
                        reason: "it was applied as \(done.name) and has changed since; "
                            + "add a new migration instead of editing an applied one"
                    )
                }
                report.alreadyApplied += 1
                continue
            }
            try self.apply(migration, on: connection)
            report.applied.append(migration.name)
        }
        return report
    }

    /// Versions applied in the database, or an empty list when it was never migrated.
    public func appliedVersions(_ connection: PostgresConnection) throws -> [Int] {
        guard
            try connection.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL")[0].get(0, as: Bool.self)
        else { return [] }
        return try connection.query("SELECT version FROM public.schema_migrations ORDER BY version").map {
            try $0.get(0)
        }
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) throws {
        let statements = splitSQLStatements(migration.sql)
        try connection.transaction { connection in
            for (number, statement) in statements.enumerated() {
                do {
                    try connection.executeScript(statement.text)
                } catch let error as PostgresError {
                    throw MigrationError(
                        code: .statementFailed,
                        file: migration.name,
                        statementNumber: number + 1,
                        line: statement.line,
                        statement: statement.text,
                        reason: error.description
                    )
                }
            }
            try connection.execute(
                "INSERT INTO public.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                [migration.version, migration.name, migration.checksum]
            )
        }
    }
}
