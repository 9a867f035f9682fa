import CUniverseArchive
import Foundation
import LZ4
import Vocabulary

/// The static data archive the binaries carry (`data/sde/universe.jsonl.lz4`, embedded by the
/// compiler) and its manifest. Nothing is decompressed or parsed until `text()` is called: a
/// process that only needs to know *which* data it ships reads the manifest, a few hundred bytes.
public enum UniverseArchive {
    /// What the archive holds, from `data/sde/universe.manifest.json` (written by `tools/sde-pack`).
    public struct Manifest: Sendable, Codable, Hashable {
        public var format: Int
        /// CCP's SDE build number of the newest source, and its release time.
        public var build: Int
        public var released: String?
        /// SHA-256 of the compressed archive, hex: the data version recorded when it is loaded.
        public var sha256: String
        public var bytes: Int
        public var rawBytes: Int
        public var counts: [String: Int]

        enum CodingKeys: String, CodingKey {
            case format, build, released, sha256, bytes, counts
            case rawBytes = "raw_bytes"
        }
    }

    /// The manifest of the embedded archive.
    public static let manifest: Manifest = {
        guard let text = EmbeddedFiles.text(named: "universe.manifest.json"),
            let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(text.utf8))
        else {
            // Part of the build: a failure is a broken build, not bad input.
            fatalError("the embedded universe.manifest.json is missing or does not decode")
        }
        return manifest
    }()

    /// The compressed bytes, as embedded.
    public static var compressed: [UInt8] {
        Array(UnsafeBufferPointer(start: memberaudit_universe_archive(), count: memberaudit_universe_archive_size()))
    }

    /// The archive's JSON Lines, decompressed (about 23 MB; tens of milliseconds).
    public static func text() throws -> [UInt8] {
        do {
            return try LZ4.decompress(Self.compressed, rawSize: Self.manifest.rawBytes)
        } catch {
            throw StaticDataError(.malformed, "the embedded static data archive does not decompress: \(error)")
        }
    }
}
