"""Format registration is declarative: every command reads every format's name and
options (for its flags), but a build with nothing to do imports no renderer, nor the
libraries renderers use, and reads no entry point when it names casekit's own formats
only (start-up time: the no-change rows of benchmarks/build_benchmark.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

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


def modules_of(args: list[str], listing: Path) -> tuple[list[str], str]:
    """The modules ``casekit *args`` imports, and what it printed."""
    probe = PROBE.replace("OUT", repr(str(listing)))
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    found: list[str] = json.loads(listing.read_text())
    return found, done.stdout


def modules_of_build(args: list[str], listing: Path) -> list[str]:
    found, printed = modules_of(args, listing)
    assert "up to date" in printed, printed
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
    assert "casekit.render.liblouis" not in loaded  # grade 1: no contracted table to find
    imported = sorted(
        name
        for name in loaded
        if name in renderers or any(name == h or name.startswith(h + ".") for h in HEAVY)
    )
    assert imported == []


@pytest.mark.slow
def test_an_edit_away_from_the_charts_imports_nothing_that_draws_svg(tmp_path: Path) -> None:
    """The mini course's chart is in its second module; an edit of the first lays out
    the first module's PDF piece again and writes the DOCX again (its chart's picture
    from the build cache): neither svglib nor reportlab's graphics nor pdfium is
    imported, and no entry point is read (course.toml names casekit's formats only)."""
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    out = tmp_path / "out"
    build(course, ["pdf", "docx"], out, editions=("learner",))
    lesson = course / "lessons" / "01-computer.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nЖаңа сөйлем қосылды.\n", "utf-8")
    args = ["build", str(course), "-f", "pdf", "-f", "docx", "-e", "learner", "-j", "1"]
    args += ["-o", str(out)]
    loaded, printed = modules_of(args, tmp_path / "mods.json")
    assert "up to date" not in printed, printed
    assert "casekit.formats.pdf.images" in loaded  # the PDF was laid out again
    assert "casekit.formats.docx.images" in loaded  # and the DOCX written again
    (packet,) = out.glob("**/*learner*.pdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(packet).pages)
    assert "Жаңа сөйлем қосылды" in text
    drawing = ("svglib", "reportlab.graphics", "pypdfium2", "importlib.metadata")
    assert [m for m in loaded if any(m == d or m.startswith(d + ".") for d in drawing)] == []
