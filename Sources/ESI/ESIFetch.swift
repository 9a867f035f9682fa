import Foundation
import Vocabulary

/// The result of one fetch: every request it took, folded into one answer.
public struct FetchResult: Sendable {
    public enum Kind: Sendable, Equatable { case fetched, notModified, failed }

    public var kind: Kind
    /// The status of the deciding answer; nil when none came.
    public var status: Int?
    public var etag: String?
    public var lastModified: Date?
    public var expires: Date?
    public var pages: Int?
    /// The data (all pages joined into one JSON array) or the error body.
    public var body: [UInt8]
    /// The parsed data of a fetched result.
    public var json: JSONDocument?
    /// Why it failed, in words.
    public var error: String?
    /// Requests sent, retries included.
    public var requests: Int
    /// Rate-limit answers (420, 429) say to stop asking for a while.
    public var retryAfter: Int?
}

extension ESIClient {
    /// Fetches everything `request` names, following `paging`. The request's ETag is sent with the
    /// first request only: a 304 there means the whole resource is unchanged (ESI caches all pages
    /// of a resource together).
    public func fetch(_ request: ESIRequest, paging: Paging = .single) async throws -> FetchResult {
        switch paging {
        case .single:
            let response = try await self.send(request)
            return result(from: [response], requests: response.attempts)
        case .xPages:
            return try await self.fetchXPages(request)
        case .fromID(let key, let size, let maxItems):
            return try await self.fetchKeyset(
                request,
                parameter: "from_id",
                idKey: key,
                pageSize: size,
                maxItems: maxItems
            )
        case .lastMailID(let size, let maxItems):
            return try await self.fetchKeyset(
                request,
                parameter: "last_mail_id",
                idKey: "mail_id",
                pageSize: size,
                maxItems: maxItems
            )
        }
    }

    private func fetchXPages(_ request: ESIRequest) async throws -> FetchResult {
        var requests = 0
        var first = request
        for _ in 0..<3 {
            let page1 = try await self.send(first)
            requests += page1.attempts
            let count = page1.headers.pages ?? 1
            guard page1.status == 200, page1.problem == nil, count > 1 else {
                return result(from: [page1], requests: requests)
            }
            let rest = try await withThrowingTaskGroup(of: (Int, ESIResponse).self) { group in
                for page in 2...count {
                    var next = request
                    next.etag = nil
                    next.query.append(("page", String(page)))
                    group.addTask { (page, try await self.send(next)) }
                }
                var answers = [(Int, ESIResponse)]()
                for try await answer in group { answers.append(answer) }
                return answers.sorted { $0.0 < $1.0 }.map(\.1)
            }
            requests += rest.reduce(0) { $0 + $1.attempts }
            if let failure = rest.first(where: { $0.status != 200 || $0.problem != nil }) {
                return result(from: [failure], requests: requests)
            }
            // Pages built at different times may hold an item twice or miss one: read them all again.
            if rest.allSatisfy({ $0.headers.lastModified == page1.headers.lastModified }) {
                return result(from: [page1] + rest, requests: requests)
            }
            first.etag = nil
        }
        return FetchResult(
            kind: .failed,
            status: 200,
            body: [],
            error: "the pages kept changing while they were read (Last-Modified differed three times)",
            requests: requests
        )
    }

    private func fetchKeyset(
        _ request: ESIRequest,
        parameter: String,
        idKey: String,
        pageSize: Int,
        maxItems: Int
    ) async throws -> FetchResult {
        var answers = [ESIResponse]()
        var requests = 0
        var items = 0
        var next = request
        while true {
            let answer = try await self.send(next)
            requests += answer.attempts
            answers.append(answer)
            guard answer.status == 200, answer.problem == nil, let page = answer.json?.objects else {
                // A failure after the first page fails the whole fetch: half a list is not the list.
                return result(from: [answer], requests: requests)
            }
            items += page.count
            let ids = page.compactMap { $0[idKey] as? Int64 }
            guard page.count >= pageSize, items < maxItems, let lowest = ids.min() else { break }
            next = request
            next.etag = nil
            // from_id is inclusive, last_mail_id exclusive: both continue below the lowest id seen.
            next.query.append((parameter, String(parameter == "from_id" ? lowest - 1 : lowest)))
        }
        // Whole pages are kept (at most pageSize - 1 items over maxItems), so the bytes stay ESI's.
        return result(from: answers, requests: requests)
    }
}

/// Folds the answers of one fetch (all 200s, or one deciding failure or 304) into a result.
func result(from answers: [ESIResponse], requests: Int) -> FetchResult {
    let first = answers[0]
    var folded = FetchResult(
        kind: .failed,
        status: first.status,
        etag: first.headers.etag,
        lastModified: first.headers.lastModified,
        expires: answers.compactMap(\.headers.expires).min(),
        pages: answers.count > 1 ? answers.count : first.headers.pages,
        body: first.body,
        json: first.json,
        error: first.problem,
        requests: requests,
        retryAfter: first.headers.retryAfter ?? (first.status == 420 ? first.headers.errorLimitReset : nil)
    )
    switch first.status {
    case 304:
        folded.kind = .notModified
        folded.body = []
    case 200 where first.problem == nil:
        folded.kind = .fetched
        if answers.count > 1 {
            folded.body = joinJSONArrays(answers.map(\.body))
            folded.json = JSONDocument(value: answers.flatMap { ($0.json?.value as? [Any]) ?? [] })
        }
    default:
        folded.kind = .failed
        if folded.error == nil { folded.error = first.status.map { "HTTP \($0)" } ?? "no answer" }
    }
    return folded
}

/// Joins JSON arrays byte-wise (`[a,b]` + `[c]` → `[a,b,c]`), keeping ESI's bytes as sent.
func joinJSONArrays(_ arrays: [[UInt8]]) -> [UInt8] {
    var joined: [UInt8] = [UInt8(ascii: "[")]
    var first = true
    for array in arrays {
        guard let open = array.firstIndex(of: UInt8(ascii: "[")),
            let close = array.lastIndex(of: UInt8(ascii: "]")), open < close
        else { continue }
        let inner = array[(open + 1)..<close]
        guard inner.contains(where: { !isJSONWhitespace($0) }) else { continue }
        if !first { joined.append(UInt8(ascii: ",")) }
        joined.append(contentsOf: inner)
        first = false
    }
    joined.append(UInt8(ascii: "]"))
    return joined
}

private func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
}
