"""Each course version recorded at issue keeps the text of its self-check questions
(and the accepted answer of a short question), so the teacher reads a written
answer beside its question without the course's sources. Versions recorded
before have none until their packets are issued again.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("course_versions") as batch:
        batch.add_column(sa.Column("questions", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("course_versions") as batch:
        batch.drop_column("questions")
