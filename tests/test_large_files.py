"""Files over 4 GiB: ``casekit check`` names each one with the limits it breaks (FAT32
sticks, zips without ZIP64) before anything is built. Sparse files: no disk is used,
and check never reads a video through."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from casekit.files.limits import FAT32_MAX_FILE
from tests.conftest import casekit


def grow_sparse(path: Path, size: int) -> None:
    """``truncate``: the file keeps its header and ends in a hole of zeros."""
    os.truncate(path, size)
    if path.stat().st_blocks * 512 > 16 * 1024 * 1024:
        pytest.skip("this file system does not keep sparse files")


@pytest.mark.slow
def test_check_names_every_file_over_4_gib(mini_course: Path) -> None:
    media = mini_course / "media"
    shutil.copy(media / "intro.mp4", media / "huge.mp4")
    shutil.copy(media / "intro.mp4", media / "edge.mp4")
    grow_sparse(media / "intro.mp4", FAT32_MAX_FILE + 1)
    grow_sparse(media / "huge.mp4", 6 * 1024**3)
    grow_sparse(media / "edge.mp4", FAT32_MAX_FILE)  # the largest FAT32 holds: fine
    lesson = mini_course / "lessons" / "03-safety.md"
    lesson.write_text(
        lesson.read_text("utf-8") + "\n![Үлкен](../media/huge.mp4)\n\n![Шек](../media/edge.mp4)\n",
        "utf-8",
    )
    result = casekit("check", mini_course, timeout=120)
    assert result.returncode == 0, result.stderr  # a warning: the bundle refuses, others build
    lines = [line for line in result.stderr.splitlines() if "[file-too-large]" in line]
    assert len(lines) == 2, result.stderr  # intro.mp4 is used twice: still one line
    intro, huge = sorted(lines, key=lambda line: "huge" in line)
    assert "lessons/01-computer.md:42:1: warning: media/intro.mp4 is 4294967296 bytes" in intro
    assert (
        "lessons/03-safety.md:" in huge and "media/huge.mp4 is 6442450944 bytes (6.0 GiB)" in huge
    )
    for line in lines:
        assert "FAT32" in line and "ZIP64" in line and str(FAT32_MAX_FILE) in line
    assert "edge.mp4" not in result.stderr
    assert "--strict" not in result.stderr
    strict = casekit("check", "--strict", mini_course, timeout=120)
    assert strict.returncode == 1
