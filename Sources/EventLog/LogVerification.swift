import EventLog
import Foundation
import Postgres

/// One thing `audit verify` found wrong.
public struct IntegrityProblem: Sendable, Encodable, Hashable, CustomStringConvertible {
    public var kind: String
    /// The event position or payload hash it concerns, where there is one.
    public var subject: String
    public var detail: String

    public var description: String { "\(self.kind) \(self.subject): \(self.detail)" }
}

public struct IntegrityReport: Sendable, Encodable {
    public var payloadsChecked = 0
    public var eventsChecked = 0
    public var problems: [IntegrityProblem] = []
}

/// `audit verify`: every payload decompresses to bytes with its hash, every event's references
/// hold, and the immutability guards are in place.
public enum LogVerification {
    public static func verify(
        character: Int64?,
        progress: ((Int) -> Void)? = nil,
        on connection: PostgresConnection
    ) throws -> IntegrityReport {
        var report = IntegrityReport()
        let stream = character.map { EventLog.Stream.character($0).rawValue }
        report.problems += try self.guards(on: connection)

        // Payloads, 500 at a time in hash order (of one character's events, or all).
        var after = ByteA([])
        while true {
            let hashes = try connection.query(
                stream == nil
                    ? "SELECT hash FROM eventlog.payloads WHERE hash > $1 ORDER BY hash LIMIT 500"
                    : """
                    SELECT DISTINCT payload_hash FROM eventlog.events
                    WHERE stream = $2 AND payload_hash IS NOT NULL AND payload_hash > $1 ORDER BY payload_hash LIMIT 500
                    """,
                stream == nil ? [after] : [after, stream!]
            ).map { try $0.get(0, as: ByteA.self) }
            guard let last = hashes.last else { break }
            after = last
            let results = try EventStore.payloads(
                hashes.compactMap { PayloadHash(bytes: $0.bytes) },
                verify: true,
                on: connection
            )
            for (hash, result) in results {
                if case .failure(let error) = result {
                    report.problems.append(IntegrityProblem(kind: "payload", subject: hash.hex, detail: error.message))
                }
            }
            report.payloadsChecked += results.count
            progress?(report.payloadsChecked)
        }

        let scope = stream == nil ? "" : "AND e.stream = $1"
        let parameters: [any PostgresEncodable] = stream.map { [$0] } ?? []
        report.eventsChecked = try connection.query(
            "SELECT count(*) FROM eventlog.events e WHERE true \(scope)",
            parameters
        )[0].get(0, as: Int.self)
        let checks: [(kind: String, sql: String)] = [
            (
                "missing payload",
                """
                SELECT e.position::text, 'refers to payload ' || encode(e.payload_hash, 'hex') || ', which is not stored'
                FROM eventlog.events e WHERE e.payload_hash IS NOT NULL \(scope)
                  AND NOT EXISTS (SELECT FROM eventlog.payloads p WHERE p.hash = e.payload_hash)
                """
            ),
            (
                "payload size",
                """
                SELECT e.position::text, 'says its payload has ' || e.payload_size || ' bytes; payload '
                       || encode(p.hash, 'hex') || ' has ' || p.raw_size
                FROM eventlog.events e JOIN eventlog.payloads p ON p.hash = e.payload_hash
                WHERE e.payload_size <> p.raw_size \(scope)  -- a 304 carries no size: its payload's is the size
                """
            ),
            (
                "unconfirmed 304",
                """
                SELECT position::text, 'a 304 confirms payload ' || encode(payload_hash, 'hex')
                       || ', which no earlier fetch of ' || stream || ' ' || section || ' delivered'
                FROM (SELECT DISTINCT ON (e.stream, e.section, e.payload_hash) e.position, e.stream, e.section,
                             e.payload_hash, e.outcome
                      FROM eventlog.events e WHERE e.payload_hash IS NOT NULL AND e.outcome <> 'failed' \(scope)
                      ORDER BY e.stream, e.section, e.payload_hash, e.position) first
                WHERE outcome = 'not_modified'
                  -- The delivery may be in an archived partition before it.
                  AND NOT EXISTS (SELECT FROM eventlog.archived a WHERE a.last_position < first.position)
                """
            ),
            (
                "append",
                """
                SELECT e.position::text, CASE WHEN a.key IS NULL THEN 'no append records it'
                       ELSE 'lies outside the append before it (' || a.first_position || ', ' || a.event_count || ' events)' END
                FROM eventlog.events e
                LEFT JOIN LATERAL (SELECT x.key, x.first_position, x.event_count FROM eventlog.appends x
                                   WHERE x.first_position <= e.position ORDER BY x.first_position DESC LIMIT 1) a ON true
                WHERE (a.key IS NULL OR e.position >= a.first_position + a.event_count) \(scope)
                """
            ),
            (
                "stream",
                """
                SELECT e.position::text, 'has a malformed stream name ' || quote_literal(e.stream)
                FROM eventlog.events e WHERE e.stream !~ '^(character:[0-9]+|public:.+)$' \(scope)
                """
            ),
            (
                "head",
                """
                SELECT max(e.position)::text, 'is beyond the log head ' || (SELECT position FROM eventlog.head)
                FROM eventlog.events e WHERE true \(scope)
                HAVING max(e.position) > (SELECT position FROM eventlog.head)
                """
            ),
        ]
        for check in checks {
            for row in try connection.query(check.sql + " LIMIT 1000", parameters) {
                report.problems.append(
                    IntegrityProblem(
                        kind: check.kind,
                        subject: "event \(try row.get(0, as: String.self))",
                        detail: try row.get(1)
                    )
                )
            }
        }
        // An archived partition is out of the database entirely (the history says where it went).
        for row in try connection.query(
            """
            SELECT a.partition_name, a.location FROM eventlog.archived a
            WHERE EXISTS (SELECT FROM eventlog.entries e WHERE e.position BETWEEN a.first_position AND a.last_position)
            """
        ) {
            report.problems.append(
                IntegrityProblem(
                    kind: "archive",
                    subject: try row.get(0, as: String.self),
                    detail:
                        "is recorded as archived to \(try row.get(1, as: String.self)) but the log still holds events of its range"
                )
            )
        }
        return report
    }

    /// The immutability triggers of the log's tables and of every partition.
    static func guards(on connection: PostgresConnection) throws -> [IntegrityProblem] {
        var problems = [IntegrityProblem]()
        let tables = try connection.query(
            """
            SELECT c.oid::regclass::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'eventlog' AND (c.relname IN ('entries', 'payloads', 'appends', 'streams', 'routes')
                  OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'eventlog.entries'::regclass))
            ORDER BY 1
            """
        ).map { (try $0.get(0, as: String.self), try $0.get(1, as: String.self)) }
        let triggers = try connection.query(
            """
            SELECT t.tgrelid::regclass::text, t.tgtype::int, t.tgenabled::text
            FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE p.proname = 'reject_change' AND p.pronamespace = 'eventlog'::regnamespace
            """
        ).map { (try $0.get(0, as: String.self), try $0.get(1, as: Int.self), try $0.get(2, as: String.self)) }
        // tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate.
        for (table, _) in tables {
            let mine = triggers.filter { $0.0 == table }
            let rowGuard = mine.first { $0.1 & 1 != 0 && $0.1 & 8 != 0 && $0.1 & 16 != 0 }
            let truncateGuard = mine.first { $0.1 & 32 != 0 }
            for (name, found) in [("UPDATE and DELETE", rowGuard), ("TRUNCATE", truncateGuard)] {
                if let found {
                    if found.2 == "D" {
                        problems.append(
                            IntegrityProblem(kind: "guard", subject: table, detail: "the \(name) guard is disabled")
                        )
                    }
                } else {
                    problems.append(IntegrityProblem(kind: "guard", subject: table, detail: "has no \(name) guard"))
                }
            }
        }
        if tables.isEmpty {
            problems.append(
                IntegrityProblem(kind: "guard", subject: "eventlog", detail: "the log's tables are missing")
            )
        }
        return problems
    }
}
