"""Splitting work over N machines: ``--shard K/N`` and the balanced, deterministic split.

Work comes in units (a catalogue job with what it consumes, a group's packets), each
with an estimated cost. Units are dealt out greedily, dearest first, each to the shard
with the least cost so far (ties: the lower shard number; equal costs: the unit's key),
so every machine computes the same split from the same sources, whatever order it
listed them in, and the shards' costs stay close.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from casekit.diagnostics import error


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (both counted from 1, as a user writes ``2/3``)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


WHOLE = Shard(1, 1)


def parse_shard(text: str) -> Shard:
    """``"K/N"`` with 1 <= K <= N, else a ``CasekitError`` naming the option."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if found:
        index, count = int(found[1]), int(found[2])
        if 1 <= index <= count:
            return Shard(index, count)
    raise error(
        "--shard",
        f"{text!r} is not a shard: write K/N with 1 <= K <= N, e.g. 2/8",
        "bad-shard",
    )


class Unit(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def cost(self) -> float: ...


def assign(units: Sequence[Unit], count: int) -> dict[str, int]:
    """The shard (1..count) of each unit, by key: the dearest first, to the least loaded."""
    loads = [0.0] * count
    shards: dict[str, int] = {}
    for unit in sorted(units, key=lambda u: (-u.cost, u.key)):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        loads[lightest] += unit.cost
        shards[unit.key] = lightest + 1
    return shards
