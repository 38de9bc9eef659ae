"""The ``usb`` format: the bundle staff copy to sticks (viewer, media, editions, manifests)."""

from __future__ import annotations

from pathlib import Path

from casekit import tree as t
from casekit.bundle.archive import write_zip
from casekit.bundle.assemble import assemble_bundle
from casekit.formats import BuildContext
from casekit.render.common import source_date


def build_usb(course: t.Course, ctx: BuildContext) -> list[Path]:
    folder = assemble_bundle(course, ctx)
    written = [folder]
    if ctx.options.get("make_zip"):
        written.append(
            write_zip(folder, folder.with_name(folder.name + ".zip"), source_date(course))
        )
    return written
