"""FIFOs and devices in a course folder are never opened: `build` does not hang or fill
the memory, `check` names each one, and a lesson or media file that is one is an error
(issue 19)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MINI, casekit


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    done = casekit(*args, timeout=120)  # a read of a FIFO would block for ever
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


def make_device(path: Path) -> bool:
    try:
        os.mknod(path, 0o600 | 0o020000, os.makedev(1, 5))  # like /dev/zero
    except (PermissionError, OSError):
        return False
    return True


@pytest.mark.slow
def test_an_unused_fifo_or_device_is_named_by_check_and_never_read(
    course: Path, tmp_path: Path
) -> None:
    os.mkfifo(course / "media" / "pipe")
    device = make_device(course / "zero")
    done = run("check", course)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "media/pipe:1:1: warning: a FIFO (named pipe), not a file" in out
    assert not device or "zero:1:1: warning: a device, not a file" in out
    done = run("build", course, "--format", "html", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr


def test_a_lesson_or_media_file_that_is_a_fifo_is_an_error(course: Path) -> None:
    lesson = course / "lessons" / "03-safety.md"
    lesson.unlink()
    os.mkfifo(lesson)
    (course / "media" / "photo.jpg").unlink()
    os.mkfifo(course / "media" / "photo.jpg")
    done = run("check", course)
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert "lessons/03-safety.md is a FIFO (named pipe), not a file" in out
    assert "media/photo.jpg is a FIFO (named pipe), not a file" in out
