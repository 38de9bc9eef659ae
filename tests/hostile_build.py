"""Building a hostile course in-process and reading what came out."""

from __future__ import annotations

from pathlib import Path

from casekit.build import build_course
from casekit.diagnostics import CasekitError, Diagnostics
from casekit.lock import release_build_lock


def build_html(course: Path, out: Path) -> tuple[Diagnostics, dict[str, str]]:
    """Check and build the html format of ``course`` into ``out``.

    Returns the diagnostics (a ``CasekitError`` becomes one of them) and the
    pages written, by edition. Any other exception propagates: that is a bug."""
    try:
        result = build_course(course, ["html"], ("learner", "teacher"), out)
    except CasekitError as exc:
        diags = Diagnostics()
        diags.items.append(exc.diagnostic)
        return diags, {}
    finally:
        for folder in out.glob("*"):
            release_build_lock(folder)
    for item in result.diagnostics.items:
        assert "\n" not in str(item) and len(str(item)) < 600, item
    pages = {
        record.edition: path.read_text("utf-8")
        for record in result.outputs
        for path in record.paths
    }
    return result.diagnostics, pages


def codes(diags: Diagnostics) -> set[str]:
    return {d.code for d in diags.items}
