import Foundation
import Postgres
import Projections
import Vocabulary

/// What changed in one section between two moments, in words.
public struct SectionDiff: Sendable, Encodable {
    public var section: String
    public var lines: [String]
}

/// `audit diff`: a character's changes between two moments, section by section.
public enum AuditDiff {
    /// Wallet first, then its journal (the entries that explain the balance), then the rest.
    static let order = [
        "wallet_balance", "wallet_journal", "wallet_transactions", "character_details", "location", "ship",
    ]

    public static func diff(
        of character: Int64,
        from start: Date,
        to end: Date,
        sections: [String]?,
        on connection: PostgresConnection
    ) throws -> [SectionDiff] {
        let wanted = try sections ?? AuditAsOf.sections(of: character, on: connection)
        let ordered = wanted.sorted { a, b in
            let (x, y) = (
                self.order.firstIndex(of: a) ?? self.order.count, self.order.firstIndex(of: b) ?? self.order.count
            )
            return x != y ? x < y : a < b
        }
        var results = [SectionDiff]()
        for section in ordered {
            let accumulating = PointInTime.sections[section] == .accumulating
            let old = try Reconstruction.state(character: character, section: section, at: start, on: connection).tables
            let new = try Reconstruction.state(character: character, section: section, at: end, on: connection).tables
            let lines = ChangeDescriber.lines(section: section, old: old, new: new, accumulating: accumulating)
            if !lines.isEmpty { results.append(SectionDiff(section: section, lines: lines)) }
        }
        let names = try Names.load(NamedText.ids(in: results.flatMap(\.lines)), on: connection)
        return results.map {
            SectionDiff(section: $0.section, lines: $0.lines.map { NamedText.render($0, names: names) })
        }
    }
}

/// One moment of a character's timeline.
public struct TimelineEntry: Sendable, Encodable {
    public enum Kind: String, Sendable, Encodable {
        case change, failure, silence, token
        /// The character changed hands: a new ownership epoch began.
        case owner
    }

    public var time: Date
    public var kind: Kind
    public var section: String
    public var text: String
    /// The log position of the event, where there is one.
    public var position: Int64?
}

/// `audit timeline`: each moment something changed, failed, went silent or happened to the token.
public enum AuditTimeline {
    public static func timeline(
        of character: Int64,
        sections: [String]?,
        since: Date?,
        until: Date?,
        on connection: PostgresConnection
    ) throws -> [TimelineEntry] {
        let since = since ?? .distantPast
        let until = until ?? .distantFuture
        var entries = [TimelineEntry]()
        for row in try connection.query(
            """
            SELECT fetched_at, section, summary, position FROM audit.changes
            WHERE character_id = $1 AND fetched_at >= $2 AND fetched_at <= $3 AND ($4::text[] IS NULL OR section = ANY($4))
            ORDER BY fetched_at, position
            """,
            [character, since, until, sections]
        ) {
            let section: String = try row.get(1)
            guard sections != nil || Reconstruction.isOwnSection(section) else { continue }
            entries.append(
                TimelineEntry(
                    time: try row.get(0),
                    kind: .change,
                    section: section,
                    text: try row.get(2),
                    position: try row.get(3)
                )
            )
        }
        for row in try connection.query(
            """
            SELECT started_at, ended_at, section, kind, http_status, error, position FROM audit.gaps
            WHERE character_id = $1 AND ended_at >= $2 AND started_at <= $3 AND ($4::text[] IS NULL OR section = ANY($4))
            ORDER BY started_at, position
            """,
            [character, since, until, sections]
        ) {
            let started: Date = try row.get(0)
            let ended: Date = try row.get(1)
            let section: String = try row.get(2)
            if try row.get(3, as: String.self) == "failed" {
                let status = try row.get(4, as: Int?.self).map { "HTTP \($0)" } ?? "no answer"
                let error = try row.get(5, as: String?.self) ?? ""
                entries.append(
                    TimelineEntry(
                        time: started,
                        kind: .failure,
                        section: section,
                        text: "\(section): fetch failed (\(status)\(error.isEmpty ? "" : ": \(error)"))",
                        position: try row.get(6)
                    )
                )
            } else {
                let hours = ended.timeIntervalSince(started) / 3600
                entries.append(
                    TimelineEntry(
                        time: started,
                        kind: .silence,
                        section: section,
                        text:
                            "\(section): no successful fetch for \(String(format: "%.1f", hours)) hours, until \(formatTime(ended))",
                        position: try row.get(6)
                    )
                )
            }
        }
        for row in try connection.query(
            """
            SELECT created_at, kind, message FROM sync.notifications
            WHERE character_id = $1 AND created_at >= $2 AND created_at <= $3 ORDER BY created_at
            """,
            [character, since, until]
        ) where sections == nil {
            entries.append(
                TimelineEntry(
                    time: try row.get(0),
                    kind: .token,
                    section: try row.get(1),
                    text: try row.get(2),
                    position: nil
                )
            )
        }
        for row in try connection.query(
            """
            SELECT started_at, through_position FROM sync.ownership_epochs
            WHERE character_id = $1 AND started_at >= $2 AND started_at <= $3 ORDER BY started_at
            """,
            [character, since, until]
        ) where sections == nil {
            entries.append(
                TimelineEntry(
                    time: try row.get(0),
                    kind: .owner,
                    section: "ownership",
                    text: "owner changed: the character moved to another EVE account (a new ownership epoch begins)",
                    position: try row.get(1)
                )
            )
        }
        entries.sort { ($0.time, $0.position ?? .max) < ($1.time, $1.position ?? .max) }
        let names = try Names.load(NamedText.ids(in: entries.map(\.text)), on: connection)
        return entries.map { entry in
            var entry = entry
            entry.text = NamedText.render(entry.text, names: names)
            return entry
        }
    }
}
