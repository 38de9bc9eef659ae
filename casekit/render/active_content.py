"""Refusing active content that a course's own templates put into a page.

casekit's writers escape every text and sanitise raw HTML and SVG, so what they
write never runs. A course may also replace the page templates (``templates``
in ``course.toml``), and those are untrusted like any course source: Jinja runs
sandboxed with autoescaping, but literal markup in a template reaches the page
as it is written, and splitting it up (``<scr{% if 0 %}x{% endif %}ipt>``)
defeats any check of the template's source. So the *rendered* page is checked,
tag by tag: no scripts but casekit's own files (``<script src="....js">`` with no
inline code: a course never brings ``.js``), no event handlers, no
``javascript:`` URLs, no frames, plug-ins, ``<base>``, meta refresh or SVG
animation, and nothing loaded from outside the book or bundle.

Every tag in a rendered page is markup (text is escaped), so a tag scanner that
respects quoted attribute values is exact enough; HTML comments are scanned too,
which can only make it stricter.
"""

from __future__ import annotations

import html
import re

_TAG_START = re.compile(r"<[a-zA-Z]")
_TAG = re.compile(r"""<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(r"""([^\s"'=<>`/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_EMPTY_SCRIPT_END = re.compile(r"\s*</script\s*>", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20]+")
_SCRIPT_URL = ("javascript:", "vbscript:", "data:text/html")
_REMOTE = re.compile(r"^(//|(?!data:)[a-z][a-z0-9+.-]*:)")
#: CSS that loads from outside: a remote ``url()``, ``@import`` or ``image-set()``, or a
#: CSS escape, which could spell one (course stylesheets are held to the same rule)
REMOTE_CSS = re.compile(
    r"""(url\(|@import|image-set\()\s*['"]?\s*(//|(?!data:)[a-z][a-z0-9+.-]*:)|\\""", re.I
)
_STYLE_END = re.compile(r"</style", re.IGNORECASE)
#: attributes that make the reader load something (``href`` only on ``link``)
_LOADING = {"src", "srcset", "poster", "data", "background", "action", "formaction"}
_FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "portal",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "handler",
    "listener",
}


def _value(raw: str | None) -> str:
    """An attribute value as the browser reads it: unquoted, entities decoded, and
    without the spaces and control characters it ignores in a URL scheme."""
    if raw is None:
        return ""
    if raw[:1] in "\"'":
        raw = raw[1:-1]
    return _INVISIBLE.sub("", html.unescape(raw)).lower()


def find_active_content(markup: str) -> tuple[str, str] | None:
    """The first active thing in ``markup``: a short description, and the markup that
    carries it as written (the tag, or the CSS), to find it in the template. ``None``
    when there is none."""
    position = 0
    while (start := _TAG_START.search(markup, position)) is not None:
        tag = _TAG.match(markup, start.start())
        if tag is None:  # a quote left open: a browser reads on into the page for the tag
            return "a tag that does not end (a quote left open)", markup[start.start() :][:40]
        position = tag.end()  # a "<" inside a quoted value is not a tag
        name = tag.group(1).lower()
        pairs = [
            (m.group(1).lower(), _value(m.group(2))) for m in _ATTRIBUTE.finditer(tag.group(2))
        ]
        attributes = dict(reversed(pairs))  # the first of repeated attributes counts
        if name in _FORBIDDEN_TAGS:
            return f"a <{name}> element", tag.group(0)
        if name == "meta" and attributes.get("http-equiv") == "refresh":
            return 'a <meta http-equiv="refresh">', tag.group(0)
        for key, value in pairs:  # every value, repeated ones too
            if key.startswith("on"):
                return f"an event handler ({key}=)", tag.group(0)
            if value.startswith(_SCRIPT_URL):
                return f"a script URL ({key}={value[:20]}...)", tag.group(0)
            loads = key in _LOADING or (name == "link" and key == "href")
            if (loads and _REMOTE.match(value)) or (key == "style" and REMOTE_CSS.search(value)):
                return f"a file loaded from outside ({key}={value[:40]})", tag.group(0)
        if name == "style":
            end = _STYLE_END.search(markup, tag.end())
            found = REMOTE_CSS.search(markup, tag.end(), end.start() if end else len(markup))
            if found:
                css = found.group(0)
                return f"a file loaded from outside by a stylesheet ({css})", css
        if name == "script":
            src = attributes.get("src", "")
            if not src.endswith(".js") or not _EMPTY_SCRIPT_END.match(markup, tag.end()):
                return "a <script> of its own (only casekit's .js files may run)", tag.group(0)
    return None
