import Projections

/// One table of rows as every page shows them: sorted, filtered and paged on the server from the
/// query (`sort`, `dir`, `q`, `page`, each under `prefix` where a page has several tables), with a
/// filter box (unless the page has its own), sort links on the headers and a pager; `download` adds
/// a link to the same rows as CSV.
extension WebApp {
    func sortableTable(
        _ part: DisplayPart,
        base: String,
        query: [String: String],
        prefix: String = "",
        label: (String) -> String,
        cell: (DisplayValue, String, [DisplayValue]) -> HTML,
        filter showsFilter: Bool = true,
        download: String? = nil
    ) -> HTML {
        let table = TableQuery(query, prefix: prefix)
        let view = table.apply(to: part)
        let headers = part.columns.enumerated().map { index, column -> HTML in
            let direction = view.sortColumn == index && !view.descending ? "desc" : "asc"
            let link = table.link(base: base, query: query, changes: ["sort": column, "dir": direction, "page": "1"])
            let arrow = view.sortColumn == index ? (view.descending ? " ▼" : " ▲") : ""
            return "<th><a href=\"\(link)\">\(label(column))</a>\(arrow)</th>"
        }
        let rows = view.rows.map { row -> HTML in
            let cells = zip(part.columns, row).map { column, value -> HTML in
                "<td\(raw: Columns.isNumber(value) ? " class=\"num\"" : "")>\(cell(value, column, row))</td>"
            }
            return "<tr>\(cells)</tr>"
        }
        let filter: HTML = """
            <form method="get" action="\(base)">\(raw: table.hiddenFields(query: query, except: ["q", "page"]))
            <input type="search" name="\(table.prefix)q" value="\(table.filter)" placeholder="Filter \(Columns.sentence(part.name).lowercased())">
            <button type="submit">Filter</button></form>
            """
        var pager: HTML =
            "<div class=\"pager\"><span>\(view.total) rows\(raw: view.total == part.rows.count ? "" : " of \(part.rows.count)")</span>"
        if view.page > 1 {
            pager +=
                "<a href=\"\(table.link(base: base, query: query, changes: ["page": String(view.page - 1)]))\">Previous</a>"
        }
        if view.page < view.pages {
            pager +=
                "<a href=\"\(table.link(base: base, query: query, changes: ["page": String(view.page + 1)]))\">Next</a>"
        }
        pager += "<span>page \(view.page) of \(max(view.pages, 1))</span>"
        if let download {
            pager +=
                "<a href=\"\(table.link(base: download, query: query, changes: ["page": "1"]))\">Download as CSV</a>"
        }
        pager += "</div>"
        return (showsFilter ? filter : "")
            + "<div class=\"scroll\"><table><thead><tr>\(headers)</tr></thead><tbody>\(rows)</tbody></table></div>"
            + pager
    }
}
