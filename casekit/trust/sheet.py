"""``casekit approval-sheet``: one printed page for the facility's file, and the
bundle's paper packets stamped with the same short content fingerprint.

The sheet names the course, version, content fingerprint (short, full, and as a
QR code), and each approval with its key fingerprint and how its signature
checked, so that staff can match a stick, ``casekit verify --trust`` and the
verifier page against paper.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from casekit import __version__
from casekit.bundle.verify import Source
from casekit.diagnostics import error
from casekit.files.atomic import atomic_file
from casekit.formats.pdf.flowables import QrCode
from casekit.formats.pdf.fonts import bundled_face
from casekit.messages import Messages, messages
from casekit.trust.approve import BundleFacts
from casekit.trust.check import TrustReport, carried_keys, check_trust
from casekit.trust.keys import PublicKey

EDITIONS_PREFIX = "data/editions/"
SIGNATURE_WORDS = {
    "valid": "sheet_valid",
    "unknown-key": "sheet_untrusted",
    "different-content": "sheet_other_content",
    "bad-signature": "sheet_invalid",
    "damaged": "sheet_invalid",
    "duplicate": "sheet_valid",
    "not-an-approval": "sheet_invalid",
    "rejected": "sheet_rejected",
}


def approval_report(source: Source, trusted: dict[str, PublicKey] | None) -> TrustReport:
    return check_trust(source, True, trusted if trusted is not None else carried_keys(source), [])


def sheet_pdf(facts: BundleFacts, report: TrustReport, trusted: bool) -> bytes:
    """The one-page sheet (A4) in the course's language."""
    msg = messages(facts.language)
    regular, bold, mono = (bundled_face(role).name for role in ("regular", "bold", "mono"))
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=18, leading=22)
    big = ParagraphStyle("big", parent=body, fontName=mono, fontSize=16, leading=20)
    code = ParagraphStyle("code", parent=body, fontName=mono, fontSize=8, leading=10)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    facts_table = Table(
        [
            [p(msg("sheet_course")), p(f"{facts.title} ({facts.course})")],
            [p(msg("sheet_version")), p(facts.version)],
            [p(msg("sheet_bundle")), p(Path(facts.label.rstrip("/")).name, code)],
            [p(msg("sheet_content")), p(facts.content, big)],
            [p(msg("sheet_content_full"), small), p(facts.content_sha256, code)],
            [p(msg("verify_fingerprint"), small), p(facts.manifest_sha256, code)],
        ],
        colWidths=[55 * mm, 115 * mm],
    )
    facts_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    flow: list[object] = [p(msg("sheet_title"), title), Spacer(1, 4 * mm), facts_table]
    flow += [Spacer(1, 4 * mm), QrCode(facts.content_sha256, 40 * mm), p(msg("sheet_qr"), small)]
    flow += [
        Spacer(1, 6 * mm),
        p(msg("sheet_approvals"), ParagraphStyle("h", parent=title, fontSize=13)),
    ]
    rows = [
        [
            p(msg(key), small)
            for key in (
                "sheet_reviewer",
                "sheet_role",
                "sheet_date",
                "sheet_key",
                "sheet_signature",
            )
        ]
    ]
    for check in report.approvals:
        word = SIGNATURE_WORDS[check.status]
        if check.status == "valid" and trusted:
            word = "sheet_trusted"
        rows.append(
            [
                p(check.reviewer or "?"),
                p(check.role or "?"),
                p(check.date.replace("T", " ").rstrip("Z")),
                p(check.key_fingerprint, code),
                p(msg(word), small),
            ]
        )
    if report.approvals:
        table = Table(rows, colWidths=[37 * mm, 32 * mm, 28 * mm, 46 * mm, 27 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ]
            )
        )
        flow.append(table)
    else:
        flow.append(p(msg("sheet_none")))
    flow += [Spacer(1, 6 * mm), p(msg("sheet_instructions")), Spacer(1, 3 * mm)]
    flow.append(p(msg("sheet_printed", version=__version__), small))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{msg('sheet_title')}: {facts.title} {facts.version}",
        author="casekit",
        invariant=1,
    )
    document.build(flow)
    return out.getvalue()


def stamp(pdf: bytes, text: str) -> bytes:
    """``pdf`` with ``text`` in small type at the foot of its first page (the cover)."""
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=(width, height), invariant=1)
    canvas.setFont(bundled_face("mono").name, 8)
    canvas.drawCentredString(width / 2, 8 * mm, text)
    canvas.save()
    writer = PdfWriter(clone_from=reader)
    writer.pages[0].merge_page(PdfReader(io.BytesIO(overlay.getvalue())).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_packets(source: Source, facts: BundleFacts, folder: Path) -> list[Path]:
    """The bundle's PDF editions, each with the content fingerprint on its cover,
    written to ``folder`` for printing."""
    msg: Messages = messages(facts.language)
    text = msg("packet_fingerprint", fingerprint=facts.content)
    written = []
    for path in sorted(
        p for p in source.files if p.startswith(EDITIONS_PREFIX) and p.endswith(".pdf")
    ):
        target = folder / Path(path).name
        with atomic_file(target) as handle:
            handle.write(stamp(source.read(path), text))
        written.append(target)
    if not written:
        raise error(source.label, "the bundle holds no PDF edition to print", "no-packets")
    return written
