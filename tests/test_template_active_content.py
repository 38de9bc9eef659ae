"""A course's own page templates may not put scripts or other active content into the
HTML page, the EPUB or the USB viewer: the rendered pages are checked, so splitting
the markup up in the template does not get past."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from casekit.render.templates import builtin_templates
from casekit.safety.active_content import find_active_content
from tests.conftest import MINIMAL_TOML
from tests.hostile_build import build_formats, build_html

LESSON = "---\ntitle: Бір\n---\n\nМәтін: onclick=x, <script>alert(1)</script>, javascript:y.\n"

ACTIVE = [
    "<script>alert(1)</script>",
    "<SCRIPT src='https://evil.example/x.js'></SCRIPT>",
    "<scr{% if false %}x{% endif %}ipt>alert(1)</script>",
    '<body onload="steal()">',
    '<a title="a>b" onclick="steal()">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<a href=' JavaScript:alert(1)'>x</a>",
    '<iframe src="page.html"></iframe>',
    '<object data="x.swf"></object>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<img src="https://tracker.example/pixel.png" alt="">',
    '<img srcset="//tracker.example/p.png 2x" alt="">',
    '<link rel="stylesheet" href="http://evil.example/a.css">',
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    '<svg><a xlink:href="data:text/html,&lt;script&gt;">x</a></svg>',
    '<div style="background: url(https://tracker.example/p.png)">x</div>',
    '<style>@import "https://evil.example/a.css";</style>',
]


def course_with(root: Path, files: dict[str, str]) -> Path:
    course = root / "course"
    course.mkdir()
    (course / "a.md").write_text(LESSON, "utf-8")
    toml = MINIMAL_TOML.format(lessons='"a.md"').replace(
        'licence = "CC0"\n', 'licence = "CC0"\ntemplates = "tpl"\n'
    )
    (course / "course.toml").write_text(toml, "utf-8")
    (course / "tpl").mkdir()
    for name, text in files.items():
        (course / "tpl" / name).parent.mkdir(parents=True, exist_ok=True)
        (course / "tpl" / name).write_text(text, "utf-8")
    return course


def builtin(name: str) -> str:
    return (builtin_templates() / name).read_text("utf-8")


@pytest.mark.parametrize("markup", ACTIVE)
def test_active_content_in_the_page_template_is_one_error(tmp_path: Path, markup: str) -> None:
    page = builtin("html/page.html.j2").replace("</body>", f"\n\n{markup}\n</body>")
    course = course_with(tmp_path, {"html/page.html.j2": page})
    diags, pages = build_html(course, tmp_path / "out")
    assert pages == {}
    [found] = diags.sorted()
    assert (found.path, found.code) == ("tpl/html/page.html.j2", "template-script"), found
    assert found.line == page.count("\n", 0, page.index(markup)) + 1 or markup.startswith("<scr{")
    assert "course templates may not add scripts" in found.message


@pytest.mark.slow
def test_a_course_copy_of_the_builtin_templates_builds(tmp_path: Path) -> None:
    """casekit's own templates, scripts of the viewer included, pass; and so does text
    that only looks like markup (it is escaped)."""
    names = [
        "html/page.html.j2",
        "epub/document.xhtml.j2",
        "epub/cover.xhtml.j2",
        "viewer/index.html.j2",
        "viewer/verify.html.j2",
    ]
    extra = '<p><a href="https://edu.example.kz/">сайт</a> <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""></p>'
    files = {name: builtin(name) for name in names}
    files["html/page.html.j2"] = files["html/page.html.j2"].replace("</body>", extra + "</body>")
    course = course_with(tmp_path, files)
    diags, outputs = build_formats(course, tmp_path / "out", ("html", "epub", "usb"))
    assert not diags.has_errors(), diags.items
    # usb also has the PDF and DOCX editions it packages built
    assert {record.format for record in outputs} == {"html", "epub", "usb", "pdf", "docx"}
    page = next(p for r in outputs if r.format == "html" for p in r.paths).read_text("utf-8")
    assert "edu.example.kz" in page and "onclick=x, , javascript:y." in page


@pytest.mark.slow
def test_active_content_in_an_epub_template_is_one_error(tmp_path: Path) -> None:
    document = builtin("epub/document.xhtml.j2").replace(
        "</body>", '<script type="text/javascript">alert(1)</script></body>'
    )
    course = course_with(tmp_path, {"epub/document.xhtml.j2": document})
    out = tmp_path / "out"
    diags, outputs = build_formats(course, out, ("epub",))
    assert outputs == []
    [found] = diags.sorted()
    assert (found.path, found.code) == ("tpl/epub/document.xhtml.j2", "template-script")


@pytest.mark.slow
def test_inline_script_in_the_viewer_template_is_one_error_and_keeps_the_bundle(
    tmp_path: Path,
) -> None:
    course = course_with(tmp_path, {})
    out = tmp_path / "out"
    diags, outputs = build_formats(course, out, ("html", "usb"))
    assert not diags.has_errors(), diags.items
    bundle = next(p for r in outputs if r.format == "usb" for p in r.paths)
    before = (bundle / "index.html").read_bytes()
    index = builtin("viewer/index.html.j2").replace(
        "</body>", "<script>fetch('file:///etc/passwd')</script></body>"
    )
    (course / "tpl" / "viewer").mkdir(parents=True)
    (course / "tpl" / "viewer" / "index.html.j2").write_text(index, "utf-8")
    diags, outputs = build_formats(course, out, ("html", "usb"))
    [found] = diags.sorted()
    assert (found.path, found.code) == ("tpl/viewer/index.html.j2", "template-script")
    assert (bundle / "index.html").read_bytes() == before


def test_the_scanner_reads_attributes_as_a_browser_does() -> None:
    assert find_active_content('<p title="onclick=x">onload="y" <b>javascript:</b></p>') is None
    assert find_active_content("<a href=javascript&colon;alert(1)>") is not None
    assert find_active_content('<div\nONMOUSEOVER="x">') is not None
    ours = frozenset({"data/viewer/viewer.js"})
    assert (
        find_active_content('<script src="data/viewer/viewer.js"></script>', scripts=ours) is None
    )
    assert find_active_content('<script src="data/viewer/viewer.js"></script>') is not None
    assert find_active_content('<script src="viewer.js">alert(1)</script>') is not None
    # a quote left open hides the rest of the tag from a scanner that needs it closed
    assert find_active_content('<a href=javascript:alert(1) title="x>y</a><p>z</p>') is not None
    assert find_active_content("<img src=x.png alt='a\n<p>b</p>") is not None
    # a "<" inside a quoted value is not a tag; the first of repeated attributes counts
    assert find_active_content('<p title="<iframe>">x</p>') is None
    assert find_active_content('<a href="/ok" href="javascript:x()">y</a>') is not None


@pytest.mark.slow
@pytest.mark.parametrize("name", ["epub/document.xhtml.j2", "viewer/index.html.j2"])
def test_jinja_error_in_an_epub_or_viewer_template_is_one_diagnostic(
    tmp_path: Path, name: str
) -> None:
    course = course_with(tmp_path, {name: "<p>\n{% for %}\n</p>"})
    diags, outputs = build_formats(course, tmp_path / "out", ("epub", "usb"))
    assert outputs == []
    [found] = diags.sorted()
    assert (found.path, found.line, found.code) == (f"tpl/{name}", 2, "template-error"), found


#: pieces of markup, shuffled into tag soup for the comparison with Chromium
SOUP_TAGS = ["a", "img", "p", "svg", "math", "script", "SCRIPT", "title", "textarea", "style"]
SOUP_TAGS += ["noscript", "iframe", "object", "meta", "base", "set", "animate", "button", "link"]
SOUP_ATTRIBUTES = ["href", "src", "onload", "ONERROR", "o\tnload", "title", "style", "xlink:href"]
SOUP_ATTRIBUTES += ["formaction", "to", "values", "http-equiv", "content", "srcdoc", "data"]
SOUP_VALUES = ["javascript:alert(1)", "java&#x09;script:x", "&#x6A;avascript:x", " JavaScript:x"]
SOUP_VALUES += ["x", "https://e.example/a", "data:text/html,x", "refresh", '"', "'", "a>b", "`x`"]
SOUP_VALUES += ["vbscript:x", "javascript&colon;x", "jav&NewLine;ascript:x"]
SOUP_TEXT = ["<", ">", '"', "'", "=", " ", "/", "\n", "<!--", "-->", "<![CDATA[", "]]>", "x"]
SOUP_TEXT += ["</title>", "</script>", "</noscript>", "</textarea>", "<!", "<?", "</", "&quot;"]

#: what Chromium's parser makes active: the same rules as the scanner, read from the DOM
ACTIVE_IN_DOM = """(pages) => pages.map(markup => {
  const found = [];
  const forbidden = ['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
                     'base', 'portal', 'set', 'animate', 'animatemotion', 'animatetransform'];
  for (const el of new DOMParser().parseFromString(markup, 'text/html').querySelectorAll('*')) {
    const name = el.localName.toLowerCase();
    if (forbidden.includes(name)) found.push(name);
    if (name === 'meta' && (el.getAttribute('http-equiv') || '').toLowerCase() === 'refresh')
      found.push('refresh');
    for (const a of el.attributes) {
      const value = a.value.replace(/[\\x00-\\x20]/g, '').toLowerCase();
      if (a.name.toLowerCase().startsWith('on')) found.push(a.name);
      if (/^(javascript:|vbscript:|data:text\\/html)/.test(value)) found.push(a.name + '=');
    }
  }
  return found;
})"""


def tag_soup(rng: random.Random) -> str:
    def attribute() -> str:
        quote = rng.choice(['"', "'", "", "`"])
        value = rng.choice(SOUP_VALUES)
        name = rng.choice(SOUP_ATTRIBUTES)
        return f"{name}={quote}{value}{quote}" if rng.random() < 0.85 else name

    def tag() -> str:
        name = rng.choice(SOUP_TAGS)
        separator = rng.choice([" ", "/", "\n", "\t", " /"])
        attributes = separator.join(attribute() for _ in range(rng.randint(0, 3)))
        return f"<{name}{separator}{attributes}" + rng.choice([">", "/>", "", f">x</{name}>"])

    pieces = [tag() if rng.random() < 0.6 else rng.choice(SOUP_TEXT) for _ in range(8)]
    return "".join(pieces[: rng.randint(1, 8)])


@pytest.mark.slow
def test_the_scanner_misses_nothing_chromium_would_run(browser) -> None:
    """Random tag soup (unclosed quotes, comments, text elements, entities in URLs,
    repeated attributes) parsed by Chromium: whatever its DOM has that could run or
    load, the scanner refuses too."""
    rng = random.Random(2026)
    soups = [tag_soup(rng) for _ in range(6000)]
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        active = page.evaluate(ACTIVE_IN_DOM, soups)
    finally:
        page.close()
    assert sum(1 for found in active if found) > 1000  # the soup is hostile enough
    pairs = zip(soups, active, strict=True)
    missed = [soup for soup, found in pairs if found and not find_active_content(soup)]
    assert missed == []


#: scripts that end in ".js" without being casekit's file: a course stylesheet or
#: transcript that is valid JavaScript would run (issue 19)
NOT_OURS = [
    '<script src="data/viewer/style.css?.js"></script>',
    '<script src="data/viewer/style.css#.js"></script>',
    '<script src="data/media/intro.vtt?x=1.js"></script>',
    '<script src="./data/viewer/viewer.js"></script>',
    '<script src="data/viewer/viewer.js?"></script>',
    '<script src="data/viewer/viewer.js" src="data/viewer/style.css"></script>',
    '<svg><script href="data/viewer/style.css" src="data/viewer/viewer.js"></script></svg>',
    '<script type="module" src="data/viewer/viewer.js"></script>',
]


@pytest.mark.slow
@pytest.mark.parametrize("markup", NOT_OURS)
def test_a_viewer_script_must_be_one_of_casekits_files_named_exactly(
    tmp_path: Path, markup: str
) -> None:
    index = builtin("viewer/index.html.j2").replace("</body>", f"{markup}\n</body>")
    course = course_with(tmp_path, {"viewer/index.html.j2": index})
    diags, outputs = build_formats(course, tmp_path / "out", ("usb",))
    assert outputs == []
    [found] = diags.sorted()
    assert (found.path, found.code) == ("tpl/viewer/index.html.j2", "template-script"), found


@pytest.mark.slow
@pytest.mark.parametrize("script", ["style.css?.js", "style.css#x.js", "x.js"])
def test_the_epub_and_the_html_page_load_no_script_at_all(tmp_path: Path, script: str) -> None:
    markup = f'<script src="{script}"></script>'
    files = {
        "epub/document.xhtml.j2": builtin("epub/document.xhtml.j2").replace(
            "</body>", markup + "</body>"
        ),
        "html/page.html.j2": builtin("html/page.html.j2").replace("</body>", markup + "</body>"),
    }
    course = course_with(tmp_path, files)
    for fmt, name in (("epub", "epub/document.xhtml.j2"), ("html", "html/page.html.j2")):
        diags, outputs = build_formats(course, tmp_path / f"out-{fmt}", (fmt,))
        assert outputs == []
        assert [(d.path, d.code) for d in diags.sorted()] == [(f"tpl/{name}", "template-script")]
