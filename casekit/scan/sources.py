"""Page images from what a scanner or a phone produced: PDFs (page by page, so a
PDF of thousands of pages needs the memory of one), PNG/JPEG/TIFF files
(multi-page TIFFs too) and folders of them. Decoding is bounded: an image is
measured from its header before any pixel is decoded; a very large JPEG is
decoded at a reduced scale (a phone's 100-megapixel photo), anything else that
large is refused. JPEGs are decoded no larger than the sheet is read at. Phone photos are turned upright by their EXIF orientation.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageOps, ImageSequence

from casekit.scan.reasons import Reason, ReasonError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUFFIXES = IMAGE_SUFFIXES | {".pdf"}
MAX_PIXELS = 50_000_000  # decoded; a 300 dpi A4 page is 8.7 million
PDF_DPI = 200.0
READ_SHORT_SIDE = 1200  # pixels across a page are enough from here on (about 150 dpi on A4)
MAX_PDF_PAGES = 2000  # per file; split larger scans


@dataclass(frozen=True)
class PageImage:
    """One page to read, or why a file (or one of its pages) could not be read."""

    source: Path
    page: int  # 1-based within its file
    grey: np.ndarray | None = None
    problem: Reason | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.page}"

    def digest(self) -> str:
        """SHA-256 of the decoded page (its size and pixels)."""
        assert self.grey is not None
        h = hashlib.sha256(f"{self.grey.shape[1]}x{self.grey.shape[0]}:".encode())
        h.update(np.ascontiguousarray(self.grey).data)
        return h.hexdigest()


def input_files(paths: list[Path]) -> Iterator[Path]:
    """The files to read: files as given, folders searched (sorted, hidden ones skipped)."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in found.relative_to(path).parts)
                if found.is_file() and not hidden and found.suffix.lower() in SUFFIXES:
                    yield found
        else:
            yield path


def pages(paths: list[Path]) -> Iterator[PageImage]:
    for path in input_files(paths):
        if not path.is_file():
            yield PageImage(path, 1, problem=Reason("no_file"))
        elif path.suffix.lower() == ".pdf":
            yield from pdf_pages(path)
        else:
            yield from image_pages(path)


def pdf_pages(path: Path) -> Iterator[PageImage]:
    try:
        document = pypdfium2.PdfDocument(str(path))
    except (pypdfium2.PdfiumError, OSError) as exc:
        yield PageImage(path, 1, problem=Reason("pdf_unreadable", {"detail": _reason(exc)}))
        return
    try:
        count = len(document)
        if count > MAX_PDF_PAGES:
            too_long = Reason("pdf_too_long", {"count": count, "most": MAX_PDF_PAGES})
            yield PageImage(path, 1, problem=too_long)
            return
        for index in range(count):
            try:
                page = document[index]
                width, height = page.get_size()
                scale = min(PDF_DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
                bitmap = page.render(scale=scale, grayscale=True)
                grey = np.array(bitmap.to_pil().convert("L"))
                page.close()
            except (pypdfium2.PdfiumError, ValueError, MemoryError) as exc:
                yield PageImage(
                    path, index + 1, problem=Reason("pdf_page_unrendered", {"detail": _reason(exc)})
                )
                continue
            yield PageImage(path, index + 1, grey)
    finally:
        document.close()


def image_pages(path: Path) -> Iterator[PageImage]:
    try:
        with warnings.catch_warnings():  # our own pixel limit applies, below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError:
        yield PageImage(path, 1, problem=Reason("image_unsafe"))
        return
    except (OSError, SyntaxError, ValueError) as exc:
        yield PageImage(path, 1, problem=Reason("image_unreadable", {"detail": _reason(exc)}))
        return
    with image:
        for index, frame in enumerate(ImageSequence.Iterator(image), start=1):
            try:
                yield PageImage(path, index, _decoded(frame))
            except ReasonError as exc:
                yield PageImage(path, index, problem=exc.reason)
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
                unreadable = Reason("image_unreadable", {"detail": _reason(exc)})
                yield PageImage(path, index, problem=unreadable)


def _decoded(frame: Image.Image) -> np.ndarray:
    width, height = frame.size
    if frame.format == "JPEG":
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale itself, and much faster: no
        # smaller than a sheet is read at (a 300 dpi scan comes out at 150 dpi)
        wanted = min(
            1.0, (MAX_PIXELS / (width * height)) ** 0.5, READ_SHORT_SIDE / min(width, height)
        )
        frame.draft("L", (math.ceil(width * wanted), math.ceil(height * wanted)))
    if frame.size[0] * frame.size[1] > MAX_PIXELS:
        raise ReasonError(
            "image_too_large", width=width, height=height, most=MAX_PIXELS // 1_000_000
        )
    upright = ImageOps.exif_transpose(frame)
    return np.array(upright.convert("L"))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__
