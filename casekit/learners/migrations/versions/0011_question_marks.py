"""A teacher's mark can be for one written answer of a self-check sheet
(``casekit grade LEARNER module-2 1 --of 2 --question 2.2/1``): ``results.question``
holds the layout's area key of the question marked, empty for a grade of a
whole sheet (or of a page, as the scan and review record them).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("question", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.drop_column("question")
