"""Custody of sticks (issue 16): for each stick issued, what it carried (the bundle,
every file's size) and when it is due; on return, when, who received it and what
was found changed, removed or added.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stick_custody",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "issued_item_id",
            sa.Integer,
            sa.ForeignKey(
                "issued_items.id",
                ondelete="CASCADE",
                name="fk_stick_custody_issued_item_id",
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


def downgrade() -> None:
    op.drop_table("stick_custody")
