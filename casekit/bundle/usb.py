"""The ``usb`` format's renderer: the bundle folder, and its zip when asked."""

from __future__ import annotations

from typing import BinaryIO

from casekit import tree as t
from casekit.bundle.archive import write_zip
from casekit.bundle.assemble import fill_bundle
from casekit.bundle.portable import PlannedFile, check_files
from casekit.bundle.reuse import PreviousBundle
from casekit.formats import BuildContext, Output
from casekit.render.common import source_date
from casekit.resolve.layout import bundle_name


def render_usb(course: t.Course, ctx: BuildContext) -> list[Output]:
    name = bundle_name(course.config)
    check_files("", [PlannedFile(name, 0, "course.toml")])
    previous = PreviousBundle(ctx.cache, ctx.out_dir / name)
    outputs = [
        Output(
            name,
            fill=lambda folder: fill_bundle(course, ctx, folder, previous),
            written=previous.record,  # what the next build may trust of it
        )
    ]
    if ctx.options.zip:
        bundle, date = ctx.out_dir / name, source_date(course)

        def zipped(handle: BinaryIO) -> None:
            write_zip(bundle, handle, date)

        outputs.append(Output(name + ".zip", write=zipped))
    return outputs
