import EventLog
import Foundation
import Postgres
import Projections
import TestSupport
import Testing
import Vocabulary

@testable import Audit

/// Coverage at a moment: a section fetched hourly that goes quiet for five hours is stale within
/// the gap (older than two periods), the gap is a silence in the timeline, and a failure inside it
/// shows as failing with its error until the next good fetch; token events are in the timeline.
@Suite struct CoverageTests {
    @Test func aSilenceIsStaleAndShownAndAFailureIsFailingUntilTheNextFetch() async throws {
        try await TestDatabase.with { pool, _ in
            let character: Int64 = 90_000_002
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            func hour(_ h: Double) -> Date { start.addingTimeInterval(h * 3600) }
            let body = Array(#"{"solar_system_id":30000142,"station_id":60003760}"#.utf8)
            func fetch(_ h: Double, first: Bool) -> NewEvent {
                NewEvent(
                    stream: .character(character),
                    section: "location",
                    route: "/characters/{character_id}/location",
                    parameters: ["character_id": String(character)],
                    outcome: first ? .fetched : .notModified,
                    httpStatus: first ? 200 : 304,
                    fetchedAt: hour(h),
                    payload: first ? .bytes(body) : .existing(PayloadHash(of: body))
                )
            }
            let failure = NewEvent(
                stream: .character(character),
                section: "location",
                route: "/characters/{character_id}/location",
                parameters: ["character_id": String(character)],
                outcome: .failed,
                httpStatus: 502,
                error: "HTTP 502 (an HTML page, not ESI's JSON)",
                fetchedAt: hour(4),
                payload: .none
            )
            let store = EventStore(pool: pool)
            for event in [
                fetch(0, first: true), fetch(1, first: false), failure, fetch(6, first: false), fetch(7, first: false),
            ] {
                try await store.append([event])
            }
            try await AuditIndex(pool: pool).catchUp()
            func coverage(_ h: Double) async throws -> SectionCoverage {
                let time = hour(h)
                return try await pool.withConnection {
                    try AuditAsOf.coverage(character: character, section: "location", at: time, dataFrom: nil, on: $0)
                }
            }
            let fresh = try await coverage(1.5)
            #expect(fresh.lastFetchedAt == hour(1) && !fresh.stale && fresh.failingSince == nil)
            let quiet = try await coverage(3.5)
            #expect(quiet.lastFetchedAt == hour(1) && quiet.stale && quiet.failingSince == nil)
            #expect(quiet.note == "stale: last fetched 150 minutes before")
            let failing = try await coverage(4.5)
            #expect(failing.stale && failing.failingSince == hour(4))
            #expect(failing.lastError == "HTTP 502: HTTP 502 (an HTML page, not ESI's JSON)")
            let back = try await coverage(6.5)
            #expect(back.lastFetchedAt == hour(6) && !back.stale && back.failingSince == nil)
            let early = try await coverage(-1)
            #expect(early.lastFetchedAt == nil && early.note.hasPrefix("no data yet"))

            // The sync told the owner its token was revoked at hour 5: a token event.
            let revokedAt = hour(5)
            try await pool.withConnection { connection in
                try connection.execute("INSERT INTO sync.users (name) VALUES ('owner')")
                try connection.execute(
                    """
                    INSERT INTO sync.notifications (user_id, character_id, kind, message, created_at)
                    SELECT id, $1, 'token_revoked', 'the token of Pilot was revoked; log in again', $2 FROM sync.users
                    """,
                    [character, revokedAt]
                )
            }
            let timeline = try await pool.withConnection {
                try AuditTimeline.timeline(of: character, sections: nil, since: nil, until: nil, on: $0)
            }
            #expect(timeline.map(\.kind) == [.change, .silence, .failure, .token])
            #expect(timeline[3].time == revokedAt && timeline[3].text == "the token of Pilot was revoked; log in again")
            #expect(
                timeline[1].time == hour(1)
                    && timeline[1].text == "location: no successful fetch for 5.0 hours, until \(formatTime(hour(6)))"
            )
            #expect(timeline[2].time == hour(4) && timeline[2].text.contains("HTTP 502"))
        }
    }
}
