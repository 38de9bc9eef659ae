"""The first register schema: facilities, groups, learners, enrolments, issued
items, answer sheets, submissions and results.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.UniqueConstraint("code", name="uq_facilities_code"),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column(
            "facility_id",
            sa.Integer,
            sa.ForeignKey("facilities.id", name="fk_groups_facility_id"),
            nullable=True,
        ),
        sa.UniqueConstraint("code", name="uq_groups_code"),
    )
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("last_name", sa.String(200), nullable=False),
        sa.Column("first_name", sa.String(200), nullable=False),
        sa.Column("middle_name", sa.String(200), nullable=False, server_default=""),
        sa.Column(
            "group_id",
            sa.Integer,
            sa.ForeignKey("groups.id", name="fk_learners_group_id"),
            nullable=False,
        ),
        sa.Column("language", sa.String(8), nullable=False, server_default=""),
        sa.Column("accommodations", sa.String(200), nullable=False, server_default=""),
        sa.Column("withdrawn_on", sa.Date, nullable=True),
        sa.UniqueConstraint("code", name="uq_learners_code"),
    )
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", name="fk_enrolments_learner_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("course_version", sa.String(50), nullable=False),
        sa.Column("programme", sa.String(50), nullable=False, server_default=""),
        sa.Column("credits", sa.Float, nullable=False, server_default="0"),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("hours_per_week", sa.Float, nullable=False),
        sa.Column("study_days", sa.String(40), nullable=False),
        sa.Column("consultations", sa.String(200), nullable=False, server_default=""),
        sa.Column("holidays", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("learner_id", "course_id", name="uq_enrolments_learner_course"),
    )
    op.create_table(
        "issued_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", name="fk_issued_items_learner_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("course_version", sa.String(50), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False, server_default=""),
        sa.UniqueConstraint("kind", "item_id", name="uq_issued_items_kind_item"),
    )
    op.create_table(
        "sheets",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", name="fk_sheets_learner_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("course_version", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("packet_id", sa.String(64), nullable=False, server_default=""),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "sheet_id",
            sa.String(24),
            sa.ForeignKey("sheets.id", name="fk_submissions_sheet_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("source_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("page", sa.Integer, nullable=False, server_default="1"),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("marks", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "sheet_id",
            sa.String(24),
            sa.ForeignKey("sheets.id", name="fk_results_sheet_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "submission_id",
            sa.Integer,
            sa.ForeignKey("submissions.id", name="fk_results_submission_id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("max_score", sa.Float, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("decided_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    for table in (
        "results",
        "submissions",
        "sheets",
        "issued_items",
        "enrolments",
        "learners",
        "groups",
        "facilities",
    ):
        op.drop_table(table)
