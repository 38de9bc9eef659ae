"""The register's tables as SQLAlchemy Core objects, for the register's queries.

Migrations in ``migrations/versions`` are the history and never import this
module; a test checks that the migrated database and these tables agree.
"""

from __future__ import annotations

import sqlalchemy as sa

from casekit.learners.records import CODE, NAME, SHEET_ID

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = sa.MetaData(naming_convention=NAMING)


facilities = sa.Table(
    "facilities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(CODE), nullable=False, unique=True),
    sa.Column("name", sa.String(NAME), nullable=False, server_default=""),
)

groups = sa.Table(
    "groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(CODE), nullable=False, unique=True),
    sa.Column("facility_id", sa.ForeignKey("facilities.id"), nullable=True),
)

learners = sa.Table(
    "learners",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(CODE), nullable=False, unique=True),
    sa.Column("last_name", sa.String(NAME), nullable=False),
    sa.Column("first_name", sa.String(NAME), nullable=False),
    sa.Column("middle_name", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("group_id", sa.ForeignKey("groups.id"), nullable=False),
    sa.Column("language", sa.String(8), nullable=False, server_default=""),
    sa.Column("accommodations", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("withdrawn_on", sa.Date, nullable=True),
)

enrolments = sa.Table(
    "enrolments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("learner_id", sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("course_id", sa.String(100), nullable=False),
    sa.Column("course_version", sa.String(50), nullable=False),
    sa.Column("programme", sa.String(50), nullable=False, server_default=""),
    sa.Column("credits", sa.Float, nullable=False, server_default="0"),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("hours_per_week", sa.Float, nullable=False),
    sa.Column("study_days", sa.String(40), nullable=False),
    sa.Column("consultations", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("holidays", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("learner_id", "course_id", name="uq_enrolments_learner_course"),
)

issued_items = sa.Table(
    "issued_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("item_id", sa.String(CODE), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # packet | stick
    sa.Column("learner_id", sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("course_id", sa.String(100), nullable=False),
    sa.Column("course_version", sa.String(50), nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("issued_by", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("sha256", sa.String(64), nullable=False, server_default=""),  # of the packet PDF
    sa.UniqueConstraint("kind", "item_id", name="uq_issued_items_kind_item"),
)

custody_events = sa.Table(
    "custody_events",  # append-only: every issue and return of a stick, never updated
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("stick_id", sa.String(CODE), nullable=False, index=True),
    sa.Column("event", sa.String(16), nullable=False),  # issued | returned
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("learner_id", sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("by_whom", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("course_id", sa.String(100), nullable=False),
    sa.Column("course_version", sa.String(50), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),  # the issued content fingerprint
    sa.Column("bundle", sa.String(NAME), nullable=False),  # the bundle folder's name
    sa.Column("label", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("serial", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("due_on", sa.Date, nullable=True),
    # issued: JSON {path: [size, sha256]}; returned: JSON list of problems
    sa.Column("files", sa.Text, nullable=False, server_default=""),
    sa.Column("problems", sa.Text, nullable=False, server_default=""),
)

sheets = sa.Table(
    "sheets",
    metadata,
    sa.Column("id", sa.String(SHEET_ID), primary_key=True),
    sa.Column("learner_id", sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("course_id", sa.String(100), nullable=False),
    sa.Column("course_version", sa.String(50), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # assignment | quiz
    # the assignment's anchor or the module's id (casekit.sheets.layout's item)
    sa.Column("target", sa.String(CODE), nullable=False),
    sa.Column("packet_id", sa.String(CODE), nullable=False, server_default=""),
    sa.Column("layout", sa.Text, nullable=False, server_default=""),  # JSON list of pages
    sa.Column("title", sa.Text, nullable=False, server_default=""),  # as printed
)

course_versions = sa.Table(
    "course_versions",  # what presenting a course version's sheets needs, without its sources
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("course_id", sa.String(100), nullable=False),
    sa.Column("course_version", sa.String(50), nullable=False),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("language", sa.String(35), nullable=False),  # BCP 47 tag, as course.toml has it
    sa.Column("labels", sa.Text, nullable=False, server_default=""),  # JSON {key: words}
    # JSON {question key: [text, accepted answer]}
    sa.Column("questions", sa.Text, nullable=False, server_default=""),
    # JSON {"date", "sheets": [[kind, item, title, [lesson ids]]], "lessons": [[id, hours,
    # has work]]}: what casekit report needs (0012; "" when recorded before)
    sa.Column("outline", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("course_id", "course_version", name="uq_course_versions_course_version"),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sheet_id", sa.ForeignKey("sheets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("received_at", sa.DateTime, nullable=False),
    sa.Column("source", sa.String(500), nullable=False, server_default=""),
    sa.Column("source_sha256", sa.String(64), nullable=False, server_default=""),
    sa.Column("page", sa.Integer, nullable=False, server_default="1"),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("marks", sa.Text, nullable=False, server_default=""),  # JSON
    # the n-th different reading of this sheet page (a re-scan with other marks)
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    # what makes two scans the same: their marks (quiz pages) or their pixels
    sa.Column("marks_sha256", sa.String(64), nullable=False, server_default=""),
    # crops kept for the teacher: JSON {area key: file} in the register's own folder
    sa.Column("images", sa.Text, nullable=False, server_default=""),
    # JSON [area key]: the open-answer areas with nothing written in them (0013)
    sa.Column("blank", sa.Text, nullable=False, server_default=""),
    sa.Column("handed_in", sa.Date, nullable=True),  # when told; else the day scanned
)

results = sa.Table(
    "results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sheet_id", sa.ForeignKey("sheets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("submission_id", sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("max_score", sa.Float, nullable=True),
    sa.Column("decided_by", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("decided_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    # the area key of the written answer a teacher marked; "" for a sheet's or a page's grade
    sa.Column("question", sa.String(CODE), nullable=False, server_default=""),
)

answer_keys = sa.Table(
    "answer_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("course_id", sa.String(100), nullable=False),
    sa.Column("course_version", sa.String(50), nullable=False),
    sa.Column("question", sa.String(CODE), nullable=False),  # casekit.sheets.layout key
    sa.Column("quiz", sa.String(50), nullable=False),  # the quiz's number, "1.2"
    sa.Column("kind", sa.String(16), nullable=False),  # single | multiple
    sa.Column("correct", sa.String(200), nullable=False),  # option indices, "0 2"
    sa.UniqueConstraint(
        "course_id", "course_version", "question", name="uq_answer_keys_course_question"
    ),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("source", sa.String(500), nullable=False, server_default=""),
    sa.Column("page", sa.Integer, nullable=False, server_default="1"),
    sa.Column("source_sha256", sa.String(64), nullable=False, server_default=""),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("sheet_id", sa.ForeignKey("sheets.id", ondelete="CASCADE"), nullable=True),
    sa.Column("sheet_page", sa.Integer, nullable=False, server_default="1"),
    sa.Column("reading", sa.Text, nullable=False, server_default=""),  # JSON marks as read
    sa.Column("images", sa.Text, nullable=False, server_default=""),  # JSON {name: file}
    sa.Column("handed_in", sa.Date, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("decided_by", sa.String(NAME), nullable=False, server_default=""),
    sa.Column("decided_at", sa.DateTime, nullable=True),
    sa.Column("decision", sa.Text, nullable=False, server_default=""),  # JSON
)
