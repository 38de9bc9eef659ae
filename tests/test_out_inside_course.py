"""An output folder inside the course folder (``cd course && casekit build .`` puts
``build/`` there) holds outputs, never sources: builds reach "up to date", an out folder
left by an earlier build with another ``--out`` changes nothing, and a course cannot
name a file inside one."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build, casekit, snapshot


def test_out_inside_the_course_is_up_to_date(mini_course: Path) -> None:
    out = mini_course / "build"
    build(mini_course, ["html"], out)
    before = snapshot(out)
    second = build(mini_course, ["html"], out)
    assert second.cache.stats.skipped_outputs == ["html:learner", "html:teacher"]
    assert all(record.cached for record in second.outputs)
    assert snapshot(out) == before


def test_out_of_an_earlier_build_is_not_a_source(mini_course: Path, tmp_path: Path) -> None:
    """Built once into the course folder, then elsewhere: the old out folder, and what
    is later written into it, never makes the other build stale."""
    build(mini_course, ["html"], mini_course / "old-out")
    out = tmp_path / "out"
    build(mini_course, ["html"], out)
    page = mini_course / "old-out" / "mini-kk" / "html" / "mini-kk-learner.html"
    page.write_text("changed by hand", "utf-8")
    (page.parent / "extra.txt").write_text("new file", "utf-8")
    again = build(mini_course, ["html"], out)
    assert all(record.cached for record in again.outputs)


def test_a_course_cannot_name_a_file_in_a_build_folder(mini_course: Path) -> None:
    build(mini_course, ["html"], mini_course / "build")
    lesson = mini_course / "lessons" / "01-computer.md"
    lesson.write_text(
        lesson.read_text("utf-8") + "\n![Өткен](../build/mini-kk/html/mini-kk-learner.html)\n",
        "utf-8",
    )
    result = casekit("check", mini_course)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if "path-escape" in line]
    assert len(lines) == 1, result.stderr
    assert "lessons/01-computer.md:" in lines[0]
    assert "is in build/mini-kk/, a casekit build folder" in lines[0]


def test_out_holding_the_course_itself_is_refused(mini_course: Path, tmp_path: Path) -> None:
    """``-o ..`` where the course's id is its folder's name would write pdf/, epub/ ...
    into the course folder itself."""
    course = tmp_path / "mini-kk"
    mini_course.rename(course)
    result = casekit("build", course, "-f", "html", "-o", tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "[out-contains-course]" in result.stderr.strip().splitlines()[-1]
    assert sorted(p.name for p in course.iterdir()) == ["course.toml", "lessons", "media"]
