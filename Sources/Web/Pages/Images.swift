import ESI
import Foundation

/// Pictures from CCP's image server. Every image has its size fixed in the markup (the page does
/// not move when it arrives) and words in `alt`; the stylesheet gives images a grey ground, so a
/// page whose images cannot load (no internet, the server down) still reads well.
public struct Images: Sendable {
    public static let ccp = "https://images.evetech.net"

    /// The server's base URL, checked where it is configured (``Images/check(_:)``).
    var server: String

    /// A base URL is http(s) with only the characters a URL needs: it goes into every page's
    /// markup and the Content-Security-Policy header, so nothing else may pass.
    public static func check(_ server: String) -> Bool {
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else { return false }
        return server.utf8.count <= 200
            && server.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ":/.-_~%".unicodeScalars.contains($0))
            }
    }

    func portrait(_ characterID: Int64, size: Int, alt: String) -> HTML {
        self.image("characters/\(characterID)/portrait", size: size, alt: alt, kind: "portrait")
    }

    func corporationLogo(_ id: Int64, size: Int, alt: String) -> HTML {
        self.image("corporations/\(id)/logo", size: size, alt: alt, kind: "logo")
    }

    func allianceLogo(_ id: Int64, size: Int, alt: String) -> HTML {
        self.image("alliances/\(id)/logo", size: size, alt: alt, kind: "logo")
    }

    /// An item's icon (a ship's render where `render`).
    func type(_ typeID: Int64, size: Int, alt: String, render: Bool = false) -> HTML {
        self.image("types/\(typeID)/\(render ? "render" : "icon")", size: size, alt: alt, kind: "icon")
    }

    /// The server gives sizes in powers of two; asking for twice the shown size keeps them sharp.
    private func image(_ path: String, size: Int, alt: String, kind: String) -> HTML {
        let asked = [32, 64, 128, 256, 512].first { $0 >= size * 2 } ?? 512
        return
            "<img class=\"\(raw: kind)\" src=\"\(self.server)/\(path)?size=\(asked)\" width=\"\(size)\" height=\"\(size)\" alt=\"\(alt)\" loading=\"lazy\">"
    }
}

/// Where players look a character or an organisation up.
enum ExternalLinks {
    static func zKillboard(character id: Int64) -> String { "https://zkillboard.com/character/\(id)/" }
    static func eveWho(character id: Int64) -> String { "https://evewho.com/character/\(id)" }
    static func forums(character name: String) -> String {
        "https://forums.eveonline.com/u/\(self.underscored(name))/summary"
    }
    static func eveSearch(character name: String) -> String {
        "https://eve-search.com/search/author/\(percentEncoded(name))"
    }
    static func dotlan(corporation name: String) -> String {
        "https://evemaps.dotlan.net/corp/\(self.underscored(name))"
    }
    static func dotlan(alliance name: String) -> String {
        "https://evemaps.dotlan.net/alliance/\(self.underscored(name))"
    }

    /// Names as these sites spell them in paths: spaces as underscores, the rest percent-encoded.
    private static func underscored(_ name: String) -> String {
        percentEncoded(name.replacingOccurrences(of: " ", with: "_"))
    }
}
