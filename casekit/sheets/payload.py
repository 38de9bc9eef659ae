"""What an answer sheet's QR code says, written and read in one place.

Two kinds of sheet exist. A course build's sheet (no learner) names the course,
version and item: ``<course id>|<version>|<item>`` (``|<page>`` added on the
later pages of a sheet of several pages). A personal sheet from the learner
register carries only the register's short sheet id (``<id>`` or
``<id>/<page>``): short payloads make small QR symbols that read from phone
photos, and the register knows the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from casekit import tree as t

SHEET_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_PAGES = 99


@dataclass(frozen=True)
class SheetRef:
    """A decoded payload: either ``sheet_id`` (register) or course, version and item."""

    page: int = 1
    sheet_id: str = ""
    course_id: str = ""
    version: str = ""
    item: str = ""

    @property
    def personal(self) -> bool:
        return bool(self.sheet_id)


def course_payload(course: t.Course, item: str, page: int = 1) -> str:
    config = course.config
    text = f"{config.id}|{config.version}|{item}"
    return text if page == 1 else f"{text}|{page}"


def register_payload(sheet_id: str, page: int = 1) -> str:
    if not SHEET_ID.fullmatch(sheet_id):
        raise ValueError(f"not a sheet id: {sheet_id!r}")
    return sheet_id if page == 1 else f"{sheet_id}/{page}"


def parse_payload(text: str) -> SheetRef | None:
    """The sheet a QR code names, or None when it is no casekit sheet's code."""
    if "|" in text:
        parts = text.split("|")
        if len(parts) not in (3, 4) or not all(parts[:3]):
            return None
        page = _page(parts[3]) if len(parts) == 4 else 1
        if page is None:
            return None
        return SheetRef(page=page, course_id=parts[0], version=parts[1], item=parts[2])
    sheet_id, _, page_text = text.partition("/")
    page = _page(page_text) if page_text else 1
    if page is None or not SHEET_ID.fullmatch(sheet_id):
        return None
    return SheetRef(page=page, sheet_id=sheet_id)


def _page(text: str) -> int | None:
    if not text.isdigit() or not 1 < int(text) <= MAX_PAGES:
        return None
    return int(text)
