"""Shared test fixtures: example courses, small course factories, real tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from casekit.build.pipeline import BuildResult, build_course

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"
COURSES = sorted(p for p in (ROOT / "courses").glob("*") if (p / "course.toml").is_file())
IN_CI = os.environ.get("CI") == "true"


def casekit(
    *args: object, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The real ``casekit`` command (``python -m casekit``) in its own process: the one
    way tests run the command line."""
    return subprocess.run(
        [sys.executable, "-m", "casekit", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        timeout=timeout,
    )


def build(
    course: Path,
    format_names: list[str],
    out: Path,
    editions: tuple[str, ...] = ("learner", "teacher"),
    force: bool = False,
    jobs: int = 1,
    **options: object,
) -> BuildResult:
    """Build ``format_names`` of ``course`` into ``out`` in this process, as
    ``casekit build`` does: the one way tests build. A check error fails the test."""
    result = build_course(
        course,
        format_names,
        editions,
        out,
        options=options,
        force=force,
        jobs=jobs,  # type: ignore[arg-type]
    )
    assert not result.stopped, [str(d) for d in result.diagnostics.sorted()]
    return result


def built(result: BuildResult, format_name: str) -> dict[str, Path]:
    """The first file each edition of ``format_name`` wrote, by edition."""
    return {r.edition: r.paths[0] for r in result.outputs if r.format == format_name}


def require_tool(name: str) -> str:
    """The path of a command-line tool; in CI a missing tool fails the test, elsewhere it skips."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (make system-deps installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's), driven by playwright: one browser for the session
    (each page opens in a context of its own; ``_close_pages`` closes what a test left)."""
    chromium = require_tool("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def _close_pages(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close the browser contexts (pages) a test opened and left open, so that one test's
    pages neither outlive it nor slow the session's browser down."""
    if "browser" not in request.fixturenames:
        yield
        return
    shared = request.getfixturevalue("browser")
    before = set(shared.contexts)  # type: ignore[attr-defined]
    yield
    for context in shared.contexts:  # type: ignore[attr-defined]
        if context not in before:
            context.close()


@pytest.fixture
def mini_course(tmp_path: Path) -> Path:
    """A private copy of the small course that uses every element of the format."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


#: a course of one module, ``{lessons}`` its lesson list (``MINIMAL_TOML`` for a build)
COURSE_TOML = """\
id = "t"
title = "Test"
language = "en"
version = "1"
date = 2026-01-01
organisation = "Org"
authors = ["A"]
licence = "CC0"

[[modules]]
title = "M"
lessons = [{lessons}]
"""
MINIMAL_TOML = (
    COURSE_TOML
    + """
# the DOCX contents' page numbers cost a LibreOffice layout (seconds per edition):
# tests/test_docx.py asks for them (contents_pages=True); other tests skip them
[docx]
contents_pages = false
"""
)


@pytest.fixture
def make_course(tmp_path: Path) -> Callable[..., Path]:
    """Write a small course: ``make_course({"a.md": "..."}, toml=None, files={})``."""

    def make(
        lessons: dict[str, str],
        toml: str | None = None,
        files: dict[str, bytes | str] | None = None,
    ) -> Path:
        root = tmp_path / "course"
        root.mkdir(exist_ok=True)
        names = ", ".join(f'"{name}"' for name in lessons)
        (root / "course.toml").write_text(
            toml if toml is not None else MINIMAL_TOML.format(lessons=names), "utf-8"
        )
        for name, text in lessons.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), "utf-8")
        for name, data in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                path.write_text(data, "utf-8")
            else:
                path.write_bytes(data)
        return root

    return make


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """A PostgreSQL server the tests start themselves (Debian's ``postgresql``)."""
    from tests.postgres_server import postgres_bin, running_server

    bindir = postgres_bin()
    if bindir is None:
        message = "PostgreSQL is not installed (make system-deps installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with running_server(bindir) as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def register_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh learner register goes: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "register.sqlite")
    return request.getfixturevalue("postgres_server").new_database()


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder``: its mtime and bytes (a rebuild that writes nothing
    leaves both as they were)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
