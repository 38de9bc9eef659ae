"""Containment: no path a course names can read outside the course folder.

Every test puts a secret file beside the course and tries to reach it through
one kind of reference; casekit must refuse with a diagnostic at the place of
the reference, and the secret must never appear in an output.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from casekit.build.course import load_course
from casekit.config.settings import load_config
from casekit.diagnostics import CasekitError, Diagnostics
from casekit.resolve.named_files import course_file
from casekit.safety.paths import PathEscape, resolve_inside
from tests.conftest import MINI, MINIMAL_TOML
from tests.hostile_build import build_html

SECRET = "SECRET-ҚҰПИЯ"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course folder with media, and a secret file (plus a secret folder) beside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"# {SECRET}\n", "utf-8")
    shutil.copy(MINI / "media" / "diagram.png", outside / "secret.png")
    shutil.copy(MINI / "media" / "intro.mp4", outside / "secret.mp4")
    (outside / "secret.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\n{SECRET}\n", "utf-8")
    (outside / "page.html.j2").write_text(SECRET, "utf-8")
    (outside / "font.ttf").write_bytes(b"\0\1\0\0" + SECRET.encode())
    root = tmp_path / "course"
    shutil.copytree(MINI / "media", root / "media")
    (root / "course.toml").write_text(MINIMAL_TOML.format(lessons='"a.md"'), "utf-8")
    (root / "a.md").write_text("# Сабақ\n\nМәтін.\n", "utf-8")
    return root


def lesson(root: Path, body: str) -> None:
    (root / "a.md").write_text(f"# Сабақ\n\n{body}\n", "utf-8")


def refusals(root: Path, tmp_path: Path) -> list[str]:
    """Build; return the path-escape/scheme diagnostics as lines, checking no secret leaked."""
    diags, pages = build_html(root, tmp_path / "out")
    for page in pages.values():
        assert SECRET not in page
    return [
        str(d)
        for d in diags.sorted()
        if d.code in ("path-escape", "link-scheme", "media-scheme", "template-error")
    ]


LINK_REFS = {
    "parent": "../outside/secret.md",
    "deep-parent": "media/../../outside/secret.md",
    "absolute": "/etc/passwd",
    "home": "~/secret.md",
    "drive": "C:/Windows/win.ini",
    "drive-backslash": "C:%5CWindows%5Cwin.ini",
    "unc": "%5C%5Cserver%5Cshare%5Cx.md",
    "percent-dots": "%2e%2e/outside/secret.md",
    "percent-slash": "..%2foutside%2fsecret.md",
    "nul": "a.md%00../../outside/secret.md",
}


@pytest.mark.parametrize("name", sorted(LINK_REFS))
def test_markdown_link_paths_are_refused(course: Path, tmp_path: Path, name: str) -> None:
    lesson(course, f"[сілтеме]({LINK_REFS[name]})")
    [line] = refusals(course, tmp_path)
    assert line.startswith("a.md:3:") and "[path-escape]" in line, line


def test_file_and_javascript_links_are_never_links(course: Path, tmp_path: Path) -> None:
    """markdown-it does not even parse these as links; they stay visible text."""
    lesson(course, "[a](file:///etc/passwd) [b](javascript:alert(1)) [c](FILE:../outside/x.md)")
    diags, pages = build_html(course, tmp_path / "out")
    assert not diags.has_errors()
    body = pages["learner"].split('<section class="lesson"')[1]
    assert "[a](file:///etc/passwd)" in body and "<a " not in body.split("</section>")[0]


@pytest.mark.parametrize("name", sorted(LINK_REFS))
def test_image_paths_are_refused(course: Path, tmp_path: Path, name: str) -> None:
    ref = LINK_REFS[name].replace("secret.md", "secret.png").replace("a.md", "m.png")
    lesson(course, f"![сурет]({ref})")
    found = refusals(course, tmp_path)
    assert len(found) == 1 and found[0].startswith("a.md:3:"), found
    assert "[path-escape]" in found[0] or "[media-scheme]" in found[0]


@pytest.mark.parametrize(
    "src", ["../outside/secret.mp4", "/tmp/x.mp4", "file:///etc/x.mp4", "C:\\x.mp4", "\\\\s\\x.mp4"]
)
def test_video_div_src_is_refused(course: Path, tmp_path: Path, src: str) -> None:
    lesson(course, f'::: {{.video src="{src}" title="Бейне"}}\n:::')
    found = refusals(course, tmp_path)
    assert len(found) == 1 and found[0].startswith("a.md:3:1:"), found


def test_symlinked_folder_inside_the_course_pointing_out(course: Path, tmp_path: Path) -> None:
    os.symlink(tmp_path / "outside", course / "media" / "shelf")
    lesson(course, "![сурет](media/shelf/secret.png)\n\n[a](media/shelf/secret.md)")
    found = refusals(course, tmp_path)
    assert [line.split(": error:")[0] for line in found] == ["a.md:3:1", "a.md:5:3"], found
    assert all("through a symlink" in line for line in found)


def test_symlink_chain_leading_out(course: Path, tmp_path: Path) -> None:
    os.symlink(tmp_path / "outside" / "secret.png", course / "hop2.png")
    os.symlink(course / "hop2.png", course / "media" / "hop1.png")
    os.symlink("../media/hop1.png", course / "media" / "hop0.png")  # relative, inside, then out
    lesson(course, "![сурет](media/hop0.png)")
    [line] = refusals(course, tmp_path)
    assert line.startswith("a.md:3:") and "through a symlink" in line


def test_symlink_at_depth_and_loops(course: Path, tmp_path: Path) -> None:
    deep = course / "media" / "a" / "b" / "c"
    deep.mkdir(parents=True)
    os.symlink("../../../../../outside", deep / "up")
    os.symlink("loop", course / "media" / "loop")
    lesson(course, "![a](media/a/b/c/up/secret.png)\n\n![b](media/loop)")
    diags, _ = build_html(course, tmp_path / "out")
    found = {(d.line, d.code) for d in diags.sorted()}
    assert (3, "path-escape") in found
    assert any(line == 5 and code in ("media-missing", "path-escape") for line, code in found)


def test_symlinks_inside_the_course_still_work(course: Path, tmp_path: Path) -> None:
    os.symlink("diagram.png", course / "media" / "alias.png")
    lesson(course, "![Сурет](media/alias.png)")
    diags, pages = build_html(course, tmp_path / "out")
    assert not diags.has_errors() and "data:image/png;base64," in pages["learner"]


def test_transcript_symlinked_out_is_refused(course: Path, tmp_path: Path) -> None:
    (course / "media" / "intro.vtt").unlink()
    os.symlink(tmp_path / "outside" / "secret.vtt", course / "media" / "intro.vtt")
    lesson(course, "![Бейне](media/intro.mp4)")
    diags, pages = build_html(course, tmp_path / "out")
    [found] = [d for d in diags.items if d.code == "path-escape"]
    assert (found.path, found.line, found.severity) == ("a.md", 3, "warning")
    assert "transcript media/intro.vtt is refused" in found.message
    assert pages and all(SECRET not in page for page in pages.values())


LESSON_PATHS = [
    "../outside/secret.md",
    "/etc/passwd",
    "C:\\\\x.md",
    "\\\\\\\\server\\\\share\\\\x.md",
    "file:///etc/passwd",
    "lessons/../../outside/secret.md",
    "a.md\\u0000",
    "~/x.md",
    "x" * 300 + ".md",
]


@pytest.mark.parametrize("ref", LESSON_PATHS)
def test_course_toml_lesson_paths_are_refused(course: Path, ref: str) -> None:
    toml = MINIMAL_TOML.format(lessons=f'"a.md", "{ref}"')
    (course / "course.toml").write_text(toml, "utf-8")
    diags = Diagnostics()
    load_course(course, diags)
    [found] = [d for d in diags.sorted() if d.severity == "error"]
    assert (found.path, found.line, found.code) == ("course.toml", 10, "path-escape"), found


def test_lesson_symlinked_out_is_refused(course: Path) -> None:
    os.symlink(course.parent / "outside" / "secret.md", course / "b.md")
    (course / "course.toml").write_text(MINIMAL_TOML.format(lessons='"a.md", "b.md"'), "utf-8")
    diags = Diagnostics()
    load_course(course, diags)
    assert [str(d) for d in diags.sorted()] == [
        "course.toml:10:1: error: lesson path 'b.md' is refused: path leads outside the course "
        "folder through a symlink [path-escape]"
    ]


def with_toml(course: Path, extra: str) -> None:
    toml = MINIMAL_TOML.format(lessons='"a.md"').replace(
        'licence = "CC0"\n', f'licence = "CC0"\n{extra}\n'
    )
    (course / "course.toml").write_text(toml, "utf-8")


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('templates = "../outside"', "templates = '../outside' is refused: path climbs out"),
        ('templates = "/etc"', "templates = '/etc' is refused: absolute paths are not allowed"),
        ('templates = "tpl-link"', "templates = 'tpl-link' is refused: path leads outside"),
        ('templates = "none"', "templates: folder not found: none"),
        ('[fonts]\nregular = "/etc/passwd"', "fonts.regular = '/etc/passwd' is refused"),
        ('[fonts]\nbold = "../outside/font.ttf"', "fonts.bold = '../outside/font.ttf' is refused"),
        ('[fonts]\nmono = "font-link.ttf"', "fonts.mono = 'font-link.ttf' is refused: path leads"),
        ('[fonts]\nitalic = "C:\\\\fonts\\\\x.ttf"', "is refused: backslashes are not allowed"),
        ('[fonts]\nitalic = "missing.ttf"', "fonts.italic: file not found: missing.ttf"),
    ],
)
def test_course_toml_templates_and_fonts_are_checked(
    course: Path, tmp_path: Path, setting: str, message: str
) -> None:
    os.symlink(tmp_path / "outside", course / "tpl-link")
    os.symlink(tmp_path / "outside" / "font.ttf", course / "font-link.ttf")
    with_toml(course, setting)
    assert load_config(course, Diagnostics()) is not None
    diags = Diagnostics()
    load_course(course, diags)
    [found] = diags.sorted()
    assert found.path == "course.toml" and found.severity == "error"
    assert found.line == len(setting.split("\n")) + 8, found
    assert message in found.message, found.message


def test_course_file_helper_for_formats(course: Path, tmp_path: Path) -> None:
    shutil.copy(MINI / "media" / "photo.jpg", course / "font.ttf")
    os.symlink(tmp_path / "outside" / "font.ttf", course / "evil.ttf")
    with_toml(course, '[fonts]\nregular = "font.ttf"\nbold = "evil.ttf"')
    loaded = load_course(course, Diagnostics())
    assert loaded is not None
    assert course_file(loaded, "font.ttf", "fonts.regular") == (course / "font.ttf").resolve()
    with pytest.raises(CasekitError) as refused:
        course_file(loaded, "evil.ttf", "fonts.bold")
    assert str(refused.value) == (
        "course.toml:11:1: error: fonts.bold = 'evil.ttf' is refused: path leads outside the "
        "course folder through a symlink [path-escape]"
    )


def test_template_symlinked_out_is_refused(course: Path, tmp_path: Path) -> None:
    (course / "tpl" / "html").mkdir(parents=True)
    os.symlink(tmp_path / "outside" / "page.html.j2", course / "tpl" / "html" / "page.html.j2")
    with_toml(course, 'templates = "tpl"')
    [line] = refusals(course, tmp_path)
    assert line.startswith("course.toml:1:1: error: template tpl/html/page.html.j2 is refused")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{% include "../../outside/page.html.j2" %}', "path climbs out of the course folder"),
        ('{% include "../../../../../../etc/passwd" %}', "path climbs out"),
        ("{% include 'leak.j2' %}", "path leads outside the course folder through a symlink"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "template error: access to attribute"),
        ("{{ config.__class__.__init__.__globals__ }}", "template error: access to attribute"),
        ("{% for %}", "template error:"),
        ("{{ nothing.here }}", "template error: 'nothing' is undefined"),
    ],
)
def test_course_templates_are_contained_and_sandboxed(
    course: Path, tmp_path: Path, template: str, message: str
) -> None:
    (course / "tpl" / "html").mkdir(parents=True)
    (course / "tpl" / "html" / "page.html.j2").write_text(f"<p>\n{template}\n</p>", "utf-8")
    os.symlink(tmp_path / "outside" / "page.html.j2", course / "tpl" / "html" / "leak.j2")
    with_toml(course, 'templates = "tpl"')
    diags, pages = build_html(course, tmp_path / "out")
    assert pages == {}
    [found] = diags.sorted()
    assert found.severity == "error" and message in found.message, found
    if found.code == "template-error" and "{% for %}" not in template:
        assert (found.path, found.line) == ("tpl/html/page.html.j2", 2), found


def test_resolve_inside_never_touches_the_target(tmp_path: Path) -> None:
    """The refusals happen on the text of the path and the resolved location."""
    for ref, reason in [
        ("a\x00b", "NUL"),
        ("file:///etc/passwd", "file: URLs"),
        ("C:\\x", "backslashes"),
        ("\\\\server\\share", "backslashes"),
        ("C:/x", "absolute"),
        ("//server/share", "absolute"),
        ("../x", "climbs out"),
        ("a/../../x", "climbs out"),
        ("n" * 256, "longer than 255 bytes"),
        ("/".join(["d" * 100] * 11), "longer than 1024 bytes"),
    ]:
        with pytest.raises(PathEscape, match=reason):
            resolve_inside(tmp_path, ref)
    assert resolve_inside(tmp_path, "a/./b/../c.md")[1] == "a/c.md"


@pytest.mark.parametrize(
    ("css", "line"),
    [
        ("p { color: red }\nbody { background: url(http://evil.example/t.png) }", 2),
        ('@import "https://evil.example/a.css";', 1),
        ("p {}\n\na { b: url( '//evil.example/x' ) }", 3),
        ('p { b: image-set("http://evil.example/x.png" 1x) }', 1),
        ("p { b: u\\72l(http://evil.example/x) }", 1),
    ],
)
def test_course_stylesheet_may_not_fetch_from_outside(
    course: Path, tmp_path: Path, css: str, line: int
) -> None:
    (course / "tpl" / "html").mkdir(parents=True)
    (course / "tpl" / "html" / "style.css").write_text(css, "utf-8")
    with_toml(course, 'templates = "tpl"')
    diags, pages = build_html(course, tmp_path / "out")
    assert pages == {}
    [found] = diags.sorted()
    assert (found.path, found.line, found.code) == ("tpl/html/style.css", line, "template-remote")


def test_course_stylesheet_with_local_references_is_used(course: Path, tmp_path: Path) -> None:
    (course / "tpl" / "html").mkdir(parents=True)
    css = 'p { color: #123456 }\n@font-face { src: url("fonts/x.ttf") }\na::before { content: "•" }'
    (course / "tpl" / "html" / "style.css").write_text(css, "utf-8")
    with_toml(course, 'templates = "tpl"')
    diags, pages = build_html(course, tmp_path / "out")
    assert not diags.has_errors() and "#123456" in pages["learner"]


def test_course_cannot_replace_viewer_scripts(course: Path) -> None:
    from casekit.render.templates import builtin_templates, template_path

    (course / "tpl" / "viewer").mkdir(parents=True)
    (course / "tpl" / "viewer" / "viewer.js").write_text("alert(1)", "utf-8")
    with_toml(course, 'templates = "tpl"')
    loaded = load_course(course, Diagnostics())
    assert loaded is not None
    assert template_path(loaded, "viewer/viewer.js") == builtin_templates() / "viewer" / "viewer.js"
