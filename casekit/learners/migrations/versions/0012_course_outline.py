"""Each course version recorded at issue keeps what ``casekit report`` needs without
the course's sources: the course's date, its answer sheets in packet order (kind,
item, title as printed, the lessons whose deadlines apply) and its lessons' hours
and whether they have work to hand in (the deadlines). Versions recorded before have
none until their packets are issued again.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("course_versions") as batch:
        batch.add_column(sa.Column("outline", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("course_versions") as batch:
        batch.drop_column("outline")
