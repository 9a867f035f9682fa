import Access
import Audit
import Vocabulary

/// The frame of every page: title, navigation by the viewer's permissions, and the content. No
/// scripts: pages work with forms and links only; the stylesheet adapts them to phones.
enum Layout {
    static func page(
        title: String,
        appName: String,
        viewer: Viewer?,
        csrf: String?,
        unread: Int64 = 0,
        attention: Int64 = 0,
        content: HTML
    ) -> HTML {
        var links: [HTML] = []
        if let viewer {
            let badge: HTML =
                attention > 0
                ? "<span class=\"count\" title=\"characters to register again or not registered\">\(attention)</span>"
                : ""
            links.append("<a href=\"/launcher\">Characters\(badge)</a>")
            let unreadBadge: HTML = unread > 0 ? "<span class=\"count\" title=\"not read yet\">\(unread)</span>" : ""
            links.append("<a href=\"/notifications\">Inbox\(unreadBadge)</a>")
            if viewer.has(.finderAccess) { links.append("<a href=\"/finder\">Finder</a>") }
            if viewer.has(.reportsAccess) { links.append("<a href=\"/reports\">Reports</a>") }
            if viewer.has(.exportsAccess) { links.append("<a href=\"/exports\">Export</a>") }
            if viewer.isSuperuser {
                links.append("<a href=\"/skillsets\">Skill sets</a>")
                links.append("<a href=\"/admin/characters\">All characters</a>")
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
}
