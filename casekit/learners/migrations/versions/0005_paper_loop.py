"""The paper loop: answer keys recorded when sheets are issued, scanned pages as
versioned submissions (with the crops kept for the teacher), and the review list
of pages and questions a person must settle.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("course_version", sa.String(50), nullable=False),
        sa.Column("question", sa.String(64), nullable=False),
        sa.Column("quiz", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("correct", sa.String(200), nullable=False),
        sa.UniqueConstraint(
            "course_id", "course_version", "question", name="uq_answer_keys_course_question"
        ),
    )
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("marks_sha256", sa.String(64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("images", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("page", sa.Integer, nullable=False, server_default="1"),
        sa.Column("source_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column(
            "sheet_id",
            sa.String(24),
            sa.ForeignKey("sheets.id", ondelete="CASCADE", name="fk_reviews_sheet_id"),
            nullable=True,
        ),
        sa.Column("sheet_page", sa.Integer, nullable=False, server_default="1"),
        sa.Column("reading", sa.Text, nullable=False, server_default=""),
        sa.Column("images", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("decided_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        sa.Column("decision", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("reviews")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("images")
        batch.drop_column("marks_sha256")
        batch.drop_column("version")
    op.drop_table("answer_keys")
