"""The teacher's view of a learner's written answers before grading: the crops of
the open-answer areas of every scanned version of a sheet, on one page opened
from disk (``casekit grade LEARNER ITEM --show``)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from casekit.learners.records import Sheet, Submission
from casekit.learners.register import Register
from casekit.messages import Messages
from casekit.paper.review import image_tag, write_private_page


def write_page(
    register: Register, sheet: Sheet, submissions: list[Submission], msg: Messages
) -> Path:
    """``answers-<sheet>.html`` in the register's own folder; its path."""
    body = [f"<p>{escape(msg('answers_sheet', sheet=sheet.id, learner=sheet.learner))}</p>"]
    if not any(sub.images for sub in submissions):
        body.append(f"<p>{escape(msg('answers_none'))}</p>")
    for sub in submissions:
        if not sub.images:
            continue
        scanned = sub.received_at.strftime("%Y-%m-%d %H:%M")
        head = msg("answers_scan", page=sub.page, version=sub.version, scanned=scanned)
        body.append(f'<section class="item"><h2>{escape(head)}</h2>')
        body += [image_tag(register, name, msg) for name in sub.images]
        body.append("</section>")
    grade = f"casekit grade {sheet.learner} {sheet.target} SCORE --of MAX --by NAME"
    body.append(f"<p>{escape(msg('answers_grade', command=grade))}</p>")
    title = msg("answers_title", item=sheet.heading)
    return write_private_page(register, f"answers-{sheet.id}.html", msg, title, body)
