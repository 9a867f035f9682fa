import EventLog
import Foundation
import Postgres
import Testing

@testable import Projections

/// Installs the read models (a rebuild of what is missing) and applies every event.
func project(_ pool: PostgresPool, batchSize: Int = 2000) async throws {
    _ = try await Rebuilder(pool: pool).prepare()
    try await ProjectionRunner(pool: pool, batchSize: batchSize).catchUp()
}

/// Every read-model table's rows as sorted text: two dumps are equal exactly when the tables are.
func dumpReadModels(_ pool: PostgresPool) async throws -> [String: [String]] {
    try await pool.withConnection { connection in
        var dump = [String: [String]]()
        for table in Catalog.projectors.flatMap(\.tables) + Catalog.derived.flatMap(\.tables) {
            dump[table.name] = try connection.query(
                "SELECT t::text FROM readmodel.\"\(unescaped: table.name)\" t ORDER BY 1"
            )
            .map { try $0.get(0, as: String.self) }
        }
        return dump
    }
}

/// Rows of one query, each as text.
func rows(
    _ pool: PostgresPool,
    _ sql: String,
    _ parameters: [any PostgresEncodable & Sendable] = []
) async throws
    -> [String]
{
    try await pool.withConnection { connection in
        try connection.query("SELECT x::text FROM (\(sql)) x", parameters).map { try $0.get(0, as: String.self) }
    }
}

/// One value of a query.
func value<T: PostgresDecodable & Sendable>(
    _ pool: PostgresPool,
    _ sql: String,
    _ parameters: [any PostgresEncodable & Sendable] = [],
    as: T.Type = T.self
) async throws -> T {
    try await pool.withConnection { try $0.query(sql, parameters)[0].get(0, as: T.self) }
}

/// Appends one hand-made fetch of a character's route, as the sync records it.
@discardableResult
func appendFetch(
    _ pool: PostgresPool,
    character: Int64,
    section: String,
    json: String,
    outcome: Outcome = .fetched,
    parameters: [String: String] = [:],
    at time: Date = Date()
) async throws -> Int64 {
    let bytes = Array(json.utf8)
    let payload: PayloadSource =
        switch outcome {
        case .fetched, .failed: .bytes(bytes)
        case .notModified: .existing(PayloadHash(of: bytes))
        }
    return try await EventStore(pool: pool).append(
        NewEvent(
            stream: .character(character),
            section: section,
            route: "/characters/{character_id}/\(section)",
            parameters: parameters.merging(["character_id": String(character)]) { $1 },
            outcome: outcome,
            httpStatus: outcome == .fetched ? 200 : outcome == .notModified ? 304 : 500,
            error: outcome == .failed ? "HTTP 500" : nil,
            fetchedAt: time,
            payload: payload
        )
    )
}
