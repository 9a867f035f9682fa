import Audit
import EventLog
import Foundation
import Postgres
import TestSupport
import Testing

@testable import Projections

/// A damaged keyframe under a chain of deltas: the projector quarantines every version that rests
/// on it instead of projecting wrong bytes, and `audit verify` names each.
@Suite struct ChainBreakTests {
    @Test func versionsOnADamagedBaseAreQuarantinedAndReported() async throws {
        try await TestDatabase.with { pool, _ in
            func assets(_ version: Int) -> String {
                "["
                    + (0..<400).map {
                        "{\"item_id\":\(1_000_000_000_000 + $0),\"type_id\":34,\"location_id\":\(60_003_760 + ($0 == version ? 1 : 0)),"
                            + "\"location_flag\":\"Hangar\",\"location_type\":\"station\",\"quantity\":\($0 + 1),\"is_singleton\":false}"
                    }.joined(separator: ",") + "]"
            }
            var positions = [Int64]()
            for version in 0..<3 {
                positions.append(try await appendFetch(pool, character: 1, section: "assets", json: assets(version)))
            }
            let keyframe = try await pool.withConnection { connection in
                let rows = try connection.query(
                    "SELECT encode(hash, 'hex'), codec, chain FROM eventlog.payloads ORDER BY chain"
                )
                #expect(try rows.map { try $0.get(2, as: Int16.self) } == [0, 1, 2], "a chain of two deltas")
                let hash = try rows[0].get(0, as: String.self)
                try connection.executeScript(
                    """
                    SET session_replication_role = replica;
                    UPDATE eventlog.payloads SET body = overlay(body PLACING '\\x00' FROM length(body) - 2 FOR 1)
                        WHERE hash = decode('\(hash)', 'hex');
                    SET session_replication_role = DEFAULT;
                    """
                )
                return hash
            }
            DecodedPayloads.shared.removeAll()
            try await project(pool)
            let quarantined = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT position, reason FROM projection.quarantine WHERE projector = 'assets' ORDER BY position"
                )
                .map { (try $0.get(0, as: Int64.self), try $0.get(1, as: String.self)) }
            }
            // Snapshots apply only the newest version that decodes: the newest is quarantined,
            // and so is every older one tried after it; none is projected from wrong bytes.
            #expect(quarantined.map(\.0).contains(positions[2]), "\(quarantined)")
            #expect(quarantined.allSatisfy { $0.1.contains(keyframe) || $0.1.contains("LZ4") }, "\(quarantined)")
            let rows = try await pool.withConnection {
                try $0.query("SELECT count(*) FROM readmodel.assets")[0].get(0, as: Int64.self)
            }
            #expect(rows == 0)
            let report = try await pool.withConnection { try LogVerification.verify(character: nil, on: $0) }
            let subjects = Set(report.problems.filter { $0.kind == "payload" }.map(\.subject))
            #expect(subjects.count == 3 && subjects.contains(keyframe), "\(report.problems)")
        }
    }
}
