"""Will the bundle fit the stick? Checked before anything is copied."""

from __future__ import annotations

import re
from collections.abc import Sequence

from casekit.bundle.portable import PlannedFile
from casekit.diagnostics import error

CLUSTER = 32 * 1024  # allocation unit of FAT32/exFAT on 8-64 GB sticks
RESERVE = 0.04  # file system structures; sticks are sold in decimal units
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9,
          "gb": 10**9, "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30,
          "tib": 2**40}  # fmt: skip
_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z]*)\s*$", re.I)


def parse_size(text: str) -> int | None:
    """Bytes of ``"8GB"``, ``"7.5 GiB"``, ``"512MB"`` or ``"1000000"``; ``None`` if unreadable."""
    match = _SIZE.match(text)
    if not match or match[2].lower() not in _UNITS:
        return None
    return int(float(match[1].replace(",", ".")) * _UNITS[match[2].lower()])


def human(size: float) -> str:
    """``7.7 GB``: decimal units, as sticks are sold and labelled."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def space_needed(files: Sequence[PlannedFile]) -> int:
    """Bytes the files take on a stick: each rounded up to whole clusters."""
    return sum(-(-f.size // CLUSTER) * CLUSTER for f in files)


def check_fits(stick_size: str, where: str, files: Sequence[PlannedFile]) -> None:
    """Raise ``CasekitError`` naming the largest items when ``files`` exceed the stick."""
    nominal = parse_size(stick_size)
    if nominal is None:
        raise error(where, f"stick size {stick_size!r} is not a size like 8GB", "stick-size")
    usable = int(nominal * (1 - RESERVE))
    needed = space_needed(files)
    if needed <= usable:
        return
    largest = sorted(files, key=lambda f: (-f.size, f.path))[:5]
    items = ", ".join(f"{f.path} ({human(f.size)})" for f in largest)
    raise error(
        where,
        f"the bundle needs {human(needed)} but a {stick_size} stick holds about "
        f"{human(usable)}; largest items: {items}",
        "stick-too-small",
    )
