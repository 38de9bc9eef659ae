"""The ``usb`` format: the bundle staff copy to sticks (viewer, media, editions, manifests).

It packages the PDF, EPUB and DOCX editions: it consumes those outputs, which the
build makes first and hands over in ``BuildContext.inputs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from casekit import tree as t
from casekit.bundle.archive import write_zip
from casekit.bundle.assemble import editions_needed, fill_bundle
from casekit.bundle.portable import PlannedFile, check_files
from casekit.bundle.reuse import PreviousBundle
from casekit.files.cache import BuildCache
from casekit.formats import BuildContext, Format, Output
from casekit.formats.options import option
from casekit.render.common import source_date
from casekit.resolve.layout import bundle_name


@dataclass(frozen=True)
class UsbOptions:
    zip: bool = option(False, "also write a deterministic zip of the bundle")
    stick_size: str = option(
        "",
        'fail when the bundle would not fit a stick of this size, e.g. "8GB"',
        course="stick_size",
    )
    with_teacher: bool = option(False, "put the teacher editions in the bundle too")
    narrate: bool = option(
        False,
        "speak every lesson (espeak-ng): EPUB 3 Media Overlays with --embed-media, audio in the USB bundle",
        course="narration.enabled",
    )


def consumes(options: UsbOptions) -> list[tuple[str, t.Edition]]:
    return editions_needed(t.EDITIONS if options.with_teacher else ("learner",))


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


def damaged_bundles(paths: list[Path], cache: BuildCache) -> list[tuple[str, str]]:
    """What differs from its manifests in the bundles a build left, ``(path, what)``."""
    return [
        problem
        for path in paths
        if path.is_dir()  # the zip: its size, mtime and ctime vouch for it
        for problem in PreviousBundle(cache, path).damage()
    ]


def record_bundles(paths: list[Path], cache: BuildCache) -> None:
    """Bundles copied from the shared cache, recorded as a build records what it wrote."""
    for path in paths:
        if path.is_dir():
            PreviousBundle(cache, path).record(path)


FORMAT = Format(
    "usb",
    "USB bundle: offline viewer, media, learner editions, manifest.json and BagIt files",
    render_usb,
    UsbOptions,
    per_edition=False,
    consumes=consumes,
    damaged=damaged_bundles,
    restored=record_bundles,
)
