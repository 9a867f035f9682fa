import ESI
import EventLog
import Foundation
import Vocabulary

extension NewEvent {
    /// The event recording one fetch of `route`; `payload` is the body, the confirmed payload of a
    /// 304, or an error body.
    init(
        _ fetch: FetchResult,
        of route: Route,
        stream: EventLog.Stream,
        parameters: [String: String],
        at started: Date,
        payload: PayloadSource,
        compatibilityDate: String
    ) {
        let outcome: Outcome =
            switch fetch.kind {
            case .fetched: .fetched
            case .notModified: .notModified
            case .failed: .failed
            }
        self.init(
            stream: stream,
            section: route.name,
            route: route.template,
            parameters: parameters,
            outcome: outcome,
            httpStatus: fetch.status,
            error: fetch.kind == .failed ? fetch.error : nil,
            etag: fetch.etag,
            lastModified: fetch.lastModified,
            expires: fetch.expires,
            pages: fetch.pages,
            fetchedAt: started,
            payload: payload,
            compatibilityDate: compatibilityDate
        )
    }
}
