"""A scanned page keeps the day the learner handed the paper in, when the person
scanning says so (``casekit scan --handed-in``): pages are often scanned days
after they were collected, and lateness against the study plan is judged by the
day handed in. Pages on the review list keep it for the submission they settle.
Empty for earlier pages: the day they were scanned counts.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("submissions", "reviews"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("handed_in", sa.Date, nullable=True))


def downgrade() -> None:
    for table in ("submissions", "reviews"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("handed_in")
