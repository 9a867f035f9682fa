import Access
import Audit
import Vocabulary

/// The frame of every page: title, navigation by the viewer's permissions, and the content. No
/// scripts: pages work with forms and links only; the stylesheet adapts them to phones.
enum Layout {
    static func page(title: String, appName: String, viewer: Viewer?, csrf: String?, content: HTML) -> HTML {
        var links: [HTML] = []
        if let viewer {
            links.append("<a href=\"/launcher\">Characters</a>")
            if viewer.has(.finderAccess) { links.append("<a href=\"/finder\">Finder</a>") }
            if viewer.has(.reportsAccess) { links.append("<a href=\"/reports\">Reports</a>") }
            if viewer.has(.exportsAccess) { links.append("<a href=\"/exports\">Export</a>") }
            if viewer.isSuperuser {
                links.append("<a href=\"/skillsets\">Skill sets</a>")
                links.append("<a href=\"/admin\">Admin</a>")
            }
        }
        let account: HTML =
            if let viewer, let csrf {
                """
                <form method="post" action="/logout" class="logout">\(self.csrfField(csrf))
                <span class="who">\(viewer.name)</span> <button type="submit">Log out</button></form>
                """
            } else {
                "<a href=\"/login\">Log in</a>"
            }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · \(appName)</title>
            <link rel="stylesheet" href="/static/app.css">
            </head><body>
            <header><a class="brand" href="/">\(appName)</a><nav>\(links)</nav>\(account)</header>
            <main>
            <h1>\(title)</h1>
            \(content)
            </main>
            </body></html>
            """
    }

    static func csrfField(_ token: String) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(token)\">"
    }

    /// A button that POSTs to `action` with the CSRF token.
    static func postButton(
        _ label: String,
        action: String,
        csrf: String,
        confirm: Bool = false,
        extra: HTML = ""
    ) -> HTML {
        "<form method=\"post\" action=\"\(action)\" class=\"inline\">\(self.csrfField(csrf))\(extra)<button type=\"submit\"\(raw: confirm ? " class=\"danger\"" : "")>\(label)</button></form>"
    }

    static let stylesheet = """
        :root { --fg: #1d232a; --muted: #5b6672; --line: #d6dce2; --accent: #2b6cb0; --bad: #b83232; --ok: #2f855a; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
        header { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; padding: .6rem 1rem;
                 background: #10161d; color: #fff; }
        header a { color: #e2e8f0; text-decoration: none; }
        header .brand { font-weight: 700; margin-right: 1rem; }
        header nav { display: flex; gap: .9rem; flex: 1; flex-wrap: wrap; }
        header .who { color: #cbd5e0; }
        main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
        h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
        th, td { border-bottom: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
        th a { color: inherit; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: .8rem; }
        .card { border: 1px solid var(--line); border-radius: 6px; padding: .7rem; }
        .card img { float: left; margin-right: .6rem; border-radius: 4px; }
        .card h2 { font-size: 1.05rem; margin: 0 0 .2rem; }
        .muted { color: var(--muted); }
        .bad { color: var(--bad); }
        .ok { color: var(--ok); }
        .tabs { display: flex; flex-wrap: wrap; gap: .3rem .8rem; margin: .5rem 0 1rem; padding: 0; list-style: none; }
        .tabs a.current { font-weight: 700; text-decoration: none; }
        form.inline { display: inline; }
        .card a, .card form.inline { margin-right: .4rem; }
        button { font: inherit; padding: .2rem .6rem; border: 1px solid var(--line); border-radius: 4px;
                 background: #f7fafc; cursor: pointer; }
        button.danger { color: var(--bad); }
        .fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        .fields dt { color: var(--muted); }
        .fields dd { margin: 0; }
        .totals { display: flex; flex-wrap: wrap; gap: 1.5rem; margin-bottom: 1rem; }
        .pager { display: flex; gap: 1rem; align-items: center; }
        .markup { border-left: 3px solid var(--line); padding-left: .7rem; }
        .scroll { overflow-x: auto; }
        svg.chart { width: 100%; height: 220px; background: #fbfcfd; border: 1px solid var(--line); }
        @media (max-width: 640px) { main { padding: .6rem; } .fields { grid-template-columns: 1fr; } }
        """
}

/// Amounts as people read them (Audit's `formatNumber`: thousands separated).
enum Format {
    static func isk(_ value: Double?) -> String { value.map { formatNumber($0.rounded()) + " ISK" } ?? "–" }
    static func int(_ value: Int64?) -> String { value.map { formatNumber(Double($0)) } ?? "–" }
}
