"""The group issue list: one line per learner with the packet id, its pages and
a column for the learner's signature, for staff to keep on file."""

from __future__ import annotations

import io
from html import escape

from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from casekit.formats.pdf.styles import RULE
from casekit.learners.packet_options import PacketOptions
from casekit.learners.personal_pages import Look
from casekit.learners.records import Learner


def render_issue_list(
    look: Look, group: str, rows: list[tuple[Learner, str, int]], options: PacketOptions
) -> bytes:
    """``rows``: learner, packet id, pages. Names only with ``options.names``."""
    msg, styles, config = look.msg, look.styles, look.course.config
    buffer = io.BytesIO()
    title = f"{msg('issue_list')}: {config.title}, {group}"
    doc = SimpleDocTemplate(buffer, **look.doc_settings(**look.info(title)))
    stamp = look.date
    facilities = sorted({learner.facility for learner, _p, _n in rows if learner.facility})
    story = [Paragraph(escape(msg("issue_list")), styles.headings[0])]
    for label, value in (
        (msg("course"), f"{config.title} ({config.version})"),
        (msg("group"), group),
        (msg("facility"), ", ".join(facilities)),
        (msg("issued_on"), look.words.date(options.issued_on)),
        (msg("issued_by"), options.issued_by or "_" * 24),
    ):
        if value:
            story.append(look.line(label, value))
    story.append(Spacer(1, styles.size))
    cell, head = styles.cell, styles.cell_head
    columns = [msg("number_sign"), msg("learner_id")]
    if options.names:
        columns.append(msg("learner_name"))
    columns += [msg("packet_id"), msg("pages"), msg("received")]
    table_rows = [[Paragraph(escape(c), head) for c in columns]]
    for index, (learner, packet, pages) in enumerate(rows, start=1):
        row = [Paragraph(str(index), cell), Paragraph(escape(learner.code), cell)]
        if options.names:
            row.append(Paragraph(escape(learner.full_name, quote=False), cell))
        row += [Paragraph(packet, cell), Paragraph(str(pages), cell), Paragraph("", cell)]
        table_rows.append(row)
    width = look.setup.frame_width
    fractions = [0.07, 0.2] + ([0.3] if options.names else []) + [0.16, 0.09]
    widths = [width * f for f in fractions]
    widths.append(width - sum(widths))
    table = Table(table_rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, -1), styles.size * 0.9),
                ("BOTTOMPADDING", (0, 1), (-1, -1), styles.size * 0.9),
            ]
        )
    )
    story.append(table)

    def on_page(canvas: object, _doc: object) -> None:
        canvas.setDateFormatter(lambda *_: stamp)  # type: ignore[attr-defined]

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
