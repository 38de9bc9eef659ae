"""Which groups' packets to make, and their shards: ``casekit packets --all-groups
--shard K/N`` and ``casekit plan --packets``.

A group is the unit (its packets and issue list replace the earlier ones as a
whole). Its cost: the course body, rendered once per group (estimated as a PDF
build, ``build/plan.py``), and a part per learner, measured by
``benchmarks/packets_benchmark.py`` (500 learners: 33.4 s CPU, 50: 23.7 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casekit.build.plan import COSTS, course_size
from casekit.build.shard import Shard, assign

if TYPE_CHECKING:
    from casekit.learners.register import Register

PER_LEARNER_MS = 25


@dataclass(frozen=True)
class GroupUnit:
    group: str
    learners: int  # active learners of the group enrolled in the course
    cost: int  # estimated milliseconds

    @property
    def key(self) -> str:
        return self.group


def enrolled_groups(register: Register, course_id: str, course_dir: Path) -> list[GroupUnit]:
    """Every group with an active learner enrolled in ``course_id``, sorted."""
    enrolled = {e.learner for e in register.enrolments(course_id=course_id)}
    counts: dict[str, int] = {}
    for learner in register.learners(active_only=True):
        if learner.code in enrolled:
            counts[learner.group] = counts.get(learner.group, 0) + 1
    size = course_size(course_dir)
    pdf = COSTS["pdf"]
    body = pdf.base + pdf.per_kib * size.text_kib
    return [GroupUnit(g, n, body + PER_LEARNER_MS * n) for g, n in sorted(counts.items())]


def groups_of(units: list[GroupUnit], shard: Shard | None) -> list[GroupUnit]:
    if shard is None:
        return units
    shards = assign(units, shard.count)
    return [unit for unit in units if shards[unit.key] == shard.index]


def packets_plan_json(course_id: str, units: list[GroupUnit], count: int) -> dict[str, Any]:
    shards = assign(units, count)
    return {
        "shards": count,
        "jobs": [
            {
                "course": course_id,
                "group": unit.group,
                "learners": unit.learners,
                "shard": shards[unit.key],
                "cost_ms": unit.cost,
            }
            for unit in units
        ],
    }
