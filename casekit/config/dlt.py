"""Numbers of the Rules on distance learning technologies (Order 374,
shared/domain/RULES.md) that casekit checks: one place for both the course
settings (``programme`` in course.toml) and the learner register."""

from __future__ import annotations

HOURS_PER_CREDIT = 30  # one academic credit = 30 academic hours

#: programme type -> most credits a learner may study by DLT over the whole
#: programme, and the paragraph of the Rules that says so
CREDIT_LIMITS: dict[str, tuple[float, str]] = {
    "mba": (30, "p.21"),
    "emba": (15, "p.21"),
    "dba": (15, "p.21"),
    "higher-special": (30, "p.25"),  # choreography, performance, aviation, health care, ...
    "academic-mobility": (60, "p.26"),
    "exchange-bachelor": (120, "p.27"),
    "exchange-master": (60, "p.27"),
}
