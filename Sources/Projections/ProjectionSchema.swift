import Foundation
import Postgres
import Vocabulary

/// Creates read-model tables from their DDL, checks them against the projectors, and keeps the
/// views in step. Runs on a connection inside a transaction.
enum ProjectionSchema {
    static let live = "readmodel"

    /// Runs the projector's DDL in `schema` and checks that every table it writes is there with its
    /// columns in order and of their types.
    static func createTables(_ projector: Projector, in schema: String, on connection: PostgresConnection) throws {
        try self.createTables(name: projector.name, tables: projector.tables, in: schema, on: connection)
    }

    static func createTables(
        name: String,
        tables: [TableSpec],
        in schema: String,
        on connection: PostgresConnection
    ) throws {
        let ddl = try ProjectorDDL(name: name)
        try connection.executeScript("SET LOCAL search_path = \(schema), pg_catalog")
        do {
            try connection.executeScript(ddl.sql)
        } catch {
            throw ProjectionError(.badSchema, "projections/\(name).sql: \(error.message)")
        }
        try connection.executeScript("SET LOCAL search_path = public, pg_catalog")
        let rows = try connection.query(
            """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum
            """,
            [schema, tables.map(\.name)]
        )
        var found = [String: [String]]()
        for row in rows {
            found[try row.get(0, as: String.self), default: []].append(
                "\(try row.get(1, as: String.self)) \(try row.get(2, as: String.self))"
            )
        }
        for table in tables {
            let expected = table.columns.map { "\($0.name) \($0.type.rawValue)" }
            guard let actual = found[table.name] else {
                throw ProjectionError(.badSchema, "projections/\(name).sql does not create table \(table.name)")
            }
            guard actual == expected else {
                throw ProjectionError(
                    .badSchema,
                    "projections/\(name).sql: table \(table.name) has columns (\(actual.joined(separator: ", "))) "
                        + "but the projector writes (\(expected.joined(separator: ", ")))"
                )
            }
        }
    }

    /// Makes the live schema again when it is gone, with the grants of its migration: losing the
    /// read models entirely is survivable, a rebuild brings them back from the log.
    static func ensureLive(on connection: PostgresConnection) throws {
        try connection.executeScript(
            """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'readmodel') THEN
                    CREATE SCHEMA readmodel;
                    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
                        GRANT USAGE, CREATE ON SCHEMA readmodel TO memberaudit_app;
                        ALTER DEFAULT PRIVILEGES IN SCHEMA readmodel
                            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO memberaudit_app;
                    END IF;
                END IF;
            END
            $$
            """
        )
    }

    /// The tables in the live schema now.
    static func liveTables(on connection: PostgresConnection) throws -> Set<String> {
        Set(
            try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'readmodel'")
                .map { try $0.get(0, as: String.self) }
        )
    }

    /// Drops the views of `readmodel` and, when every projector's tables are installed, creates
    /// them again from `projections/views.sql`.
    static func recreateViews(on connection: PostgresConnection) throws {
        for row in try connection.query("SELECT viewname FROM pg_views WHERE schemaname = 'readmodel'") {
            try connection.executeScript("DROP VIEW IF EXISTS readmodel.\"\(try row.get(0, as: String.self))\" CASCADE")
        }
        let installed = try Set(
            connection.query("SELECT name FROM projection.projectors").map { try $0.get(0, as: String.self) }
        )
        guard Catalog.names.allSatisfy({ installed.contains($0) }) else { return }
        try connection.executeScript("SET LOCAL search_path = readmodel, pg_catalog")
        do {
            try connection.executeScript(Catalog.viewsSQL)
        } catch {
            throw ProjectionError(.badSchema, "projections/views.sql: \(error.message)")
        }
        try connection.executeScript("SET LOCAL search_path = public, pg_catalog")
        // The stamp is words and hex digits: nothing to quote.
        try connection.executeScript("COMMENT ON SCHEMA readmodel IS '\(Catalog.viewsStamp)'")
    }

    /// Whether the views in `readmodel` are this build's (false when there are none yet).
    static func viewsAreCurrent(on connection: PostgresConnection) throws -> Bool {
        let rows = try connection.query(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'readmodel'"
        )
        return try rows.first?.get(0, as: String?.self) == Catalog.viewsStamp
    }
}

/// A projector as installed in the database.
public struct InstalledProjector: Sendable, Codable, Hashable {
    public var name: String
    public var version: Int
    public var ddlHash: String
    public var position: Int64
    public var tables: [String]
    public var updatedAt: Date
    public var rebuiltAt: Date?
}

extension InstalledProjector {
    static func load(_ connection: PostgresConnection, forUpdate: Bool = false) throws -> [String: InstalledProjector] {
        var result = [String: InstalledProjector]()
        let rows = try connection.query(
            "SELECT name, version, ddl_hash, position, array_to_string(tables, ' '), updated_at, rebuilt_at FROM projection.projectors ORDER BY name"
                + (forUpdate ? " FOR UPDATE" : "")
        )
        for row in rows {
            let installed = InstalledProjector(
                name: try row.get(0),
                version: Int(try row.get(1, as: Int32.self)),
                ddlHash: try row.get(2),
                position: try row.get(3),
                tables: try row.get(4, as: String.self).split(separator: " ").map(String.init),
                updatedAt: try row.get(5),
                rebuiltAt: try row.get(6)
            )
            result[installed.name] = installed
        }
        return result
    }

    /// Whether the installed tables are the ones this build's projector writes.
    func isCurrent(for projector: Projector) -> Bool { self.isCurrent(name: projector.name) }

    /// Whether the installed tables are the ones this build's DDL file `name`.sql creates.
    func isCurrent(name: String) -> Bool {
        guard let ddl = try? ProjectorDDL(name: name) else { return false }
        return self.version == ddl.version && self.ddlHash == ddl.hash
    }
}
