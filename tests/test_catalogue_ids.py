"""Two courses of a catalogue with one id would overwrite each other's outputs: the
build refuses before writing anything (issue 19)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import MINI, casekit


def test_two_courses_with_one_id_are_refused(tmp_path: Path) -> None:
    catalogue = tmp_path / "courses"
    shutil.copytree(MINI, catalogue / "a-course")
    shutil.copytree(MINI, catalogue / "b-copy")
    out = tmp_path / "out"
    done = casekit("build", catalogue, "-f", "html", "--out", out)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("b-copy/course.toml:1:1: error: course id 'mini-kk' is also")
    assert not out.exists()
