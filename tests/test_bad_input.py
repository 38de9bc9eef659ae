"""Bad input that used to crash casekit (found by fuzzing and by hand): each
is now one diagnostic line with its file and position, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from casekit.build.lock import hold_build_lock, release_build_lock
from casekit.safety.svg import SvgError, sanitize_svg
from tests.conftest import MINIMAL_TOML, casekit
from tests.hostile_build import build_html

MakeCourse = Callable[..., Path]
TOML = MINIMAL_TOML.format(lessons='"a.md"')


@pytest.mark.parametrize(
    ("lesson", "toml", "expected"),
    [
        pytest.param(
            "---\ntitle: " + "[" * 2000 + "\n---\n# x\n",
            TOML,
            "a.md:1:1: error: front matter is nested too deeply [front-matter]",
            id="yaml-nested-2000",
            marks=pytest.mark.slow,  # 1.3 s: the other crashers keep the fast loop's share
        ),
        pytest.param(
            "---\nhours: " + "9" * 400 + "\n---\n# x\n",
            TOML,
            "a.md:2:1: error: 'hours' must be a number from 0 to 10000 [front-matter]",
            id="yaml-huge-int",
        ),
        pytest.param(
            "---\nhours: .nan\n---\n# x\n",
            TOML,
            "a.md:2:1: error: 'hours' must be a number from 0 to 10000 [front-matter]",
            id="yaml-nan",
        ),
        pytest.param(
            "# x\n",
            TOML + "x = " + "[" * 5000 + "]" * 5000 + "\n",
            "course.toml:1:1: error: invalid TOML: values nested too deeply [config-syntax]",
            id="toml-nested-5000",
        ),
        pytest.param(
            "# x\n",
            TOML.replace('licence = "CC0"', 'licence = "CC0"\ncredits = inf'),
            "course.toml:9:1: error: field 'credits' must be between 0 and 1000 (credits) "
            "[config-value]",
            id="toml-credits-inf",
        ),
        pytest.param(
            "# x\n\nМәтін[^1].\n\n[^1]: Бір\n\n    - [^1]: Екі\n",
            TOML,
            "a.md:1:1: error: the lesson's Markdown cannot be read: a footnote definition "
            "([^n]: ...) is nested inside another one; write footnote definitions unindented "
            "[markdown-invalid]",
            id="nested-footnote-definition-found-by-fuzzing",
        ),
        pytest.param(
            "# x\n",
            TOML.replace('lessons = ["a.md"]', 'lessons = ["."]'),
            "course.toml:10:1: error: lesson file not found: '.' [lesson-missing]",
            id="lesson-is-the-course-folder",
        ),
        pytest.param(
            "# x\n\n[a](" + "a" * 300 + ".md)\n",
            TOML,
            "a.md:3:3: error: link 'aaaa….md' is refused: a file or folder name is longer "
            "than 255 bytes [path-escape]",
            id="name-too-long",
        ),
    ],
)
def test_crashers_are_one_line_diagnostics(
    make_course: MakeCourse, tmp_path: Path, lesson: str, toml: str, expected: str
) -> None:
    course = make_course({"a.md": lesson}, toml=toml)
    diags, pages = build_html(course, tmp_path / "out")
    assert pages == {}
    [error] = [str(d) for d in diags.sorted() if d.severity == "error"]
    head, _, tail = expected.partition("…")  # long values are shortened in the middle
    assert error.startswith(head) and error.endswith(tail) and len(error) < 400, error


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0" encoding="bogus"?><svg/>', "not well-formed XML"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg">'
            + b"<g>" * 50_000
            + b"</g>" * 50_000
            + b"</svg>",
            "nested deeper than 200 levels",
        ),
    ],
)
def test_svg_crashers_are_svg_errors(data: bytes, message: str) -> None:
    with pytest.raises(SvgError, match=message):
        sanitize_svg(data)


@pytest.mark.slow
def test_debug_shows_the_traceback_and_plain_mode_one_line(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    course = make_course({"a.md": "# x\n"})
    folder = tmp_path / "out" / "t"
    build = ["build", str(course), "-f", "html", "-o", str(tmp_path / "out")]
    hold_build_lock(folder)
    try:
        plain = casekit(*build)
        debug = casekit("--debug", *build)
    finally:
        release_build_lock(folder)
    assert plain.returncode == 1
    assert plain.stderr.count("\n") == 1 and "[build-locked]" in plain.stderr
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert "CasekitError" in debug.stderr


@pytest.mark.slow
def test_unwritable_output_folder_is_one_line(make_course: MakeCourse, tmp_path: Path) -> None:
    course = make_course({"a.md": "# x\n"})
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output folder should be")
    result = casekit("build", str(course), "-f", "html", "-o", str(blocker / "out"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"{blocker / 'out' / 't'}:1:1: error: cannot write the output: Not a directory "
        "[write-failed]"
    )
    assert blocker.read_text() == "a file where the output folder should be"
