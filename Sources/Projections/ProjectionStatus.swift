import EventLog
import Foundation
import Postgres

/// How far each projector is behind the log, and what it quarantined: for `memberaudit stats`.
public struct ProjectionStatus: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var name: String
        public var version: Int
        public var installedVersion: Int?
        public var position: Int64
        public var eventsBehind: Int64
        /// Seconds since the oldest event it has not applied was recorded (0 when current).
        public var lagSeconds: Double
        public var rebuiltAt: Date?
        public var needsRebuild: Bool
    }

    public var head: Int64
    public var projectors: [Row]
    public var quarantined: Int
    /// The newest quarantined events (at most 20).
    public var quarantine: [QuarantineEntry]

    public static func load(_ pool: PostgresPool) async throws -> ProjectionStatus {
        try await pool.withConnection { connection in
            let head = try EventStore.head(on: connection)
            let installed = try InstalledProjector.load(connection)
            var rows = [Row]()
            for name in Catalog.names {
                let ddl = try ProjectorDDL(name: name)
                let row = installed[name]
                let position = row?.position ?? 0
                var lag = 0.0
                if position < head {
                    lag = try EventStore.age(of: position + 1, on: connection) ?? 0
                }
                rows.append(
                    Row(
                        name: name,
                        version: ddl.version,
                        installedVersion: row?.version,
                        position: position,
                        eventsBehind: max(0, head - position),
                        lagSeconds: max(0, lag),
                        rebuiltAt: row?.rebuiltAt,
                        needsRebuild: row.map { !$0.isCurrent(name: name) } ?? true
                    )
                )
            }
            let count = try connection.query("SELECT count(*) FROM projection.quarantine")[0].get(0, as: Int64.self)
            let quarantine = try connection.query(
                "SELECT projector, position, stream, section, reason FROM projection.quarantine ORDER BY position DESC, projector LIMIT 20"
            ).map {
                QuarantineEntry(
                    projector: try $0.get(0),
                    position: try $0.get(1),
                    stream: try $0.get(2),
                    section: try $0.get(3),
                    reason: try $0.get(4)
                )
            }
            return ProjectionStatus(head: head, projectors: rows, quarantined: Int(count), quarantine: quarantine)
        }
    }
}
