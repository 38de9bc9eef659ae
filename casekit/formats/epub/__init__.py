"""The ``epub`` format: one EPUB 3 per edition, validated and accessible.

Modules: ``book`` (package, navigation, metadata; ebooklib), ``writer`` (chapters: the
shared HTML writer), ``fonts`` (embedded subset fonts), ``cover`` (the cover image).
"""

from __future__ import annotations

from dataclasses import dataclass

from casekit.formats import Format
from casekit.formats.options import option, original_images_option


@dataclass(frozen=True)
class EpubOptions:
    embed_media: bool = option(False, "carry audio and video inside the book (larger file)")
    original_images: bool = original_images_option()
    narrate: bool = option(
        False,
        "speak every lesson (espeak-ng): EPUB 3 Media Overlays with --embed-media, audio in the USB bundle",
        course="narration.enabled",
    )


FORMAT = Format(
    "epub",
    "one EPUB 3 per edition (validated, accessible)",
    "casekit.formats.epub.book:render_epub",
    EpubOptions,
    fits_to_screen=lambda options: not options.original_images,
)
