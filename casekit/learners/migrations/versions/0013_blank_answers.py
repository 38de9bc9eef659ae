"""Each scanned page records which of its open-answer areas hold no writing
(``casekit/scan/areas.py``), so the teacher sees "no answer" beside the crop:
``submissions.blank``, a JSON list of area keys; "" for pages scanned before, whose
areas all count as written. (A page waiting for review keeps the same list in its
``reading``.)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("blank", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("blank")
