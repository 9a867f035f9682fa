/// How a route spreads its data over requests.
public enum Paging: Sendable, Equatable {
    /// One request.
    case single
    /// `?page=N` up to `X-Pages`; every page must share page 1's `Last-Modified`.
    case xPages
    /// `?from_id=` (wallet transactions): newest first, `pageSize` a call, inclusive `from_id`.
    case fromID(idKey: String, pageSize: Int, maxItems: Int)
    /// `?last_mail_id=` (mail headers): newest first, `pageSize` a call, exclusive.
    case lastMailID(pageSize: Int, maxItems: Int)
}
