"""The ``scorm12`` format: a SCORM 1.2 package of the offline viewer (``bundle/scorm12.py``)."""

from __future__ import annotations

from casekit.formats import Format

FORMAT = Format(
    "scorm12",
    "SCORM 1.2 package: the offline viewer, one SCO per lesson (or per course), "
    "bookmark, status and quiz score",
    "casekit.bundle.scorm12:render_scorm12",
    per_edition=False,
)
