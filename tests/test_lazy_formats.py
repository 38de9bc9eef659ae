"""Format registration is declarative: every command reads every format's name and
options (for its flags), but a build with nothing to do imports no renderer, nor the
libraries renderers use, and reads no entry point when it names casekit's own formats
only (start-up time: the no-change rows of benchmarks/build_benchmark.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from casekit.formats import formats
from tests.conftest import MINI, build

#: what only rendering (or loading a course) needs
HEAVY = (
    "jinja2",
    "lxml",
    "PIL",
    "reportlab",
    "docx",
    "ebooklib",
    "fontTools",
    "markdown_it",
    "qrcode",
    "casekit.parse",
    "casekit.resolve.resolver",
    "casekit.render.page",
)

#: runs the command line in this process, then lists the modules it imported
PROBE = """
import json, sys
sys.argv = ["casekit", *sys.argv[1:]]
try:
    from casekit.cli.main import main
    main()
finally:
    with open(OUT, "w") as handle:
        json.dump(sorted(sys.modules), handle)
"""


def modules_of_build(args: list[str], listing: Path) -> list[str]:
    probe = PROBE.replace("OUT", repr(str(listing)))
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout, done.stdout
    found: list[str] = json.loads(listing.read_text())
    return found


def renderer_modules() -> set[str]:
    """The modules the registry names as ``"module:function"``: imported only when called."""
    return {
        reference.partition(":")[0]
        for fmt in formats().values()
        for reference in (fmt.render, fmt.consumes, fmt.damaged, fmt.restored, fmt.caveats)
        if isinstance(reference, str)
    }


def test_a_build_with_nothing_to_do_imports_no_renderer(tmp_path: Path) -> None:
    renderers = renderer_modules()
    # every format of casekit's own but the light html one names its renderer
    assert {"casekit.formats.brf.render", "casekit.bundle.usb", "casekit.formats.cc.render"} <= (
        renderers
    )
    out = tmp_path / "out"
    build(MINI, ["html", "brf"], out)
    loaded = modules_of_build(
        ["build", str(MINI), "-f", "html", "-f", "brf", "--out", str(out)], tmp_path / "mods.json"
    )
    assert "casekit.formats.brf" in loaded  # the declarations are read (the flags)
    assert "casekit.formats.usb" in loaded
    assert "importlib.metadata" not in loaded  # no plugin asked for: no entry point read
    imported = sorted(
        name
        for name in loaded
        if name in renderers or any(name == h or name.startswith(h + ".") for h in HEAVY)
    )
    assert imported == []
