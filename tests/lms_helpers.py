"""What the LMS package tests share: building one format, and the npm tools in .tools/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT, casekit


def build_format(course: Path, name: str) -> Path:
    """Build format ``name`` of ``course`` into ``course/build``; its output folder."""
    done = casekit(
        "build", "-f", name, "-o", course / "build", course, env={"SOURCE_DATE_EPOCH": "1767225600"}
    )
    assert done.returncode == 0, done.stderr
    (folder,) = (course / "build").glob(f"*/{name}")
    return folder


def node_tool(path: str) -> Path:
    """``path`` under .tools/node_modules (scripts/install-system-deps.sh), or under
    $CASEKIT_NODE_TOOLS; in CI a missing tool fails the test, elsewhere it skips."""
    tools = Path(os.environ.get("CASEKIT_NODE_TOOLS", ROOT / ".tools"))
    found = tools / "node_modules" / path
    if shutil.which("node") is None or not found.exists():
        message = f"node or {path} is not installed (make system-deps installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found
