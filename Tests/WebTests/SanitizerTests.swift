import Testing

@testable import Web

/// Hostile bios and mail bodies come out harmless; EVE's own markup comes out readable.
@Suite struct SanitizerTests {
    func clean(_ markup: String) -> String { Sanitizer.sanitize(markup).text }

    @Test func scriptsStylesAndTheirContentAreGone() {
        #expect(clean("hi<script>alert(1)</script>there") == "hithere")
        #expect(clean("<SCRIPT type=text/javascript>document.cookie</SCRIPT>ok") == "ok")
        #expect(clean("<style>body{display:none}</style>x") == "x")
        #expect(clean("<script>never closed") == "")
        #expect(clean("<iframe src=//evil.example></iframe><svg onload=alert(1)><circle/></svg>fine") == "fine")
    }

    @Test func eventHandlersAndUnknownAttributesAreDropped() {
        #expect(clean(#"<b onclick="alert(1)">bold</b>"#) == "<b>bold</b>")
        #expect(clean(#"<img src=x onerror=alert(1)>"#) == "")
        #expect(
            clean(##"<font color="#ff0000" onmouseover="x()">red</font>"##)
                == ##"<span style="color:#ff0000">red</span>"##
        )
        #expect(clean(#"<font color="red;background:url(javascript:x)">t</font>"#) == "<span>t</span>")
        #expect(clean(#"<p style="position:fixed">p</p>"#) == "<p>p</p>")
    }

    @Test func onlyWebAndEveLinksSurvive() {
        #expect(clean(#"<a href="javascript:alert(1)">x</a>"#) == "<span>x</span>")
        #expect(clean(#"<a href="JaVaScRiPt:alert(1)">x</a>"#) == "<span>x</span>")
        #expect(clean(#"<a href="&#106;avascript:alert(1)">x</a>"#) == "<span>x</span>")
        #expect(clean(#"<a href=" data:text/html,<script>">x</a>"#) == "<span>x</span>")
        #expect(clean(#"<a href="vbscript:x">x</a>"#) == "<span>x</span>")
        #expect(
            clean(#"<a href="https://zkillboard.com/character/93000001/">kills</a>"#)
                == #"<a href="https://zkillboard.com/character/93000001/" rel="nofollow noopener noreferrer">kills</a>"#
        )
        #expect(
            clean(#"<a href="https://x.example/"onmouseover="y">q</a>"#).hasPrefix(
                #"<a href="https://x.example/" rel="#
            )
        )
        #expect(
            clean(#"<a href="showinfo:1377//93000001">Raven Pilot</a>"#)
                == #"<a href="https://evewho.com/character/93000001" rel="nofollow noopener noreferrer">Raven Pilot</a>"#
        )
        #expect(clean(#"<a href="showinfo:2//98000001">Corp</a>"#).contains("https://evewho.com/corporation/98000001"))
        #expect(clean(#"<a href="showinfo:587">Rifter</a>"#).contains("https://everef.net/type/587"))
    }

    @Test func eveMarkupReadsAndEverythingIsClosed() {
        let bio = ##"<font size="14" color="#bfffffff">Fly <b>safe</b></font><br><i>o7"##
        #expect(clean(bio) == ##"<span style="color:#ffffff">Fly <b>safe</b></span><br><i>o7</i>"##)
        #expect(clean("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d")
        #expect(clean("Tom &amp; Jerry &#39;s &lt;tag&gt;") == "Tom &amp; Jerry &#39;s &lt;tag&gt;")
        #expect(clean("</b>stray close<u>open") == "stray close<u>open</u>")
        #expect(clean("<!-- <script>alert(1)</script> -->after") == "after")
        #expect(clean("<b><i>nested</b> rest") == "<b><i>nested</i></b> rest")
        #expect(clean(#"quote " and ' apostrophe"#) == "quote &quot; and &#39; apostrophe")
        #expect(clean("<<script>script>alert(1)<</script>/script>") == "&lt;/script&gt;")
    }

    @Test func interpolatedTextIsEscapedInPages() {
        let name = "<script>alert('x')</script>"
        let html: HTML = "<td>\(name)</td>"
        #expect(html.text == "<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>")
    }
}
