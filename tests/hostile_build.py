"""Building a hostile course in-process and reading what came out."""

from __future__ import annotations

from pathlib import Path

from casekit.build.lock import release_build_lock
from casekit.build.pipeline import OutputRecord, build_course
from casekit.diagnostics import CasekitError, Diagnostics


def build_formats(
    course: Path, out: Path, format_names: tuple[str, ...] = ("html",)
) -> tuple[Diagnostics, list[OutputRecord]]:
    """Check and build ``format_names`` of ``course`` into ``out``.

    Returns the diagnostics (a ``CasekitError`` becomes one of them) and what
    was written. Any other exception propagates: that is a bug."""
    try:
        result = build_course(course, list(format_names), ("learner", "teacher"), out)
    except CasekitError as exc:
        diags = Diagnostics()
        diags.items.append(exc.diagnostic)
        return diags, []
    finally:
        for folder in out.glob("*"):
            release_build_lock(folder)
    for item in result.diagnostics.items:
        assert "\n" not in str(item) and len(str(item)) < 600, item
    return result.diagnostics, [] if result.stopped else result.outputs


def build_html(course: Path, out: Path) -> tuple[Diagnostics, dict[str, str]]:
    """``build_formats`` for the html format; the pages written, by edition."""
    diags, outputs = build_formats(course, out)
    pages = {record.edition: path.read_text("utf-8") for record in outputs for path in record.paths}
    return diags, pages


def codes(diags: Diagnostics) -> set[str]:
    return {d.code for d in diags.items}
