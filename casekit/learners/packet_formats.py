"""Personal packet files: a second plugin kind beside the formats.

A personal packet is not a build job. It is made from the learner register (personal
data) for one group, written into an owner-only folder outside ``build/``, never
cached, and its issue is recorded in the register; the build's formats see none of
that. So a packet file is a ``PacketFormat``, found the way formats are
(``formats.load_plugins``): ``BUILTIN`` here and the ``casekit.packet_formats``
entry-point group (``name = "module:ATTRIBUTE"``).

The PDF packet is always made: the issue list, the checksums in the register and the
scanner read it. Each packet format is one more file per learner beside it, asked for
with its flag (``casekit packets --docx``): its ``body`` renders the learner edition
once per print profile, its ``packet`` adds one learner's personal pages to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casekit import tree as t
from casekit.formats import load_plugins, load_reference

if TYPE_CHECKING:
    from casekit.learners.personal_pages import SheetTarget
    from casekit.learners.records import Learner
    from casekit.learners.schedule import StudyPlan
    from casekit.learners.wording import Wording

ENTRY_POINT_GROUP = "casekit.packet_formats"
BUILTIN = ("casekit.learners.packet_formats:DOCX",)


@dataclass(frozen=True)
class PersonalPages:
    """What one learner's packet carries besides the course body."""

    words: Wording
    learner: Learner
    packet_id: str
    plan: StudyPlan
    group: str
    targets: list[SheetTarget]  # the answer sheets, in order
    sheet_ids: list[str]  # their ids, as the QR codes name them
    names: bool  # print the learner's name


#: body(learner edition, scratch folder, large print) -> the body, once per profile
Body = Callable[[t.Course, Path, bool], bytes]
#: packet(body, one learner's pages) -> that learner's file
Packet = Callable[[bytes, PersonalPages], bytes]


@dataclass(frozen=True)
class PacketFormat:
    name: str  # the file's extension and the flag, ``--<name>``
    summary: str  # the flag's help
    body: Body | str  # or "module:function", imported when packets are made
    packet: Packet | str

    def render_body(self, course: t.Course, scratch: Path, large_print: bool) -> bytes:
        found: Body = load_reference(self.body)
        return found(course, scratch, large_print)

    def render_packet(self, body: bytes, pages: PersonalPages) -> bytes:
        found: Packet = load_reference(self.packet)
        return found(body, pages)


DOCX = PacketFormat(
    "docx",
    "Also a DOCX packet beside each PDF.",
    "casekit.learners.docx_packets:render_body",
    "casekit.learners.docx_packets:packet_docx",
)


@cache
def _registry() -> dict[str, Any]:
    return load_plugins(ENTRY_POINT_GROUP, BUILTIN, PacketFormat, "packet format")


def packet_formats() -> dict[str, PacketFormat]:
    """Every packet format beside the PDF, by name: casekit's own and by entry point."""
    return dict(_registry())
