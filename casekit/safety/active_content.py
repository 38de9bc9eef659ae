"""Refusing active content that a course's own templates put into a page.

casekit's writers escape every text and sanitise raw HTML and SVG, so what they
write never runs. A course may also replace the page templates (``templates``
in ``course.toml``), and those are untrusted like any course source: Jinja runs
sandboxed with autoescaping, but literal markup in a template reaches the page
as it is written, and splitting it up (``<scr{% if 0 %}x{% endif %}ipt>``)
defeats any check of the template's source. So the *rendered* page is checked,
tag by tag: no scripts but casekit's own files, named exactly (``<script
src="data/viewer/viewer.js">``: no query, no fragment, no other attribute but
``data-*``, no inline code), so no file of the course (a stylesheet or a transcript
that happens to be valid JavaScript) can ever be loaded as a script; no event handlers, no
``javascript:`` URLs, no frames, plug-ins, ``<base>``, meta refresh or SVG
animation, and nothing loaded from outside the book or bundle.

Tags are read as the HTML tokenizer reads them (quotes only open a value right
after ``=``; a tag left open at the end is refused). Where browsers read text
rather than tags (comments, ``<title>``, ``<style>`` ...), the text is checked
as markup too, and reading resumes where the browser's does: stricter than any
browser, never laxer (tested against Chromium's parser).
"""

from __future__ import annotations

import html
import re

_SEPARATORS = re.compile(r"[\t\n\f\r /]*")
_TAG_NAME = re.compile(r"[^\t\n\f\r />]*")
_ATTRIBUTE_NAME = re.compile(r"[^\t\n\f\r />][^\t\n\f\r /=>]*")
_EQUALS = re.compile(r"[\t\n\f\r ]*=[\t\n\f\r ]*")
_UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
_INVISIBLE = re.compile(r"[\x00-\x20]+")
_SCRIPT_URL = ("javascript:", "vbscript:", "data:text/html")
_REMOTE = re.compile(r"^(//|(?!data:)[a-z][a-z0-9+.-]*:)")
#: CSS that loads from outside: a remote ``url()``, ``@import`` or ``image-set()``, or a
#: CSS escape, which could spell one (course stylesheets are held to the same rule)
REMOTE_CSS = re.compile(
    r"""(url\(|@import|image-set\()\s*['"]?\s*(//|(?!data:)[a-z][a-z0-9+.-]*:)|\\""", re.I
)
#: attributes that make the reader load something (``href`` only on ``link``)
_LOADING = {"src", "srcset", "poster", "data", "background", "action", "formaction"}
#: elements whose content a browser reads as text, up to their end tag
_TEXT_ELEMENTS = {
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
}
_END_TAGS = {name: re.compile(f"</{name}", re.IGNORECASE) for name in _TEXT_ELEMENTS}
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

Found = tuple[str, str]  # what is active, and the markup that carries it as written
Tag = tuple[str, list[tuple[str, str]], int]  # name, attributes, end


def _read_tag(markup: str, pos: int, end: int) -> Tag | None:
    """The tag whose name starts at ``pos``, or ``None`` when it does not end before
    ``end``. Attribute values come decoded (entities, and without the spaces and
    control characters a browser ignores in a URL scheme) and in lower case."""
    name = _TAG_NAME.match(markup, pos, end)
    assert name is not None  # the pattern matches the empty string
    pos = name.end()
    attributes: list[tuple[str, str]] = []
    while True:
        pos = _SEPARATORS.match(markup, pos, end).end()  # type: ignore[union-attr]
        if pos >= end:
            return None
        if markup[pos] == ">":
            return name.group(0).lower(), attributes, pos + 1
        key = _ATTRIBUTE_NAME.match(markup, pos, end)
        assert key is not None  # markup[pos] is none of the separators or ">"
        pos = key.end()
        value = ""
        equals = _EQUALS.match(markup, pos, end)
        if equals:
            pos = equals.end()
            if pos >= end:
                return None
            if markup[pos] in "\"'":
                close = markup.find(markup[pos], pos + 1, end)
                if close < 0:
                    return None
                value, pos = markup[pos + 1 : close], close + 1
            else:
                unquoted = _UNQUOTED.match(markup, pos, end)
                assert unquoted is not None
                value, pos = unquoted.group(0), unquoted.end()
        clean = _INVISIBLE.sub("", html.unescape(value)).lower()
        attributes.append((key.group(0).lower(), clean))


def _check_script(attributes: list[tuple[str, str]], scripts: frozenset[str]) -> str | None:
    """Why a ``<script>`` is not one of casekit's own ``scripts`` (exact paths), or ``None``."""
    sources = [value for key, value in attributes if key == "src"]
    if len(sources) != 1 or sources[0] not in scripts:
        return "a <script> that is not one of casekit's own files (named exactly)"
    for key, _ in attributes:
        if key != "src" and not key.startswith("data-"):
            return f"a <script> with a {key}= attribute (only src= and data-* are allowed)"
    return None


def _check_tag(
    name: str, attributes: list[tuple[str, str]], written: str, scripts: frozenset[str]
) -> Found | None:
    if name in _FORBIDDEN_TAGS:
        return f"a <{name}> element", written
    first = dict(reversed(attributes))  # the first of repeated attributes counts
    if name == "meta" and first.get("http-equiv") == "refresh":
        return 'a <meta http-equiv="refresh">', written
    for key, value in attributes:  # every value, repeated ones too
        if key.startswith("on"):
            return f"an event handler ({key}=)", written
        if value.startswith(_SCRIPT_URL):
            return f"a script URL ({key}={value[:20]}...)", written
        loads = key in _LOADING or (name == "link" and key == "href")
        if (loads and _REMOTE.match(value)) or (key == "style" and REMOTE_CSS.search(value)):
            return f"a file loaded from outside ({key}={value[:40]})", written
    if name == "script":
        refused = _check_script(attributes, scripts)
        if refused:
            return refused, written
    return None


def find_active_content(
    markup: str,
    start: int = 0,
    end: int | None = None,
    scripts: frozenset[str] = frozenset(),
) -> Found | None:
    """The first active thing in ``markup[start:end]``: a short description, and the
    markup that carries it as written (to find it in the template). ``None`` when
    there is none. ``scripts`` are the exact paths of the page's own script files
    (casekit's; none in the HTML page and the EPUB)."""
    end = len(markup) if end is None else end
    pos = start
    while (lt := markup.find("<", pos, end)) >= 0:
        after = markup[lt + 1 : lt + 2]
        if markup.startswith("<!--", lt, end):  # a comment: its text is checked too
            close = markup.find("-->", lt + 4, end)
            close = end if close < 0 else close
            found = find_active_content(markup, lt + 4, close, scripts)
            if found:
                return found
            pos = close + 3
        elif after in ("!", "?") or markup.startswith("</", lt, end):
            if after == "/" and markup[lt + 2 : lt + 3].isalpha():  # an end tag
                tag = _read_tag(markup, lt + 2, end)
                if tag is None:
                    return "a tag that does not end (a quote left open)", markup[lt:][:40]
                found = _check_tag("", tag[1], markup[lt : tag[2]], scripts)  # attributes only
                if found:
                    return found
                pos = tag[2]
                continue
            close = markup.find(">", lt + 2, end)  # "<!...>", "<?...>", "</ ...>": text
            close = end if close < 0 else close
            found = find_active_content(markup, lt + 2, close, scripts)
            if found:
                return found
            pos = close + 1
        elif after.isalpha():
            tag = _read_tag(markup, lt + 1, end)
            if tag is None:  # a browser reads on into the page for the rest of the tag
                return "a tag that does not end (a quote left open)", markup[lt:][:40]
            name, attributes, pos = tag
            written = markup[lt:pos]
            found = _check_tag(name, attributes, written, scripts)
            if found:
                return found
            if name in _TEXT_ELEMENTS:  # text up to the end tag, where reading resumes
                closing = _END_TAGS[name].search(markup, pos, end)
                stop = closing.start() if closing else end
                found = _check_text(markup, name, written, pos, stop, scripts)
                if found:
                    return found
                pos = stop
        else:
            pos = lt + 1
    return None


def _check_text(
    markup: str, name: str, written: str, pos: int, stop: int, scripts: frozenset[str]
) -> Found | None:
    """The content of a ``<title>``, ``<style>``, ``<script>`` ...: checked as markup
    (stricter than a browser, which reads text there); a script must have none, a
    stylesheet may load nothing from outside."""
    if name == "script" and markup[pos:stop].strip():
        return "a <script> with code of its own (only casekit's .js files may run)", written
    if name == "style":
        css = REMOTE_CSS.search(markup, pos, stop)
        if css:
            return f"a file loaded from outside by a stylesheet ({css.group(0)})", css.group(0)
    return find_active_content(markup, pos, stop, scripts)
