import EventLog
import Foundation

/// A fetched event of a character with the given JSON body.
func fetched(_ character: Int64, _ section: String, _ body: String, at time: Date = Date()) -> NewEvent {
    NewEvent(
        stream: .character(character),
        section: section,
        route: "/characters/{character_id}/\(section)",
        parameters: ["character_id": "\(character)"],
        outcome: .fetched,
        httpStatus: 200,
        etag: "\"\(body.hashValue)\"",
        lastModified: time,
        expires: time.addingTimeInterval(3600),
        pages: 1,
        fetchedAt: time,
        payload: .bytes(Array(body.utf8)),
        compatibilityDate: "2025-12-16"
    )
}
