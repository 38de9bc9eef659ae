"""Every diagnostic of ``casekit check``, each triggered by a small bad course."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from tests.conftest import MINI, MINIMAL_TOML, casekit

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def run_check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``casekit check .`` run inside the course, so paths print relative to it."""
    return casekit("check", ".", *args, cwd=root)


def diagnostics(root: Path) -> list[str]:
    diags = Diagnostics()
    load_course(root, diags)
    return [f"{d.severity}:{d.code}:{d.path}:{d.line}" for d in diags.sorted()]


def codes(root: Path) -> set[str]:
    return {entry.split(":")[1] for entry in diagnostics(root)}


@pytest.mark.slow
def test_mini_course_is_clean(mini_course: Path) -> None:
    result = run_check(mini_course, "--strict")
    assert result.returncode == 0, result.stderr
    assert "0 error(s), 0 warning(s)" in result.stderr


@pytest.mark.slow
def test_missing_course_toml(tmp_path: Path) -> None:
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert "course.toml:1:1: error: no course.toml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("edit", "code", "field"),
    [
        (lambda s: s.replace('title = "Test"\n', ""), "config-missing-field", "'title'"),
        (lambda s: 'colour = "red"\n' + s, "config-unknown-field", "'colour'"),
        (lambda s: s.replace('version = "1"', "version = 1"), "config-type", "'version'"),
        (
            lambda s: s.replace('language = "en"', 'language = "en_US!"'),
            "config-value",
            "'language'",
        ),
        (lambda s: s.replace("date = 2026-01-01", 'date = "soon"'), "config-value", "'date'"),
        (lambda s: s.replace('id = "t"', 'id = "Bad Id"'), "config-value", "'id'"),
        (lambda s: s + "[print]\npaper = 'B5'\n", "config-value", "'print.paper'"),
        (lambda s: s + "[print]\ncolour = true\n", "config-unknown-field", "'print.colour'"),
        (lambda s: s.replace("authors = [", "authors = [1, "), "config-type", "'authors'"),
        (lambda s: "credits = -1\n" + s, "config-value", "'credits'"),
        (lambda s: s.replace('id = "t"', 'id = "t'), "config-syntax", "invalid TOML"),
    ],
)
@pytest.mark.slow
def test_course_toml_errors_name_the_field(make_course, edit, code: str, field: str) -> None:
    root = make_course({"a.md": "# A\n\nText.\n"})
    toml = root / "course.toml"
    toml.write_text(edit(toml.read_text("utf-8")), "utf-8")
    result = run_check(root)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if f"[{code}]" in line]
    assert lines, result.stderr
    assert field in lines[0]
    assert lines[0].startswith("course.toml:")


def test_unknown_field_points_at_its_line(make_course) -> None:
    root = make_course({"a.md": "# A\n"})
    toml = root / "course.toml"
    toml.write_text(
        toml.read_text("utf-8").replace('licence = "CC0"', 'licence = "CC0"\nlicense = "x"')
    )
    assert "error:config-unknown-field:course.toml:9" in diagnostics(root)


def test_lesson_missing(make_course) -> None:
    root = make_course({"a.md": "# A\n"})
    (root / "a.md").unlink()
    assert "error:lesson-missing:course.toml:10" in diagnostics(root)


@pytest.mark.slow
def test_invalid_utf8_names_line_and_byte_offset(make_course) -> None:
    root = make_course({"a.md": "# A\n"})
    (root / "a.md").write_bytes(b"# A\n\n" + "Қазақ ".encode() + b"\xff ok\n")
    result = run_check(root)
    assert result.returncode == 1
    line = next(x for x in result.stderr.splitlines() if "utf8-invalid" in x)
    assert line.startswith("a.md:3:7: error: invalid UTF-8 at byte offset 16")


def test_media_missing_and_alt_text(make_course) -> None:
    root = make_course(
        {"a.md": "# A\n\n![](pic.png)\n\n![A chart](none.png)\n"}, files={"pic.png": PNG}
    )
    found = diagnostics(root)
    assert "error:image-no-alt:a.md:3" in found
    assert "error:media-missing:a.md:5" in found


def test_corrupt_image_and_wrong_content(make_course) -> None:
    root = make_course(
        {"a.md": "# A\n\n![x](bad.png)\n\n![y](fake.png)\n"},
        files={"bad.png": PNG[:40], "fake.png": b"GIF89a not a png"},
    )
    found = diagnostics(root)
    assert "error:media-invalid:a.md:3" in found
    assert "error:media-invalid:a.md:5" in found


@pytest.mark.parametrize(
    "ref",
    ["../../etc/passwd.png", "/etc/passwd.png", "C:\\\\x.png", "sub/../../x.png", "%2e%2e/x.png"],
)
def test_paths_escaping_the_course_are_errors(make_course, ref: str) -> None:
    root = make_course({"a.md": f"# A\n\n![x]({ref})\n\n[link]({ref})\n"})
    found = diagnostics(root)
    assert any(
        e.startswith(("error:path-escape:a.md:3", "error:media-scheme:a.md:3")) for e in found
    ), found


def test_symlink_out_of_the_course_is_refused_and_never_opened(make_course, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    root = make_course({"a.md": "# A\n\n![x](media/link.png)\n"})
    (root / "media").mkdir()
    os.symlink(secret, root / "media" / "link.png")
    secret.chmod(0o000)  # opening it would fail differently: the refusal comes first
    try:
        assert "error:path-escape:a.md:3" in diagnostics(root)
    finally:
        secret.chmod(0o644)


def test_lesson_path_escaping_in_course_toml(make_course) -> None:
    root = make_course({"a.md": "# A\n"})
    toml = root / "course.toml"
    toml.write_text(toml.read_text("utf-8").replace('"a.md"', '"../a.md"'), "utf-8")
    assert any(e.startswith("error:path-escape:course.toml") for e in diagnostics(root))


@pytest.mark.slow
def test_external_links_warn_and_fail_under_strict(make_course) -> None:
    root = make_course(
        {"a.md": "# A\n\nSee [site](https://example.org) and ![p](https://example.org/p.png).\n"}
    )
    found = diagnostics(root)
    assert "warning:external-link:a.md:3" in found
    assert "warning:remote-media:a.md:3" in found
    assert run_check(root).returncode == 0
    strict = run_check(root, "--strict")
    assert strict.returncode == 1
    assert "error: external link" in strict.stderr


def test_unsafe_link_schemes_never_become_links(make_course) -> None:
    from casekit import tree as t

    root = make_course(
        {"a.md": "# A\n\n[x](javascript:alert(1)) ![y](file:///etc/x.png) [z](data:text/html,hi)\n"}
    )
    course = load_course(root, Diagnostics())
    nodes = list(t.iter_inlines(course.lessons()[0].blocks[0].children))
    assert not [n for n in nodes if isinstance(n, (t.Link, t.InlineImage))]
    assert course.media == []


def test_other_link_schemes_are_errors(make_course) -> None:
    root = make_course({"a.md": "# A\n\n[x](ftp://example.org/x)\n"})
    assert "error:link-scheme:a.md:3" in diagnostics(root)


def test_a_link_no_output_would_keep_is_an_error(make_course) -> None:
    """One list of safe schemes: a link the check lets through is one every format keeps."""
    root = make_course({"a.md": "# A\n\n[x](http:example.org) [y](https://example.org)\n"})
    found = diagnostics(root)
    assert "error:link-scheme:a.md:3" in found
    assert "warning:external-link:a.md:3" in found


def test_media_names_say_one_kind_everywhere(make_course) -> None:
    """One media-kind table: an .m4v used with image syntax is the video it is."""
    from casekit import tree as t

    video = (MINI / "media" / "intro.mp4").read_bytes()
    root = make_course(
        {"a.md": "# A\n\n![Clip](media/clip.m4v)\n"}, files={"media/clip.m4v": video}
    )
    diags = Diagnostics()
    course = load_course(root, diags)
    assert course is not None and not diags.has_errors(), diags.sorted()
    assert [(m.kind, m.format) for m in course.media] == [("video", "mp4")]
    assert [type(b) for b in course.lessons()[0].blocks] == [t.MediaBlock]


def test_broken_lesson_links_and_anchors(make_course) -> None:
    root = make_course(
        {
            "a.md": "# A\n\n[b](b.md#nope) [c](c.md) [self](#missing) [ok](b.md#here)\n",
            "b.md": "# B\n\n## Here {#here}\n",
        }
    )
    found = diagnostics(root)
    assert "error:anchor-broken:a.md:3" in found
    assert "error:link-broken:a.md:3" in found
    assert sum(e.startswith("error:anchor-broken") for e in found) == 2


def test_quiz_without_correct_answer(make_course) -> None:
    root = make_course(
        {
            "a.md": """\
            # A

            ::: quiz
            1. Choose
               - [ ] one
               - [ ] two
            2. Write something
            :::
            """
        }
    )
    found = diagnostics(root)
    assert "error:quiz-no-answer:a.md:4" in found
    assert "error:quiz-no-answer:a.md:7" in found


def test_duplicate_ids(make_course) -> None:
    root = make_course({"a.md": "# A\n\n## One {#x}\n\n## Two {#x}\n", "sub/a.md": "# A again\n"})
    found = diagnostics(root)
    assert "error:duplicate-id:a.md:5" in found
    assert any(e.startswith("error:duplicate-id:course.toml") for e in found)


def test_unknown_div_is_kept_with_warning(make_course) -> None:
    root = make_course({"a.md": "# A\n\n::: sidebar\nKept text.\n:::\n"})
    assert "warning:unknown-div:a.md:3" in diagnostics(root)
    course = load_course(root, Diagnostics())
    div = course.lessons()[0].blocks[0]
    assert type(div).__name__ == "Div" and div.classes == ["sidebar"]


def test_credits_versus_hours(make_course) -> None:
    lessons = {"a.md": "---\ntitle: A\nhours: 10\n---\nText\n"}
    root = make_course(lessons)
    toml = root / "course.toml"
    toml.write_text("credits = 1\n" + toml.read_text("utf-8"), "utf-8")
    assert "warning:credits-mismatch:course.toml:1" in diagnostics(root)
    (root / "a.md").write_text("---\ntitle: A\nhours: 29\n---\nText\n", "utf-8")
    assert not any("credits-mismatch" in e for e in diagnostics(root))


def test_raw_html_is_a_warning(make_course) -> None:
    root = make_course({"a.md": "# A\n\n<script>alert(1)</script>\n\nInline <b>bold</b>.\n"})
    found = diagnostics(root)
    assert "warning:raw-html:a.md:3" in found
    assert "warning:raw-html:a.md:5" in found


def test_front_matter_errors(make_course) -> None:
    root = make_course(
        {"a.md": "---\ntitle: [unclosed\n---\nText\n", "b.md": "---\nhours: many\n---\n# B\n"}
    )
    found = codes(root)
    assert "front-matter" in found


def test_lesson_without_title(make_course) -> None:
    root = make_course({"a.md": "Just text.\n"})
    assert "error:lesson-title:a.md:1" in diagnostics(root)


def test_invalid_vtt(make_course, mini_course: Path) -> None:
    (mini_course / "media" / "intro.vtt").write_text(
        "WEBVTT\n\n00:01.000 --> 00:00.500\nBackwards\n", "utf-8"
    )
    assert "error:vtt-invalid:media/intro.vtt:3" in diagnostics(mini_course)


@pytest.mark.slow
def test_json_output_and_sorting(make_course) -> None:
    root = make_course({"a.md": "# A\n\n![](x.png)\n\n::: odd\n:::\n"})
    result = run_check(root, "--format", "json")
    data = json.loads(result.stdout)
    assert [d["code"] for d in data] == ["image-no-alt", "media-missing", "unknown-div"]
    assert data[0] == {
        "path": "a.md",
        "line": 3,
        "column": 1,
        "severity": "error",
        "code": "image-no-alt",
        "message": data[0]["message"],
    }
    assert result.returncode == 1


@pytest.mark.slow
def test_text_output_format(make_course) -> None:
    root = make_course({"a.md": "# A\n\n::: odd\n:::\n"})
    result = run_check(root)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == (
        "a.md:3:1: warning: unknown div class .odd: shown as a plain box without a label [unknown-div]"
    )
    assert result.stderr.splitlines()[-1] == "0 error(s), 1 warning(s)"


def test_minimal_toml_template_is_valid(make_course) -> None:
    root = make_course({"a.md": "# A\n"}, toml=MINIMAL_TOML.format(lessons='"a.md"'))
    assert diagnostics(root) == []


@pytest.mark.slow
def test_several_courses_print_paths_from_the_working_folder(make_course, tmp_path: Path) -> None:
    root = make_course({"a.md": "# A\n\n::: odd\n:::\n"})
    result = casekit("check", "course", "course", cwd=tmp_path, timeout=120)
    assert result.stderr.splitlines()[0].startswith("course/a.md:3:1: warning:")
    assert root.name == "course"
