import ArgumentParser
import Audit
import EventLog
import Foundation
import Migrations
import Postgres
import Projections

/// The audit trail on a year-long log: indexing it, then as-of, diff, timeline, series and find
/// queries at random characters and moments.
struct AuditBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit-trail queries on a log of N characters synced hourly for D days."
    )

    @Option(help: "Characters.") var characters = 1000
    @Option(help: "Days of hourly syncing.") var days = 365
    @Option(help: "Samples of each per-character query.") var samples = 200
    @Option(help: "Index for at most this many seconds, then query what is indexed (0: the whole log).")
    var indexSeconds = 0.0

    func run() async throws {
        let pool = PostgresPool(conninfo: "", maxConnections: 4)
        _ = try await pool.withConnection { try Migrator().migrate($0) }
        print("machine: \(machineDescription())")
        let existing = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM eventlog.events")[0].get(0, as: Int64.self)
        }
        let start = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01
        if existing == 0 {
            // The read models' views (names of places and types) on the empty log; they are not
            // projected here: the benchmark is the audit trail's, which reads the log.
            _ = try await Rebuilder(pool: pool).prepare()
            let seconds = try await measureAsync {
                try await YearLog(pool: pool, characters: self.characters, days: self.days, start: start).generate()
            }
            print(String(format: "generated the log in %.0f s", seconds))
            // As autovacuum leaves an append-only table in steady state: pages all-visible, statistics.
            let vacuum = try await measureAsync {
                try await pool.withConnection { try $0.executeScript("VACUUM ANALYZE eventlog.entries") }
            }
            print(String(format: "VACUUM ANALYZE of the log: %.0f s", vacuum))
        } else {
            print("reusing the log already in the database (\(existing) events)")
        }
        try await self.describeLog(pool)

        let before = try await pool.withConnection { try AuditIndex.lag(on: $0) }
        let limit = self.indexSeconds
        let indexing = try await measureAsync {
            let started = Date()
            do {
                try await AuditIndex(pool: pool).catchUp { progress in
                    if progress.indexed % 1_000_000 < 20_000 {
                        FileHandle.standardError.write(
                            Data(
                                String(
                                    format: "index: %d of %d, %.0f s\n",
                                    progress.indexed,
                                    progress.head,
                                    Date().timeIntervalSince(started)
                                ).utf8
                            )
                        )
                    }
                    if limit > 0, Date().timeIntervalSince(started) > limit { throw CancellationError() }
                }
            } catch is CancellationError {
                FileHandle.standardError.write(Data("index: stopped after \(limit) s, as asked\n".utf8))
            }
        }
        let indexed = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT (SELECT count(*) FROM audit.changes), 0::int8,
                       (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'audit' AND c.relkind = 'r')::int8
                """
            )[0]
        }
        let after = try await pool.withConnection { try AuditIndex.lag(on: $0) }
        let events = after.indexed - before.indexed
        print(
            String(
                format:
                    "audit index: %.0f s for %d events (%.0f events/s; indexed through %d of %d), %d change points, %.0f MB",
                indexing,
                events,
                Double(events) / max(indexing, 0.001),
                after.indexed,
                after.head,
                try indexed.get(0, as: Int64.self),
                Double(try indexed.get(2, as: Int64.self)) / 1e6
            )
        )

        let ids = (0..<Int64(self.characters)).map { 2_120_000_000 + $0 }
        var random = SplitMix64(seed: 42)
        let span = Double(self.days) * 86_400
        func moment() -> Date { start.addingTimeInterval(7 * 86_400 + Double(random.below(Int(span - 14 * 86_400)))) }
        func time(
            _ label: String,
            _ count: Int,
            _ body: @escaping @Sendable (PostgresConnection) throws -> Int
        ) async throws {
            var milliseconds = [Double]()
            var sizes = 0
            for _ in 0..<count {
                let seconds = try await measureAsync {
                    sizes += try await pool.withConnection { try body($0) }
                }
                milliseconds.append(seconds * 1000)
            }
            let sorted = milliseconds.sorted()
            func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            print(
                String(
                    format: "%@: median %.1f ms, p95 %.1f ms, max %.1f ms (n=%d, %.0f rows or lines per answer)",
                    label,
                    percentile(0.5),
                    percentile(0.95),
                    sorted.last ?? 0,
                    count,
                    Double(sizes) / Double(count)
                )
            )
        }
        for section in ["assets", "location", "skills", "wallet_balance", "wallet_journal", "mails"] {
            let cases = (0..<self.samples).map { _ in (random.pick(ids), moment()) }
            let queue = Queue(cases)
            try await time("as-of \(section)", self.samples) { connection in
                let (id, at) = queue.next()
                let state = try AuditAsOf.state(of: id, name: "", at: at, sections: [section], on: connection)
                return state.sections.flatMap(\.parts).reduce(0) { $0 + $1.rows.count }
            }
        }
        let diffs = Queue((0..<50).map { _ in (random.pick(ids), moment()) })
        try await time("one-month diff, all sections", 50) { connection in
            let (id, at) = diffs.next()
            return try AuditDiff.diff(
                of: id,
                from: at.addingTimeInterval(-30 * 86_400),
                to: at,
                sections: nil,
                on: connection
            )
            .reduce(0) { $0 + $1.lines.count }
        }
        let timelines = Queue((0..<20).map { _ in random.pick(ids) })
        try await time("timeline of a year, all sections", 20) { connection in
            try AuditTimeline.timeline(of: timelines.next(), sections: nil, since: nil, until: nil, on: connection)
                .count
        }
        let series = Queue((0..<20).map { _ in random.pick(ids) })
        try await time("series wallet, a year", 20) { connection in
            try AuditSeries.series(of: series.next(), metric: .wallet, since: nil, until: nil, on: connection).count
        }
        let types = Queue((0..<10).map { _ in (Int64(random.pick(Pilot.goods)), moment()) })
        try await time("find --type, all characters at one moment", 10) { connection in
            let (type, at) = types.next()
            return try AuditFind.holders(of: type, at: at, on: connection).count
        }
        let places = Queue((0..<10).map { _ in (Int64(random.pick(Pilot.places).system), moment()) })
        try await time("find --location (a system), all characters at one moment", 10) { connection in
            let (place, at) = places.next()
            return try AuditFind.present(at: place, time: at, on: connection).count
        }
        let parties = Queue((0..<10).map { _ in random.pick(ids) })
        try await time("find --counterparty, all characters", 10) { connection in
            try AuditFind.dealings(with: parties.next(), since: nil, until: nil, on: connection).count
        }
    }

    private func describeLog(_ pool: PostgresPool) async throws {
        let log = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT count(*), count(*) FILTER (WHERE outcome = 'fetched'), count(DISTINCT stream),
                       min(fetched_at), max(fetched_at), (SELECT count(*) FROM eventlog.payloads),
                       (SELECT coalesce(sum(stored_size), 0)::int8 FROM eventlog.payloads),
                       pg_total_relation_size('eventlog.entries')::int8 + (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0)::int8
                           FROM pg_inherits WHERE inhparent = 'eventlog.entries'::regclass)
                FROM eventlog.events
                """
            )[0]
        }
        print(
            "log: \(try log.get(0, as: Int64.self)) events (\(try log.get(1, as: Int64.self)) fetched) of "
                + "\(try log.get(2, as: Int64.self)) streams from \(try log.get(3, as: Date.self)) to \(try log.get(4, as: Date.self)); "
                + "\(try log.get(5, as: Int64.self)) payloads in "
                + String(
                    format: "%.0f MB; events table %.0f MB",
                    Double(try log.get(6, as: Int64.self)) / 1e6,
                    Double(try log.get(7, as: Int64.self)) / 1e6
                )
        )
    }
}

/// Hands out prepared cases one by one to a sendable closure.
final class Queue<T: Sendable>: @unchecked Sendable {
    private var items: [T]
    private var index = 0
    private let lock = NSLock()
    init(_ items: [T]) { self.items = items }
    func next() -> T {
        self.lock.lock()
        defer { self.lock.unlock() }
        let item = self.items[self.index % self.items.count]
        self.index += 1
        return item
    }
}
