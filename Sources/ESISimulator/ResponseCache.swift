import Crypto
import Foundation
import Synchronization

/// A cached ESI resource: the whole body (all pages of a paged route), built at `lastModified`.
struct CachedResource: Sendable {
    /// The JSON body of each page (one element for unpaged routes).
    var pages: [[UInt8]]
    var etags: [String]
    var lastModified: Date
    var expires: Date
}

/// ESI's cache: within a resource's cache window every request gets the same bytes and ETag, even
/// if the world moved on; after it, the resource is built again, and an unchanged page keeps its
/// ETag (it is a hash of the body).
final class ResponseCache: Sendable {
    private let entries = Mutex<[String: CachedResource]>([:])

    /// The resource for `key` at `now`, built by `build` when missing or expired.
    func resource(
        key: String,
        now: Date,
        cacheSeconds: TimeInterval,
        build: () throws -> [[UInt8]]
    ) rethrows -> CachedResource {
        if let cached = self.entries.withLock({ $0[key] }), now < cached.expires { return cached }
        let pages = try build()
        let resource = CachedResource(
            pages: pages,
            etags: pages.map(etag(of:)),
            lastModified: now,
            expires: now.addingTimeInterval(cacheSeconds)
        )
        self.entries.withLock { $0[key] = resource }
        return resource
    }

    /// Forgets every cached resource of a character (after an admin change).
    func invalidate(prefix: String) {
        self.entries.withLock { entries in entries = entries.filter { !$0.key.hasPrefix(prefix) } }
    }

    var count: Int { self.entries.withLock { $0.count } }
}

/// A strong ETag: the quoted start of the body's SHA-256.
func etag(of body: [UInt8]) -> String {
    "\"" + SHA256.hash(data: body).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
}
