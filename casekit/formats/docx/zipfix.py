"""Rewrite a DOCX zip with fixed entry times, order and attributes (byte-identical builds)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

CONTENT_TYPES = "[Content_Types].xml"


def deterministic_zip(data: bytes, when: datetime) -> bytes:
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        ordered = [CONTENT_TYPES] + sorted(n for n in names if n != CONTENT_TYPES)
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()
