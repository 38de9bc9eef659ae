"""Shared helpers of the USB bundle tests: build a bundle once, run the CLI for real."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from casekit.build.pipeline import build_course

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"


def build_usb(course: Path, out: Path, **options: object) -> list[Path]:
    """Build the usb format of ``course`` into ``out``; the bundle (and zip) written."""
    result = build_course(course, ["usb"], ("learner",), out, options=dict(options))
    assert not result.stopped, result.diagnostics.sorted()
    return [path for record in result.outputs if record.format == "usb" for path in record.paths]


def fresh_bundle(tmp: Path, **options: object) -> Path:
    course = tmp / "mini"
    if not course.exists():
        shutil.copytree(MINI, course)
    return build_usb(course, tmp / "build", **options)[0]


def casekit(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casekit", *map(str, args)], capture_output=True, text=True
    )


def manifest(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text("utf-8"))
