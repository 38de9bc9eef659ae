"""Where the USB bundle keeps what resolve points at.

Resolve gives every media file its path in the bundle (``MediaItem.bundle_path``),
which a QR code encodes when the course sets no media base URL, so the bundle's
payload folder is named here, below both resolve and the bundle package.
"""

from __future__ import annotations

from casekit.config.settings import CourseConfig

#: the bundle's payload folder (BagIt ``data/``); media live in ``data/media/...``
PAYLOAD = "data"
#: the formats whose editions a bundle carries, in the order the viewer lists them
EDITION_FORMATS = ("pdf", "epub", "docx")


def bundle_name(config: CourseConfig) -> str:
    """The bundle's folder: ``<course-id>-<version>``."""
    return f"{config.id}-{config.version}"
