"""What ``casekit packets`` is asked for: where, when, by whom, with names or not
(its own module: the packets and the issue list both read it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PacketOptions:
    out_root: Path  # the group's packets go to OUT/<course-id>-<version>/<group>/
    issued_on: dt.date
    issued_by: str = ""
    names: bool = False
    also: tuple[str, ...] = ()  # packet formats (``packet_formats.py``) beside each PDF
