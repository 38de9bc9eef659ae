"""The ``usb`` format: the bundle staff copy to sticks (viewer, media, editions, manifests).

It packages the PDF, EPUB and DOCX editions: it consumes those outputs, which the
build makes first and hands over in ``BuildContext.inputs``. ``bundle/usb.py`` renders
it; ``bundle/reuse.py`` says whether the bundle a build left is still intact.
"""

from __future__ import annotations

from dataclasses import dataclass

from casekit import tree as t
from casekit.formats import Format
from casekit.formats.options import option
from casekit.resolve.layout import EDITION_FORMATS


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
    """The (format, edition) outputs the bundle carries."""
    editions = t.EDITIONS if options.with_teacher else ("learner",)
    return [(fmt, edition) for fmt in EDITION_FORMATS for edition in editions]


FORMAT = Format(
    "usb",
    "USB bundle: offline viewer, media, learner editions, manifest.json and BagIt files",
    "casekit.bundle.usb:render_usb",
    UsbOptions,
    per_edition=False,
    consumes=consumes,
    damaged="casekit.bundle.reuse:damaged_bundles",
    restored="casekit.bundle.reuse:record_bundles",
)
