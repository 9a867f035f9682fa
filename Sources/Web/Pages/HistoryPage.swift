import Access
import Audit
import Foundation
import Hummingbird
import Postgres
import Projections
import Sync
import Vocabulary

/// The history tab (beyond the original): wallet, skill points and asset value over time as
/// server-drawn SVG charts, the location timeline, and what changed between two dates, all from
/// the audit trail of the event log.
extension WebApp {
    func history(query: [String: String], id: Int64, caller: Caller) async throws -> Response {
        let now = Date()
        let asked = try Self.moment(query, "since", now: now) ?? now.addingTimeInterval(-30 * 86_400)
        let askedFrom = try Self.moment(query, "from", now: now)
        let to = try Self.moment(query, "to", now: now) ?? now
        let viewer = caller.viewer
        let (name, wallet, skillPoints, assets, locations, diff, epochs) = try await self.pool.withConnection {
            connection in
            try self.requireCharacter(id, caller, on: connection)
            let epochs = try Self.epochs(of: id, viewer: viewer, on: connection)
            var (since, from) = (asked, askedFrom)
            if let floor = epochs.floor {
                since = max(since, floor)
                from = from.map { max($0, floor) }
            }
            let name = try CharacterQueries.resolve(String(id), on: connection).name
            func series(_ metric: SeriesMetric) throws -> [SeriesPoint] {
                try AuditSeries.series(of: id, metric: metric, since: since, until: now, on: connection)
            }
            let diff = try from.map { try AuditDiff.diff(of: id, from: $0, to: to, sections: nil, on: connection) }
            return (
                name, try series(.wallet), try series(.skillpoints), try series(.assetsValue), try series(.location),
                diff, epochs
            )
        }
        var content = self.tabsHTML(id: id, current: "history", viewer: caller.viewer)
        if let floor = epochs.floor {
            content += """
                <p class="muted">This character changed hands on \(formatTime(floor)): its history here begins then. \
                What earlier owners had is theirs.</p>
                """
        } else if !epochs.starts.isEmpty {
            let moments = epochs.starts.map(formatTime).joined(separator: ", ")
            content += "<p class=\"muted\">Owner changed (a new ownership epoch) on \(moments).</p>"
        }
        content += """
            <form method="get" action="/characters/\(id)/history">
            <label>Since <input name="since" value="\(query["since"] ?? "-30d")" size="12"></label>
            <button type="submit">Show</button> <span class="muted">dates as 2026-11-01, or -30d, -12h</span></form>
            """
        content += "<h2>Wallet balance</h2>" + Self.chart(wallet, unit: "ISK")
        content += "<h2>Skill points</h2>" + Self.chart(skillPoints, unit: "SP")
        content += "<h2>Asset value</h2>" + Self.chart(assets, unit: "ISK (today's prices)")
        var moves = [HTML]()
        var last: Int64? = nil
        for point in locations where point.id != nil && point.id != last {
            last = point.id
            moves.append(
                "<tr><td>\(formatTime(point.time))</td><td>\(point.label ?? String(point.id!))</td></tr>"
            )
        }
        content += "<h2>Location timeline</h2>"
        content +=
            moves.isEmpty
            ? "<p class=\"muted\">No locations in this period.</p>"
            : "<table><tr><th>Arrived</th><th>System</th></tr>\(moves)</table>"
        content += """
            <h2>What changed between two dates</h2>
            <form method="get" action="/characters/\(id)/history">
            <input type="hidden" name="since" value="\(query["since"] ?? "")">
            <label>From <input name="from" value="\(query["from"] ?? "")" size="12" placeholder="-7d"></label>
            <label>to <input name="to" value="\(query["to"] ?? "")" size="12" placeholder="now"></label>
            <button type="submit">Compare</button></form>
            """
        if let diff {
            content +=
                diff.isEmpty
                ? "<p>Nothing changed.</p>"
                : diff.map { section -> HTML in
                    "<h3>\(self.tabTitle(section.section))</h3><ul>\(section.lines.map { "<li>\($0)</li>" as HTML })</ul>"
                }.joined()
        }
        return self.page("\(name): history", caller, content)
    }

    /// The moment the query's `key` names (`-7d`, a date, a time); nil when absent or empty.
    static func moment(_ query: [String: String], _ key: String, now: Date) throws -> Date? {
        try query[key].flatMap { $0.isEmpty ? nil : try AuditTime.parse($0, now: now) }
    }

    /// A line chart as inline SVG: no script, readable without one, scaled to its values.
    static func chart(_ points: [SeriesPoint], unit: String) -> HTML {
        let values = points.compactMap { point in point.value.map { (point.time.timeIntervalSince1970, $0) } }
        guard values.count >= 2, let first = values.first?.0, let last = values.last?.0, last > first else {
            return "<p class=\"muted\">Not enough data in this period.</p>"
        }
        let low = values.map(\.1).min()!
        let high = values.map(\.1).max()!
        let span = high > low ? high - low : 1
        let (width, height) = (800.0, 200.0)
        let coordinates = values.map { time, value in
            String(
                format: "%.1f,%.1f",
                (time - first) / (last - first) * width,
                height - 10 - (value - low) / span * (height - 20)
            )
        }
        let start = formatTime(Date(timeIntervalSince1970: first))
        let end = formatTime(Date(timeIntervalSince1970: last))
        return """
            <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" preserveAspectRatio="none" role="img" aria-label="\(unit) from \(start) to \(end)">
            <polyline fill="none" stroke="#2b6cb0" stroke-width="2" vector-effect="non-scaling-stroke" points="\(coordinates.joined(separator: " "))"/>
            </svg>
            <p class="muted">\(start) – \(end): from \(formatNumber(values.first!.1)) to \(formatNumber(values.last!.1)) \(unit); \
            low \(formatNumber(low)), high \(formatNumber(high)); \(values.count) fetches</p>
            """
    }

    /// A character's ownership epochs as the viewer may see them: `floor`, where their view of its
    /// past begins (the current epoch's start), unless they may see everything (auditors see
    /// every epoch, with its `starts` marked).
    static func epochs(
        of id: Int64,
        viewer: Viewer,
        on connection: PostgresConnection
    ) throws -> (floor: Date?, starts: [Date]) {
        let starts = try OwnershipEpochs.starts(of: id, on: connection)
        return (viewer.has(.viewEverything) ? nil : starts.last, starts)
    }
}
