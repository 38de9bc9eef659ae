"""Deterministic zip archives: fixed entry order, times and attributes.

Libraries that write zips (ebooklib, python-docx) stamp entries with the
wall clock and their own order; ``normalize_zip`` rewrites such an archive so
the same sources always give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

#: formats that are already compressed: deflating them again only costs time
STORED_SUFFIXES = (".png", ".jpg", ".jpeg", ".mp4", ".webm", ".mp3", ".ogg", ".m4a", ".zip")
ZIP_EPOCH = datetime(1980, 1, 1)


def normalize_zip(
    data: bytes, when: datetime, first: Sequence[str] = (), stored: Sequence[str] = ()
) -> bytes:
    """Rewrite the zip ``data``: entries ``first`` (in that order), then the rest sorted
    by name; every entry stamped ``when``; ``stored`` names and compressed media
    kept uncompressed, everything else deflated."""
    when = max(when.replace(tzinfo=None), ZIP_EPOCH)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        order = [n for n in first if n in names] + sorted(n for n in names if n not in first)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in order:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.create_system = 3  # unix, so the permissions below are honoured
                info.external_attr = 0o644 << 16
                keep = name in stored or name.lower().endswith(STORED_SUFFIXES)
                info.compress_type = zipfile.ZIP_STORED if keep else zipfile.ZIP_DEFLATED
                target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()
