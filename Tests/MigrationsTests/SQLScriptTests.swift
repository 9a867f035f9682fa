import Testing

@testable import Migrations

@Suite struct SQLScriptTests {
    @Test func splitsAtTopLevelSemicolonsWithLineNumbers() {
        let statements = splitSQLStatements("CREATE TABLE a (x int);\n\n-- comment; not a split\nSELECT 1;\nSELECT 2")
        #expect(statements.map(\.text) == ["CREATE TABLE a (x int);", "SELECT 1;", "SELECT 2"])
        #expect(statements.map(\.line) == [1, 4, 5])
    }

    @Test func keepsQuotedAndDollarQuotedSemicolonsInside() {
        let script = """
            INSERT INTO t VALUES ('a;b', 'it''s; fine', E'\\';x');
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
            DO $body$ BEGIN PERFORM 1; END $body$;
            SELECT "odd;name" FROM t /* block; comment */;
            """
        let statements = splitSQLStatements(script)
        #expect(statements.count == 4)
        #expect(statements[1].text.hasSuffix("END $$;"))
        #expect(statements[2].text.hasPrefix("DO $body$"))
        #expect(statements.map(\.line) == [1, 2, 3, 4])
    }

    @Test func ignoresEmptyStatementsAndTrailingComments() {
        #expect(splitSQLStatements(";;\n-- only a comment\n").isEmpty)
    }

    @Test func embeddedMigrationsAreNumberedInOrder() {
        let migrations = Migration.embedded
        #expect(migrations.first?.name == "0001_event_log.sql")
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
        #expect(Set(migrations.map(\.version)).count == migrations.count)
    }
}
