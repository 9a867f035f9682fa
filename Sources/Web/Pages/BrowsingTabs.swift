import ESI
import Foundation
import Projections

/// The two tabs that browse rather than list: assets as a tree (places, then what is in each,
/// then the contents of containers and ships) and mails by label and by mailing list.
extension WebApp {
    /// The assets tab: without a search, the places with their item counts and value; a place's
    /// items (`?place=`); a container's contents (`?container=`). With `?q=`, the flat filtered table.
    func assetTreeHTML(_ part: DisplayPart, query: [String: String], id: Int64) -> HTML? {
        guard (query["q"] ?? "").isEmpty, query["sort"] == nil else { return nil }
        func column(_ name: String) -> Int? { part.columns.firstIndex(of: name) }
        guard let item = column("item_id"), let parent = column("parent_item_id"),
            let root = column("root_location_id"),
            let rootName = column("root_location_name"), let type = column("type_name"), let name = column("item_name"),
            let quantity = column("quantity"), let value = column("value"), let flag = column("location_flag")
        else { return nil }
        let added = column("added_current_ship")
        func int(_ value: DisplayValue) -> Int64? {
            if case .int(let number) = value { return number }
            return nil
        }
        func number(_ value: DisplayValue) -> Double {
            switch value {
            case .int(let number): Double(number)
            case .double(let number): number
            default: 0
            }
        }
        let children = Dictionary(grouping: part.rows.filter { int($0[parent]) != nil }) { int($0[parent])! }
        let base = "/characters/\(id)/assets"
        let search: HTML = """
            <form method="get" action="\(base)"><input type="search" name="q" placeholder="Search all assets">
            <button type="submit">Search</button></form>
            """
        func itemRows(_ rows: [[DisplayValue]]) -> HTML {
            let sorted = rows.sorted { Self.text($0[type]) < Self.text($1[type]) }
            let lines = sorted.map { row -> HTML in
                let itemID = int(row[item]) ?? 0
                let inside = children[itemID]?.count ?? 0
                let contents: HTML = inside > 0 ? "<a href=\"\(base)?container=\(itemID)\">\(inside) inside</a>" : ""
                // ESI's asset list left out the ship the character sits in; the view adds it.
                let marker: HTML =
                    added.map { row[$0] == .bool(true) } == true
                    ? " " + Format.badge("current ship, not in ESI's asset list", "stale") : ""
                return """
                    <tr><td>\(Self.text(row[type]))</td><td>\(Self.text(row[name]))\(marker)</td><td class="num">\(Self.text(row[quantity]))</td>\
                    <td>\(Self.text(row[flag]))</td><td class="num">\(Format.isk(number(row[value])))</td><td>\(contents)</td></tr>
                    """
            }
            return
                "<div class=\"scroll\"><table><tr><th>Type</th><th>Name</th><th>Quantity</th><th>Flag</th><th>Value</th><th>Contents</th></tr>\(lines)</table></div>"
        }
        if let container = query["container"].flatMap(Int64.init) {
            guard let row = part.rows.first(where: { int($0[item]) == container }) else {
                return search + "<p>No such item.</p>"
            }
            let place = int(row[root]) ?? 0
            let up: HTML =
                if let above = int(row[parent]) {
                    "<a href=\"\(base)?container=\(above)\">up</a>"
                } else {
                    "<a href=\"\(base)?place=\(place)\">\(Self.text(row[rootName]))</a>"
                }
            return search
                + "<p><a href=\"\(base)\">All places</a> › \(up) › <strong>\(Self.text(row[type])) \(Self.text(row[name]))</strong></p>"
                + itemRows(children[container] ?? [])
        }
        if let place = query["place"].flatMap(Int64.init) {
            let rows = part.rows.filter { int($0[root]) == place && int($0[parent]) == nil }
            let title = part.rows.first { int($0[root]) == place }.map { Self.text($0[rootName]) } ?? String(place)
            return search + "<p><a href=\"\(base)\">All places</a> › <strong>\(title)</strong></p>" + itemRows(rows)
        }
        let places = Dictionary(grouping: part.rows) { int($0[root]) ?? 0 }.map { place, rows in
            (
                place: place, name: Self.text(rows[0][rootName]), count: rows.count,
                value: rows.map { number($0[value]) }.reduce(0, +)
            )
        }.sorted { $0.value > $1.value }
        let lines = places.map { entry -> HTML in
            "<tr><td><a href=\"\(base)?place=\(entry.place)\">\(entry.name)</a></td><td class=\"num\">\(entry.count)</td><td class=\"num\">\(Format.isk(entry.value))</td></tr>"
        }
        return search
            + "<p class=\"muted\">\(part.rows.count) items in \(places.count) places; \(Format.isk(places.map(\.value).reduce(0, +))) at market prices.</p>"
            + "<table><tr><th>Place</th><th>Items</th><th>Value</th></tr>\(lines)</table>"
    }

    /// The mails tab's label and mailing-list links; `?label=` and `?list=` keep only their mails.
    func mailFilters(_ state: CharacterState, query: [String: String], id: Int64) -> (HTML, CharacterState) {
        guard let section = state.sections.first(where: { $0.name == "mails" }) else { return ("", state) }
        func names(of partName: String, column: String) -> [String] {
            guard let part = section.parts.first(where: { $0.name == partName }),
                let index = part.columns.firstIndex(of: column)
            else { return [] }
            return part.rows.map { Self.text($0[index]) }.filter { !$0.isEmpty }
        }
        let labels = names(of: "labels", column: "name")
        let lists = names(of: "mailing_lists", column: "name")
        let base = "/characters/\(id)/mails"
        var links: [HTML] = ["<a href=\"\(base)\">All mail</a>"]
        links += labels.map { "<a href=\"\(base)?label=\(percentEncoded($0))\">\($0)</a>" as HTML }
        links += lists.map { "<a href=\"\(base)?list=\(percentEncoded($0))\">list: \($0)</a>" as HTML }
        var filtered = state
        let wanted: (column: String, name: String)? =
            query["label"].map { ("labels", $0) } ?? query["list"].map { ("recipients", $0) }
        if let wanted, let sectionIndex = filtered.sections.firstIndex(where: { $0.name == "mails" }),
            let partIndex = filtered.sections[sectionIndex].parts.firstIndex(where: { $0.name == "mails" })
        {
            var part = filtered.sections[sectionIndex].parts[partIndex]
            if let column = part.columns.firstIndex(of: wanted.column) {
                part.rows = part.rows.filter { row in
                    Self.text(row[column]).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                        .contains(wanted.name)
                }
            }
            filtered.sections[sectionIndex].parts[partIndex] = part
        }
        return ("<p class=\"tabs\">\(links.map { "<span>\($0)</span>" as HTML })</p>", filtered)
    }
}
