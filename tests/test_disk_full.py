"""A disk that fills up during a build (here: a file-size limit, which fails writes the
same way) is one `write-failed` line, not an internal error, and the previous outputs
stay (issue 19)."""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MINI


def limited(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
def test_a_full_disk_during_the_usb_build_is_write_failed(tmp_path: Path) -> None:
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    command = [sys.executable, "-m", "casekit", "build", str(course), "-f", "usb"]
    done = subprocess.run(
        [*command, "--out", str(tmp_path / "out")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    bundle = next((tmp_path / "out").glob("*/usb/*-1.0.0"))
    before = sorted(p.relative_to(bundle) for p in bundle.rglob("*"))
    done = subprocess.run(
        [*command, "--out", str(tmp_path / "out"), "--force"],
        capture_output=True,
        text=True,
        preexec_fn=limited(300_000),
    )
    assert done.returncode == 1
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert "error: cannot write the output: File too large [write-failed]" in done.stderr
    assert sorted(p.relative_to(bundle) for p in bundle.rglob("*")) == before
