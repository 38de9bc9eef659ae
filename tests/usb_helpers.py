"""Shared helpers of the USB bundle tests: build a bundle once, run the CLI for real."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import build

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"


def build_usb(course: Path, out: Path, **options: object) -> list[Path]:
    """Build the usb format of ``course`` into ``out``; the bundle (and zip) written."""
    result = build(course, ["usb"], out, ("learner",), **options)
    return [path for record in result.outputs if record.format == "usb" for path in record.paths]


def fresh_bundle(tmp: Path, **options: object) -> Path:
    course = tmp / "mini"
    if not course.exists():
        shutil.copytree(MINI, course)
    return build_usb(course, tmp / "build", **options)[0]


def manifest(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text("utf-8"))
