import Access
import Exports
import Foundation
import Hummingbird
import Postgres

/// The data export (`exports_access`): a zip of CSV per topic, made when asked for. Unlike the
/// original, which exported every character to anyone with the permission, an export holds the
/// characters the viewer may open (their own, their scope's, those shared with them).
extension WebApp {
    func exports(file: String?, caller: Caller) async throws -> Response {
        guard let file else {
            let items = DataExport.Topic.allCases.map { topic -> HTML in
                "<li><a href=\"/exports/\(topic.rawValue).zip\">\(topic.rawValue).zip</a> <span class=\"muted\">\(topic.summary)</span></li>"
            }
            return self.page(
                "Data export",
                caller,
                """
                <p>CSV files (one per topic, zipped; times in UTC) of the characters you may view, made when \
                you download them from the read models as they are now.</p><ul>\(items)</ul>
                """
            )
        }
        guard file.hasSuffix(".zip"), let topic = DataExport.Topic(rawValue: String(file.dropLast(4))) else {
            throw HTTPError.noSuchPage
        }
        let now = Date()
        let (archive, _) = try await self.pool.withConnection { connection in
            let characters = try AccessStore.visibleCharacterIDs(of: caller.viewer, on: connection)
            return try DataExport.zip(topic, characters: characters, now: now, on: connection)
        }
        return .download(archive, contentType: "application/zip", filename: "\(topic.fileStem(at: now)).zip")
    }
}
