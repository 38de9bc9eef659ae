"""Each crop of a written answer kept with a submission is tied to the question it
answers: ``submissions.images`` becomes a JSON object {area key: file} (the area
keys of the layout the sheet was printed with) instead of a list of files.

A list kept by an older casekit is linked where that is certain: the page has
one open-answer area, or a person settled the page in review (the review kept
its crops by area). Any other crop stays, as ``unlinked-N``, shown to the
teacher as a written answer of no known question.

Revision ID: 0008
Revises: 0007
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

AREA = "area:"  # how reviews name their crops (casekit.paper.intake.AREA, as of 0005)


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def upgrade() -> None:
    conn = op.get_bind()
    reviewed: dict[str, str] = {}  # crop file -> area key, from the review list
    for (text,) in conn.execute(sa.text("SELECT images FROM reviews WHERE images != ''")):
        for name, file in json.loads(text).items():
            if name.startswith(AREA):
                reviewed[file] = name[len(AREA) :]
    rows = conn.execute(
        sa.text(
            "SELECT s.id, s.page, s.images, h.layout FROM submissions s "
            "JOIN sheets h ON s.sheet_id = h.id ORDER BY s.id"
        )
    ).all()
    for submission_id, page, text, layout in rows:
        files = json.loads(text or "[]")
        if isinstance(files, dict):
            continue
        pages = json.loads(layout or "[]")
        areas = [a["key"] for a in pages[page - 1]["areas"]] if 0 < page <= len(pages) else []
        linked: dict[str, str] = {}
        if len(files) == 1 and len(areas) == 1:
            linked[areas[0]] = files[0]
        else:
            for number, file in enumerate(files, start=1):
                key = reviewed.get(file)
                linked[key if key in areas and key not in linked else f"unlinked-{number}"] = file
        conn.execute(
            sa.text("UPDATE submissions SET images = :images WHERE id = :id"),
            {"images": _dump(linked), "id": submission_id},
        )


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, images FROM submissions")).all()
    for submission_id, text in rows:
        files = json.loads(text or "{}")
        if isinstance(files, dict):
            conn.execute(
                sa.text("UPDATE submissions SET images = :images WHERE id = :id"),
                {"images": _dump(sorted(files.values())), "id": submission_id},
            )
