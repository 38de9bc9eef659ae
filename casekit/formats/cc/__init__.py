"""The ``cc`` format: an IMS Common Cartridge 1.1 package (``render.py``)."""

from __future__ import annotations

from casekit.formats import Format

FORMAT = Format(
    "cc",
    "IMS Common Cartridge 1.1 (.imscc) for Moodle and other platforms: learner pages, graded quizzes",
    "casekit.formats.cc.render:render_cc",
    per_edition=False,
)
