"""The register keeps what the paper loop needs to present a course version's sheets
without the course's sources: per course version its title, language and own
labels (``course_versions``, recorded when its sheets are issued), and per sheet
its title line as printed. Sheets issued before stay without them (review and
grade then fall back to the learner's language); issuing the packets again
records them.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("course_version", sa.String(50), nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("labels", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint(
            "course_id", "course_version", name="uq_course_versions_course_version"
        ),
    )
    with op.batch_alter_table("sheets") as batch:
        batch.add_column(sa.Column("title", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("sheets") as batch:
        batch.drop_column("title")
    op.drop_table("course_versions")
