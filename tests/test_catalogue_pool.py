"""``casekit build CATALOGUE --jobs 2``: one pool of two worker processes serves the
whole run (not a pool per course), gives the serial build's bytes, and a course whose
build fails is reported with its file and line while the others are built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import MINI, casekit
from tests.distribution_helpers import format_plugin, outputs

pytestmark = pytest.mark.slow

#: a format that says which process rendered it, and fails for a course titled "broken"
WHO = """
import os

from casekit.diagnostics import error
from casekit.formats import Format, Output, output_name


def render(course, ctx):
    if course.config.id.startswith("broken"):
        raise error("lessons/01-computer.md", "this course cannot be rendered", "test-who", 7)
    return [Output(output_name(course, "txt"), f"{os.getpid()} {os.getppid()}".encode())]


FORMAT = Format("who", "names the process that rendered it", render)
"""


def _course(catalogue: Path, course_id: str) -> None:
    shutil.copytree(MINI, catalogue / course_id)
    toml = catalogue / course_id / "course.toml"
    toml.write_text(toml.read_text("utf-8").replace('id = "mini-kk"', f'id = "{course_id}"'))


def test_one_pool_for_the_catalogue(tmp_path: Path) -> None:
    courses = tmp_path / "courses"
    for course_id in ("a-kk", "b-kk", "broken-kk", "c-kk"):
        _course(courses, course_id)
    env = format_plugin(tmp_path / "plugins", "who", WHO)
    flags = ["-f", "html", "-f", "who", "-e", "learner"]  # html first: made for all four
    serial = casekit("build", courses, "-o", tmp_path / "serial", "-j", "1", *flags, env=env)
    pooled = casekit("build", courses, "-o", tmp_path / "pooled", "-j", "2", *flags, env=env)
    for done in (serial, pooled):
        assert done.returncode == 1
        # the failing course named with the file of that course and the line, once
        where = f"{courses / 'broken-kk' / 'lessons' / '01-computer.md'}:7:1: error:"
        assert done.stderr.count(where) == 1, done.stderr
        assert "this course cannot be rendered [test-who]" in done.stderr
    pooled_html = {k: v for k, v in outputs(tmp_path / "pooled").items() if "/html/" in k}
    serial_html = {k: v for k, v in outputs(tmp_path / "serial").items() if "/html/" in k}
    assert sorted(pooled_html) == [
        f"{c}/html/{c}-learner.html" for c in ("a-kk", "b-kk", "broken-kk", "c-kk")
    ]
    assert pooled_html == serial_html
    # every course after the broken one was built; by two processes, children of casekit
    who = [p.read_text().split() for p in sorted((tmp_path / "pooled").glob("*/who/*.txt"))]
    assert len(who) == 3
    assert len({pid for pid, _ in who}) <= 2 and len({parent for _, parent in who}) == 1
    assert (
        pooled.stdout.count(" built") == serial.stdout.count(" built") == 6
    )  # two rows of each course built
