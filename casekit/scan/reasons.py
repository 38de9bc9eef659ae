"""Why a page could not be recorded as read: one vocabulary of reason codes, each
shown with the words of ``casekit/messages/<lang>.toml`` (key ``scan_<code>``), so
the scan summary, the terminal review and the review page speak the reader's
language. The register keeps the codes and their values, not the words."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from casekit.messages import Messages

Code = Literal[
    "no_file",  # file
    "pdf_unreadable",  # detail
    "pdf_too_long",  # count, most
    "pdf_page_unrendered",  # detail
    "image_unreadable",  # detail
    "image_too_large",  # width, height, most
    "image_unsafe",
    "no_qr",
    "not_a_sheet",
    "course_build",  # course, version
    "unknown_sheet",  # sheet
    "other_course",  # sheet, course, wanted
    "no_such_page",  # sheet, pages, page
    "mark_missing",  # corner
    "marks_mismatch",
    "mark_misplaced",  # corner
    "in_doubt",  # count, questions
    "text",  # text: a reason recorded by an older casekit, in English
]
CORNERS = ("top_left", "top_right", "bottom_right", "bottom_left")  # scan_corner_<name>


@dataclass(frozen=True)
class Reason:
    code: Code
    values: dict[str, str | int] = field(default_factory=dict)

    def text(self, msg: Messages) -> str:
        if self.code == "text":
            return str(self.values.get("text", ""))
        values = dict(self.values)
        if "corner" in values:
            values["corner"] = msg(f"scan_corner_{values['corner']}")
        return msg(f"scan_{self.code}", **values)


class ReasonError(Exception):
    """A page that cannot be read, and why."""

    def __init__(self, code: Code, **values: str | int) -> None:
        self.reason = Reason(code, values)
        super().__init__(code)


def dump(reasons: list[Reason]) -> str:
    """The register's form of a page's reasons."""
    return json.dumps(
        [{"code": r.code, **r.values} for r in reasons], ensure_ascii=False, sort_keys=True
    )


def load(text: str) -> list[Reason]:
    """A page's reasons as the register keeps them (plain English text from before
    reason codes)."""
    try:
        entries = json.loads(text)
        return [
            Reason(entry.pop("code"), entry)
            for entry in entries
            if isinstance(entry, dict) and "code" in entry
        ]
    except (ValueError, TypeError, AttributeError):
        return [Reason("text", {"text": text})]


def texts(reasons: list[Reason], msg: Messages) -> str:
    return "; ".join(reason.text(msg) for reason in reasons)
