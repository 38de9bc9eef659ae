"""Custody of sticks keeps its whole history (issue 16): every issue and every return
is a row of ``custody_events``, appended and never changed, instead of one
``stick_custody`` row per stick that the next issue replaced. Each event carries
its own learner, course and content fingerprint (``issued_items`` keeps only the
latest issue of a stick). Files issued are recorded with a SHA-256 where the
bundle's manifests do not cover them (approvals, files beside the bundle); rows
from 0003 keep their sizes only.

Revision ID: 0006
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("stick_id", sa.String(64), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", ondelete="CASCADE", name="fk_custody_events_learner_id"),
            nullable=False,
        ),
        sa.Column("by_whom", sa.String(200), nullable=False, server_default=""),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("course_version", sa.String(50), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("bundle", sa.String(200), nullable=False),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
        sa.Column("serial", sa.String(200), nullable=False, server_default=""),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("files", sa.Text, nullable=False, server_default=""),
        sa.Column("problems", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_custody_events_stick_id", "custody_events", ["stick_id"])
    columns = (
        "stick_id, event, at, learner_id, by_whom, course_id, course_version, sha256, "
        "bundle, label, serial, due_on, files, problems"
    )
    join = "FROM stick_custody c JOIN issued_items i ON c.issued_item_id = i.id"
    op.execute(  # files stay {path: size}: the register reads both forms
        f"INSERT INTO custody_events ({columns}) SELECT i.item_id, 'issued', c.issued_at, "
        f"i.learner_id, i.issued_by, i.course_id, i.course_version, i.sha256, c.bundle, c.label, "
        f"c.serial, c.due_on, c.files, '' {join} ORDER BY c.id"
    )
    op.execute(
        f"INSERT INTO custody_events ({columns}) SELECT i.item_id, 'returned', c.returned_at, "
        f"i.learner_id, c.received_by, i.course_id, i.course_version, i.sha256, c.bundle, c.label, "
        f"c.serial, c.due_on, '', c.problems {join} WHERE c.returned_at IS NOT NULL ORDER BY c.id"
    )
    op.drop_table("stick_custody")


def downgrade() -> None:
    """Back to one row per stick: its latest issue and the return that followed."""
    op.create_table(
        "stick_custody",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "issued_item_id",
            sa.Integer,
            sa.ForeignKey(
                "issued_items.id", ondelete="CASCADE", name="fk_stick_custody_issued_item_id"
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
        sa.Column("serial", sa.String(200), nullable=False, server_default=""),
        sa.Column("bundle", sa.String(200), nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("files", sa.Text, nullable=False, server_default=""),
        sa.Column("returned_at", sa.DateTime, nullable=True),
        sa.Column("received_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("problems", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("issued_item_id", name="uq_stick_custody_issued_item_id"),
    )
    conn = op.get_bind()
    latest: dict[str, dict] = {}
    for r in conn.execute(sa.text("SELECT * FROM custody_events ORDER BY id")).mappings():
        if r["event"] == "issued":
            files = {
                p: v if isinstance(v, int) else v[0]
                for p, v in json.loads(r["files"] or "{}").items()
            }
            latest[r["stick_id"]] = {
                "label": r["label"], "serial": r["serial"], "bundle": r["bundle"],
                "issued_at": r["at"], "due_on": r["due_on"],
                "files": json.dumps(files, ensure_ascii=False, sort_keys=True),
                "returned_at": None, "received_by": "", "problems": "",
            }  # fmt: skip
        elif r["stick_id"] in latest:
            latest[r["stick_id"]].update(
                returned_at=r["at"], received_by=r["by_whom"], problems=r["problems"]
            )
    for stick_id, values in latest.items():
        item = conn.scalar(
            sa.text("SELECT id FROM issued_items WHERE kind = 'stick' AND item_id = :i"),
            {"i": stick_id},
        )
        if item is not None:
            conn.execute(
                sa.text(
                    "INSERT INTO stick_custody (issued_item_id, label, serial, bundle, "
                    "issued_at, due_on, files, returned_at, received_by, problems) VALUES "
                    "(:item, :label, :serial, :bundle, :issued_at, :due_on, :files, "
                    ":returned_at, :received_by, :problems)"
                ),
                {"item": item, **values},
            )
    op.drop_index("ix_custody_events_stick_id", "custody_events")
    op.drop_table("custody_events")
