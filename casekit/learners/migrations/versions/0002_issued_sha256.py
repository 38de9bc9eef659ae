"""Issued items keep the SHA-256 of what was handed out (a packet PDF), so staff
can check that a printed or re-printed packet is the one recorded.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_items") as batch:
        batch.add_column(sa.Column("sha256", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("issued_items") as batch:
        batch.drop_column("sha256")
