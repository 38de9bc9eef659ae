"""The command line as a user meets it: help, new, check, build, errors, atomic output."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from casekit import __version__
from tests.conftest import casekit


def test_version() -> None:
    result = casekit("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"casekit, version {__version__}"


@pytest.mark.slow
@pytest.mark.parametrize("command", [[], ["check"], ["build"], ["new"]])
def test_help_with_examples(command: list[str]) -> None:
    result = casekit(*command, "--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout
    assert "casekit " in result.stdout.split("Examples:")[1]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_new_course_checks_clean_and_builds(tmp_path: Path, lang: str) -> None:
    course = tmp_path / f"course-{lang}"
    created = casekit("new", str(course), "--lang", lang)
    assert created.returncode == 0, created.stderr
    checked = casekit("check", "--strict", str(course))
    assert checked.returncode == 0, checked.stderr
    built = casekit("build", str(course), "-f", "html", "-o", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
    page = (
        tmp_path / "out" / f"course-{lang}" / "html" / f"course-{lang}-learner.html"
    ).read_text()
    assert f'<html lang="{lang}"' in page


@pytest.mark.slow
def test_new_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    result = casekit("new", str(tmp_path / "x"))
    assert result.returncode == 1
    assert "folder exists and is not empty" in result.stderr
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


@pytest.mark.slow
def test_failed_build_keeps_previous_output(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = casekit("build", str(mini_course), "-f", "html", "-o", str(out))
    assert first.returncode == 0, first.stderr
    page = out / "mini-kk" / "html" / "mini-kk-learner.html"
    before = page.read_bytes()
    lesson = mini_course / "lessons" / "02-files.md"
    lesson.write_text(lesson.read_text("utf-8") + "\n[broken](nowhere.md)\n", "utf-8")
    second = casekit("build", str(mini_course), "-f", "html", "-o", str(out))
    assert second.returncode == 1
    assert "lessons/02-files.md:" in second.stderr and "[link-broken]" in second.stderr
    assert "build of mini-kk stopped" in second.stderr
    assert "Traceback" not in second.stderr
    assert page.read_bytes() == before
    assert sorted(p.name for p in page.parent.iterdir()) == [
        "mini-kk-learner.html",
        "mini-kk-teacher.html",
    ]


@pytest.mark.slow
def test_build_is_deterministic(mini_course: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert (
            casekit("build", str(mini_course), "-f", "html", "-o", str(tmp_path / name)).returncode
            == 0
        )
    for edition in ("learner", "teacher"):
        rel = Path("mini-kk") / "html" / f"mini-kk-{edition}.html"
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


@pytest.mark.slow
def test_user_error_is_one_line_and_debug_shows_traceback(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("x")
    plain = casekit("new", str(tmp_path / "x"))
    assert len(plain.stderr.strip().splitlines()) == 1
    debug = casekit("--debug", "new", str(tmp_path / "x"))
    assert "Traceback" in debug.stderr


def test_unknown_format_is_a_usage_error(mini_course: Path) -> None:
    result = casekit("build", str(mini_course), "-f", "rtf")
    assert result.returncode == 2
    assert "Invalid value for '-f' / '--format'" in result.stderr


@pytest.mark.slow
def test_quiet_and_verbose(mini_course: Path, tmp_path: Path) -> None:
    quiet = casekit("build", str(mini_course), "-f", "html", "-q", "-o", str(tmp_path / "q"))
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = casekit("build", str(mini_course), "-f", "html", "-v", "-o", str(tmp_path / "v"))
    assert "casekit: building html (learner)" in verbose.stderr
    assert verbose.stdout.splitlines()[0].split() == [
        "course",
        "format",
        "edition",
        "pages",
        "size",
        "time",
        "status",
    ]
    assert verbose.stdout.splitlines()[3].split()[:3] == ["mini-kk", "html", "teacher"]


@pytest.mark.slow
def test_verbose_says_why_pdf_pieces_are_laid_out(mini_course: Path, tmp_path: Path) -> None:
    """``-v`` names each PDF piece not taken from the build cache and why
    (``CacheStats.pdf_missed``), also from a job built in a worker process."""
    out = tmp_path / "out"
    command = ["build", str(mini_course), "-f", "pdf", "-f", "html", "-e", "learner"]
    done = casekit(*command, "-j", "2", "-v", "-o", str(out))  # each job in a worker
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if " laid out pdf:" in line]
    assert (
        "casekit: laid out pdf:learner front from page 1: not in the build cache "
        "(new content, or no earlier build of it)" in lines
    )
    assert all(
        re.fullmatch(
            r"casekit: laid out pdf:learner [\w-]+ from page \d+: "
            r"(not in the build cache .*|the page numbers it printed moved)",
            line,
        )
        for line in lines
    ), lines


@pytest.mark.slow
def test_commands_of_other_packages_load_when_asked() -> None:
    """``casekit serve``/``build``/``check`` start without importing the learner register,
    trust, scanning or bundle copying (start-up time, benchmarks/serve_benchmark.py);
    their commands are still listed and run."""
    probe = (
        "import sys, casekit.cli.main as m; "
        "print(sorted(n for n in sys.modules if n.startswith(m.LAZY_COMMANDS + "
        "('casekit.learners', 'casekit.trust', 'casekit.scan'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    listed = casekit("--help").stdout
    for command in ("serve", "keys", "learners", "scan", "copy", "verify"):
        assert f"  {command} " in listed, command
    assert casekit("keys", "--help").returncode == 0
