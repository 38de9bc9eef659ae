"""Answer sheets keep the layout they were printed with (casekit.sheets.layout, one
JSON object per page), so a scan is read with the exact geometry on the paper even
after casekit's layout changes.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sheets") as batch:
        batch.add_column(sa.Column("layout", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("sheets") as batch:
        batch.drop_column("layout")
