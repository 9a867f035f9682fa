import Foundation

extension Simulator {
    /// CCP's image server, for pages with pictures where there is no internet (the demo, the
    /// browser test): `/images/characters/ID/portrait`, `/images/corporations/ID/logo`,
    /// `/images/alliances/ID/logo` and `/images/types/ID/icon` (or `render`), each a small SVG whose
    /// colours and shape follow from the id, so one character always has the same portrait. The
    /// real server answers PNG and JPEG; a page treats both alike.
    func handleImage(_ request: SimulatorRequest) -> SimulatorResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        guard request.method == "GET", parts.count == 4, parts[0] == "images", let id = Int64(parts[2]), id > 0,
            let shape = Self.imageShapes[parts[1] + "/" + parts[3]]
        else {
            return SimulatorResponse(
                status: 404,
                headers: [("Content-Type", "application/json")],
                body: Array(#"{"error":"not found"}"#.utf8)
            )
        }
        let hue = ((id &* 2_654_435_761) % 360 + 360) % 360
        let svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">\
            <rect width="64" height="64" fill="hsl(\(hue),35%,28%)"/>\
            \(shape.replacingOccurrences(of: "FILL", with: "hsl(\((hue + 40) % 360),55%,68%)"))</svg>
            """
        return SimulatorResponse(
            status: 200,
            headers: [("Content-Type", "image/svg+xml"), ("Cache-Control", "public, max-age=86400")],
            body: Array(svg.utf8)
        )
    }

    /// A head and shoulders for portraits, a shield for logos, a cut gem for items.
    static let imageShapes: [String: String] = [
        "characters/portrait":
            #"<circle cx="32" cy="24" r="12" fill="FILL"/><path d="M10 64c2-16 12-22 22-22s20 6 22 22z" fill="FILL"/>"#,
        "corporations/logo": #"<path d="M32 8l20 8v16c0 12-9 20-20 24c-11-4-20-12-20-24V16z" fill="FILL"/>"#,
        "alliances/logo": #"<path d="M32 6l24 14v24L32 58L8 44V20z" fill="FILL"/>"#,
        "types/icon": #"<path d="M32 10l18 14l-18 30l-18-30z" fill="FILL"/>"#,
        "types/render": #"<path d="M8 40l24-22l24 22l-24 10z" fill="FILL"/>"#,
    ]
}
