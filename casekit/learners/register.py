"""The learner register: the only module that touches the database (with its
part for the paper loop, ``paper_records``).

One SQLite file by default (created on first use, owner-only, WAL, a busy
timeout; write transactions start with ``BEGIN IMMEDIATE`` so two casekit
processes queue instead of failing with "database is locked"), or PostgreSQL
by URL for a register shared by several facilities (writers queue on an
advisory lock). Alembic migrations bring a register made by an older casekit
up to date when it is opened; one made by a newer casekit is refused.

Scanned images live in the register's own folder beside it (owner-only):
``<register file>.files/``, or for PostgreSQL one under casekit's data folder
named after the database.

Every method takes and returns the typed records of ``records``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from casekit.diagnostics import CasekitError, error
from casekit.learners import REGISTER_ENV
from casekit.learners import schema as s
from casekit.learners.paper_records import PaperRecords, image_names
from casekit.learners.records import (
    AnswerKey,
    Consultation,
    CourseVersion,
    CustodyEvent,
    Enrolment,
    ImportSummary,
    Inventory,
    IssuedItem,
    Learner,
    LessonLoad,
    RosterRow,
    Sheet,
    SheetPlan,
    StickCustody,
)

BUSY_TIMEOUT_MS = 60_000
_PG_LOCK = 0x6361_7365  # "case": the advisory lock every PostgreSQL writer takes
MIGRATIONS = Path(__file__).with_name("migrations")


def default_location() -> str:
    """``$CASEKIT_REGISTER``, else ``register.sqlite`` in casekit's data folder."""
    if os.environ.get(REGISTER_ENV):
        return os.environ[REGISTER_ENV]
    return str(_data_home() / "casekit" / "register.sqlite")


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


class Register(PaperRecords):
    """An open register. Use ``open_register``; close it (or use it as a context manager)."""

    def __init__(self, engine: sa.Engine, where: str, files: Path) -> None:
        self.engine = engine
        self.where = where  # file path or URL without password: for messages
        self.files = files  # its own folder for scanned images (created owner-only on use)

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction that holds the register's write lock from its start."""
        with self._errors(), self.engine.connect() as conn:
            conn = conn.execution_options(casekit_write=True)
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK)))
                yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.DBAPIError as exc:
            raise _database_error(self.where, exc) from None

    def fail(self, message: str, code: str) -> CasekitError:
        return error(self.where, message, code)

    # ------------------------------------------------------------------ learners

    def import_roster(self, rows: list[RosterRow]) -> ImportSummary:
        """Add or update learners by code, in one transaction."""
        summary = ImportSummary()
        with self._write() as conn:
            facility_ids = {r.code: r.id for r in conn.execute(sa.select(s.facilities))}
            group_rows = {r.code: r for r in conn.execute(sa.select(s.groups))}
            existing = {
                r.code: r
                for r in conn.execute(
                    sa.select(s.learners).where(
                        s.learners.c.code.in_([row.learner.code for row in rows])
                    )
                )
            }
            for row in rows:
                learner = row.learner
                facility_id = None
                if learner.facility:
                    facility_id = facility_ids.get(learner.facility)
                    if facility_id is None:
                        facility_id = conn.execute(
                            sa.insert(s.facilities).values(
                                code=learner.facility, name=row.facility_name
                            )
                        ).inserted_primary_key[0]
                        facility_ids[learner.facility] = facility_id
                    elif row.facility_name:
                        conn.execute(
                            sa.update(s.facilities)
                            .where(s.facilities.c.id == facility_id)
                            .values(name=row.facility_name)
                        )
                group = group_rows.get(learner.group)
                if group is None:
                    group_id = conn.execute(
                        sa.insert(s.groups).values(code=learner.group, facility_id=facility_id)
                    ).inserted_primary_key[0]
                    group_rows[learner.group] = conn.execute(
                        sa.select(s.groups).where(s.groups.c.id == group_id)
                    ).one()
                else:
                    group_id = group.id
                    if facility_id is not None and group.facility_id != facility_id:
                        conn.execute(
                            sa.update(s.groups)
                            .where(s.groups.c.id == group_id)
                            .values(facility_id=facility_id)
                        )
                values = _learner_values(learner, group_id)
                old = existing.get(learner.code)
                if old is None:
                    conn.execute(sa.insert(s.learners).values(**values))
                    summary.added.append(learner.code)
                elif any(getattr(old, key) != value for key, value in values.items()):
                    conn.execute(
                        sa.update(s.learners).where(s.learners.c.id == old.id).values(**values)
                    )
                    summary.updated.append(learner.code)
                else:
                    summary.unchanged.append(learner.code)
        return summary

    def learners(self, group: str | None = None, *, active_only: bool = False) -> list[Learner]:
        """Learners sorted by code; of one group when ``group`` is given."""
        query = _learner_query()
        if group is not None:
            query = query.where(s.groups.c.code == group)
        if active_only:
            query = query.where(s.learners.c.withdrawn_on.is_(None))
        with self._read() as conn:
            return [_learner(row) for row in conn.execute(query.order_by(s.learners.c.code))]

    def learner(self, code: str) -> Learner:
        with self._read() as conn:
            row = conn.execute(_learner_query().where(s.learners.c.code == code)).first()
        if row is None:
            raise self.fail(f"no learner with the code {code!r} in the register", "unknown-learner")
        return _learner(row)

    def groups(self) -> list[str]:
        with self._read() as conn:
            return list(conn.scalars(sa.select(s.groups.c.code).order_by(s.groups.c.code)))

    def require_group(self, group: str) -> None:
        """Refuse a group the register does not know, naming the ones it does."""
        known = self.groups()
        if group not in known:
            names = ", ".join(known) if known else "none yet: import a roster first"
            raise self.fail(f"unknown group {group!r} (groups: {names})", "unknown-group")

    def withdraw(self, code: str, on: dt.date) -> None:
        """Mark a learner as withdrawn: kept in the register, left out of new packets."""
        with self._write() as conn:
            done = conn.execute(
                sa.update(s.learners).where(s.learners.c.code == code).values(withdrawn_on=on)
            )
            if done.rowcount == 0:
                raise self.fail(f"no learner with the code {code!r}", "unknown-learner")

    def purge(self, code: str) -> None:
        """Delete a learner and everything recorded about them, for real.

        SQLite overwrites the freed pages (``secure_delete``) and the write-ahead
        log is truncated, so the data is gone from the files too; the scanned
        images kept for the learner's sheets are deleted."""
        with self._write() as conn:
            learner_id = conn.scalar(sa.select(s.learners.c.id).where(s.learners.c.code == code))
            if learner_id is None:
                raise self.fail(f"no learner with the code {code!r}", "unknown-learner")
            sheet_ids = sa.select(s.sheets.c.id).where(s.sheets.c.learner_id == learner_id)
            images = [
                name
                for table in (s.submissions, s.reviews)
                for name in image_names(
                    conn.scalars(sa.select(table.c.images).where(table.c.sheet_id.in_(sheet_ids)))
                )
            ]
            conn.execute(sa.delete(s.results).where(s.results.c.sheet_id.in_(sheet_ids)))
            for table in (s.submissions, s.reviews):
                conn.execute(sa.delete(table).where(table.c.sheet_id.in_(sheet_ids)))
            for table in (s.sheets, s.custody_events, s.issued_items, s.enrolments):
                conn.execute(sa.delete(table).where(table.c.learner_id == learner_id))
            conn.execute(sa.delete(s.learners).where(s.learners.c.id == learner_id))
        self._scrub(images)

    # ------------------------------------------------------------------ enrolments

    def enrol(
        self,
        group: str,
        plan: Enrolment,
        credit_limit: float | None = None,
        only: tuple[str, ...] = (),
    ) -> list[str]:
        """Enrol every active learner of ``group`` (or ``only`` these of them, e.g. one
        who joined later; ``plan.learner`` is ignored) in one course version, all or
        nothing. Refuses a learner already enrolled in
        the course, and one whose DLT credits in ``plan.programme`` would go over
        ``credit_limit``. Returns the learner codes enrolled."""
        with self._write() as conn:
            rows = conn.execute(
                sa.select(s.learners.c.id, s.learners.c.code)
                .join(s.groups, s.learners.c.group_id == s.groups.c.id)
                .where(s.groups.c.code == group, s.learners.c.withdrawn_on.is_(None))
                .order_by(s.learners.c.code)
            ).all()
            if only:
                missing = sorted(set(only) - {row.code for row in rows})
                if missing:
                    raise self.fail(
                        f"{missing[0]!r} is not an active learner of group {group!r}",
                        "unknown-learner",
                    )
                rows = [row for row in rows if row.code in only]
            if not rows:
                raise self.fail(f"group {group!r} has no active learners", "empty-group")
            ids = [row.id for row in rows]
            twice = conn.execute(
                sa.select(s.learners.c.code, s.enrolments.c.course_version)
                .join(s.enrolments, s.enrolments.c.learner_id == s.learners.c.id)
                .where(s.enrolments.c.learner_id.in_(ids))
                .where(s.enrolments.c.course_id == plan.course_id)
                .order_by(s.learners.c.code)
            ).first()
            if twice is not None:
                raise self.fail(
                    f"learner {twice.code} is already enrolled in {plan.course_id} "
                    f"(version {twice.course_version}); nothing was enrolled",
                    "enrolled-twice",
                )
            if credit_limit is not None and plan.programme:
                used = dict(
                    conn.execute(
                        sa.select(s.learners.c.code, sa.func.sum(s.enrolments.c.credits))
                        .join(s.enrolments, s.enrolments.c.learner_id == s.learners.c.id)
                        .where(s.enrolments.c.learner_id.in_(ids))
                        .where(s.enrolments.c.programme == plan.programme)
                        .group_by(s.learners.c.code)
                    ).all()
                )
                for code in sorted(used) + sorted(set(r.code for r in rows) - set(used)):
                    total = (used.get(code) or 0.0) + plan.credits
                    if total > credit_limit + 1e-9:
                        raise self.fail(
                            f"learner {code} would study {total:g} credits of the "
                            f"'{plan.programme}' programme by DLT, over the limit of "
                            f"{credit_limit:g} (Rules on DLT, Order 374); nothing was enrolled",
                            "credit-limit",
                        )
            conn.execute(
                sa.insert(s.enrolments),
                [{**_enrolment_values(plan), "learner_id": learner_id} for learner_id in ids],
            )
        return [row.code for row in rows]

    def enrolments(
        self, *, course_id: str | None = None, group: str | None = None, learner: str | None = None
    ) -> list[Enrolment]:
        query = (
            sa.select(s.enrolments, s.learners.c.code.label("learner_code"))
            .select_from(s.enrolments)
            .join(s.learners, s.enrolments.c.learner_id == s.learners.c.id)
            .join(s.groups, s.learners.c.group_id == s.groups.c.id)
            .order_by(s.learners.c.code, s.enrolments.c.course_id)
        )
        if course_id is not None:
            query = query.where(s.enrolments.c.course_id == course_id)
        if group is not None:
            query = query.where(s.groups.c.code == group)
        if learner is not None:
            query = query.where(s.learners.c.code == learner)
        with self._read() as conn:
            return [_enrolment(row) for row in conn.execute(query)]

    # ------------------------------------------------------------------ packets and sheets

    def record_issue(
        self,
        items: Iterable[IssuedItem],
        sheets: Iterable[Sheet],
        keys: Iterable[AnswerKey] = (),
        course: CourseVersion | None = None,
    ) -> None:
        """Record packets (or sticks) as issued with their answer sheets, the
        answer keys that grade them and the ``course`` version they come from, in
        one transaction. Issuing the same packet again updates its date and
        issuer, a sheet printed again its packet, layout and title, the course
        version its title, language and labels; a course version's answer key
        never changes once recorded."""
        items, sheets = list(items), list(sheets)
        with self._write() as conn:
            self._record_keys(conn, list(keys))
            if course is not None:
                self._record_course(conn, course)
            codes = {i.learner for i in items} | {sh.learner for sh in sheets}
            ids = dict(
                conn.execute(
                    sa.select(s.learners.c.code, s.learners.c.id).where(
                        s.learners.c.code.in_(codes)
                    )
                ).all()
            )
            missing = sorted(codes - set(ids))
            if missing:
                raise self.fail(f"no learner with the code {missing[0]!r}", "unknown-learner")
            known_items = set(
                conn.execute(
                    sa.select(s.issued_items.c.kind, s.issued_items.c.item_id).where(
                        s.issued_items.c.item_id.in_([i.item_id for i in items])
                    )
                ).all()
            )
            for item in items:
                values = {
                    "item_id": item.item_id,
                    "kind": item.kind,
                    "learner_id": ids[item.learner],
                    "course_id": item.course_id,
                    "course_version": item.course_version,
                    "issued_on": item.issued_on,
                    "issued_by": item.issued_by,
                    "sha256": item.sha256,
                }
                if (item.kind, item.item_id) in known_items:
                    conn.execute(
                        sa.update(s.issued_items)
                        .where(s.issued_items.c.kind == item.kind)
                        .where(s.issued_items.c.item_id == item.item_id)
                        .values(**values)
                    )
                else:
                    conn.execute(sa.insert(s.issued_items).values(**values))
            known_sheets = set(
                conn.scalars(
                    sa.select(s.sheets.c.id).where(s.sheets.c.id.in_([sh.id for sh in sheets]))
                )
            )
            new = [
                {
                    "id": sh.id,
                    "learner_id": ids[sh.learner],
                    "course_id": sh.course_id,
                    "course_version": sh.course_version,
                    "kind": sh.kind,
                    "target": sh.target,
                    "packet_id": sh.packet,
                    "layout": sh.layout,
                    "title": sh.title,
                }
                for sh in sheets
                if sh.id not in known_sheets
            ]
            if new:
                conn.execute(sa.insert(s.sheets), new)
            for sh in sheets:  # printed again: the layout and packet of this printing
                if sh.id in known_sheets:
                    conn.execute(
                        sa.update(s.sheets)
                        .where(s.sheets.c.id == sh.id)
                        .values(packet_id=sh.packet, layout=sh.layout, title=sh.title)
                    )

    def _record_course(self, conn: sa.Connection, course: CourseVersion) -> None:
        c = s.course_versions.c
        values = {
            "course_id": course.course_id,
            "course_version": course.course_version,
            "title": course.title,
            "language": course.language,
            "labels": json.dumps(course.labels, ensure_ascii=False, sort_keys=True),
            "questions": json.dumps(
                {k: list(v) for k, v in course.questions.items()}, ensure_ascii=False
            ),
            "outline": _outline_json(course),
        }
        done = conn.execute(
            sa.update(s.course_versions)
            .where(c.course_id == course.course_id, c.course_version == course.course_version)
            .values(**values)
        )
        if done.rowcount == 0:
            conn.execute(sa.insert(s.course_versions).values(**values))

    def course_version(self, course_id: str, version: str) -> CourseVersion | None:
        """What was recorded of a course version when its sheets were issued."""
        c = s.course_versions.c
        query = sa.select(s.course_versions).where(
            c.course_id == course_id, c.course_version == version
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return None if row is None else _course_version(row)

    def course_versions(self) -> list[CourseVersion]:
        """Every course version recorded at issue, in the order first recorded."""
        query = sa.select(s.course_versions).order_by(s.course_versions.c.id)
        with self._read() as conn:
            return [_course_version(row) for row in conn.execute(query)]

    def issued(self, *, learner: str | None = None, kind: str | None = None) -> list[IssuedItem]:
        query = (
            sa.select(s.issued_items, s.learners.c.code.label("learner_code"))
            .select_from(s.issued_items)
            .join(s.learners, s.issued_items.c.learner_id == s.learners.c.id)
            .order_by(s.learners.c.code, s.issued_items.c.item_id)
        )
        if learner is not None:
            query = query.where(s.learners.c.code == learner)
        if kind is not None:
            query = query.where(s.issued_items.c.kind == kind)
        with self._read() as conn:
            return [_issued_item(row) for row in conn.execute(query)]

    def sheet(self, sheet_id: str) -> Sheet | None:
        """The answer sheet a scanned QR code names, or ``None``."""
        with self._read() as conn:
            row = conn.execute(_sheet_query().where(s.sheets.c.id == sheet_id)).first()
        return None if row is None else _sheet(row)

    def sheets(self, learner: str) -> list[Sheet]:
        with self._read() as conn:
            query = _sheet_query().where(s.learners.c.code == learner).order_by(s.sheets.c.id)
            return [_sheet(row) for row in conn.execute(query)]

    # ------------------------------------------------------------------ custody of sticks

    def issue_stick(self, custody: StickCustody) -> None:
        """Record a stick handed to a learner; refused while the stick is still out.
        The stick's earlier issues and returns stay in its history."""
        current = self.stick(custody.item.item_id)
        if current is not None and current.out:
            raise self.fail(
                f"the stick {custody.item.item_id!r} is still out (issued to "
                f"{current.item.learner} on {current.item.issued_on}): record its return first",
                "stick-out",
            )
        self.record_issue([custody.item], [])
        item = custody.item
        with self._write() as conn:
            learner_id = conn.scalar(
                sa.select(s.learners.c.id).where(s.learners.c.code == item.learner)
            )
            conn.execute(
                sa.insert(s.custody_events).values(
                    stick_id=item.item_id,
                    event="issued",
                    at=custody.issued_at,
                    learner_id=learner_id,
                    by_whom=item.issued_by,
                    course_id=item.course_id,
                    course_version=item.course_version,
                    sha256=item.sha256,
                    bundle=custody.bundle,
                    label=custody.label,
                    serial=custody.serial,
                    due_on=custody.due_on,
                    files=json.dumps(
                        {p: list(v) for p, v in custody.files.items()},
                        ensure_ascii=False,
                        sort_keys=True,
                    ),
                )
            )

    def return_stick(
        self, stick_id: str, returned_at: dt.datetime, received_by: str, problems: list[str]
    ) -> None:
        current = self.stick(stick_id)
        if current is None or not current.out:
            raise self.fail(f"the stick {stick_id!r} is not out", "stick-not-out")
        item = current.item
        with self._write() as conn:
            learner_id = conn.scalar(
                sa.select(s.learners.c.id).where(s.learners.c.code == item.learner)
            )
            conn.execute(
                sa.insert(s.custody_events).values(
                    stick_id=stick_id,
                    event="returned",
                    at=returned_at,
                    learner_id=learner_id,
                    by_whom=received_by,
                    course_id=item.course_id,
                    course_version=item.course_version,
                    sha256=item.sha256,
                    bundle=current.bundle,
                    label=current.label,
                    serial=current.serial,
                    due_on=current.due_on,
                    problems=json.dumps(problems, ensure_ascii=False),
                )
            )

    def stick(self, stick_id: str) -> StickCustody | None:
        found = self.custody(stick_id=stick_id)
        return found[0] if found else None

    def custody_history(self, *, stick_id: str | None = None) -> list[CustodyEvent]:
        """Every issue and return, oldest first (of one stick, or of all)."""
        with self._read() as conn:
            return [_custody_event(row) for row in conn.execute(_events_query(stick_id))]

    def custody(self, *, stick_id: str | None = None) -> list[StickCustody]:
        """Each stick's latest issue and the return that followed it, by stick id."""
        latest: dict[str, StickCustody] = {}
        with self._read() as conn:
            for row in conn.execute(_events_query(stick_id)):
                if row.event == "issued":
                    latest[row.stick_id] = _custody(row)
                elif row.stick_id in latest:
                    latest[row.stick_id] = dataclasses.replace(
                        latest[row.stick_id],
                        returned_at=row.at,
                        received_by=row.by_whom,
                        problems=tuple(json.loads(row.problems or "[]")),
                    )
        return [latest[key] for key in sorted(latest)]


# ---------------------------------------------------------------------- rows <-> records


def _issued_item(row: sa.Row) -> IssuedItem:
    """An issued item from a row of ``issued_items`` joined with the learner's code."""
    return IssuedItem(
        item_id=row.item_id,
        kind=row.kind,
        learner=row.learner_code,
        course_id=row.course_id,
        course_version=row.course_version,
        issued_on=row.issued_on,
        issued_by=row.issued_by,
        sha256=row.sha256,
    )


def _events_query(stick_id: str | None) -> sa.Select:
    query = (
        sa.select(s.custody_events, s.learners.c.code.label("learner_code"))
        .select_from(s.custody_events)
        .join(s.learners, s.custody_events.c.learner_id == s.learners.c.id)
        .order_by(s.custody_events.c.stick_id, s.custody_events.c.id)
    )
    return query if stick_id is None else query.where(s.custody_events.c.stick_id == stick_id)


def _inventory(text: str) -> Inventory:
    """Files issued: ``{path: [size, sha256]}`` (or ``{path: size}`` as 0003 kept them)."""
    found = json.loads(text or "{}")
    return {p: (v, "") if isinstance(v, int) else (int(v[0]), str(v[1])) for p, v in found.items()}


def _custody(row: sa.Row) -> StickCustody:
    """A stick as its ``issued`` event recorded it."""
    item = IssuedItem(
        row.stick_id, "stick", row.learner_code, row.course_id, row.course_version,
        row.at.date(), row.by_whom, row.sha256,
    )  # fmt: skip
    return StickCustody(
        item=item,
        bundle=row.bundle,
        issued_at=row.at,
        files=_inventory(row.files),
        label=row.label,
        serial=row.serial,
        due_on=row.due_on,
    )


def _custody_event(row: sa.Row) -> CustodyEvent:
    return CustodyEvent(
        stick_id=row.stick_id,
        event=row.event,
        at=row.at,
        learner=row.learner_code,
        course_id=row.course_id,
        course_version=row.course_version,
        sha256=row.sha256,
        by=row.by_whom,
        label=row.label,
        serial=row.serial,
        due_on=row.due_on,
        problems=tuple(json.loads(row.problems)) if row.problems else (),
    )


def _learner_query() -> sa.Select:
    return (
        sa.select(
            s.learners,
            s.groups.c.code.label("group_code"),
            s.facilities.c.code.label("facility_code"),
        )
        .join(s.groups, s.learners.c.group_id == s.groups.c.id)
        .outerjoin(s.facilities, s.groups.c.facility_id == s.facilities.c.id)
    )


def _learner(row: sa.Row) -> Learner:
    return Learner(
        code=row.code,
        last_name=row.last_name,
        first_name=row.first_name,
        middle_name=row.middle_name,
        group=row.group_code,
        facility=row.facility_code or "",
        language=row.language,
        accommodations=tuple(a for a in row.accommodations.split() if a),
        withdrawn_on=row.withdrawn_on,
    )


def _learner_values(learner: Learner, group_id: int) -> dict[str, object]:
    return {
        "code": learner.code,
        "last_name": learner.last_name,
        "first_name": learner.first_name,
        "middle_name": learner.middle_name,
        "group_id": group_id,
        "language": learner.language,
        "accommodations": " ".join(learner.accommodations),
        "withdrawn_on": learner.withdrawn_on,
    }


def _enrolment_values(plan: Enrolment) -> dict[str, object]:
    return {
        "course_id": plan.course_id,
        "course_version": plan.course_version,
        "programme": plan.programme,
        "credits": plan.credits,
        "start_date": plan.start,
        "hours_per_week": plan.hours_per_week,
        "study_days": " ".join(str(d) for d in plan.study_days),
        "consultations": "; ".join(f"{c.weekday} {c.time:%H:%M}" for c in plan.consultations),
        "holidays": " ".join(d.isoformat() for d in plan.holidays),
    }


def _enrolment(row: sa.Row) -> Enrolment:
    consultations = []
    for part in filter(None, row.consultations.split("; ")):
        day, time = part.split()
        consultations.append(Consultation(int(day), dt.time.fromisoformat(time)))
    return Enrolment(
        learner=row.learner_code,
        course_id=row.course_id,
        course_version=row.course_version,
        start=row.start_date,
        hours_per_week=row.hours_per_week,
        study_days=tuple(int(d) for d in row.study_days.split()),
        consultations=tuple(consultations),
        holidays=tuple(dt.date.fromisoformat(d) for d in row.holidays.split()),
        programme=row.programme,
        credits=row.credits,
    )


def _sheet_query() -> sa.Select:
    return (
        sa.select(s.sheets, s.learners.c.code.label("learner_code"))
        .select_from(s.sheets)
        .join(s.learners, s.sheets.c.learner_id == s.learners.c.id)
    )


def _course_version(row: sa.Row) -> CourseVersion:
    questions = {k: (v[0], v[1]) for k, v in json.loads(row.questions or "{}").items()}
    labels = json.loads(row.labels or "{}")
    outline = json.loads(row.outline or "{}")
    return CourseVersion(
        row.course_id,
        row.course_version,
        row.title,
        row.language,
        labels,
        questions,
        dt.date.fromisoformat(outline["date"]) if outline.get("date") else None,
        tuple(SheetPlan(k, i, t, tuple(ls)) for k, i, t, ls in outline.get("sheets", [])),
        tuple(LessonLoad(i, h, w) for i, h, w in outline.get("lessons", [])),
    )


def _outline_json(course: CourseVersion) -> str:
    if course.date is None and not course.sheets and not course.lessons:
        return ""
    outline = {
        "date": course.date.isoformat() if course.date else "",
        "sheets": [[p.kind, p.item, p.title, list(p.lessons)] for p in course.sheets],
        "lessons": [[load.id, load.hours, load.has_work] for load in course.lessons],
    }
    return json.dumps(outline, ensure_ascii=False)


def _sheet(row: sa.Row) -> Sheet:
    return Sheet(
        id=row.id,
        learner=row.learner_code,
        course_id=row.course_id,
        course_version=row.course_version,
        kind=row.kind,
        target=row.target,
        packet=row.packet_id,
        layout=row.layout,
        title=row.title,
    )


# ---------------------------------------------------------------------- opening


def open_register(
    location: str | Path | None = None, *, write: bool = True, create: bool = True
) -> Register:
    """Open (creating on first use) the register at a file path or a database URL,
    migrated to the newest schema.

    ``write=False``: for reading only; the register must exist already (as with
    ``create=False``), and a read-only file is opened read-only (then it cannot
    be migrated).
    ``create=False``: the register must exist already (commands that only make
    sense on learners already imported: a mistyped path must not start an empty
    register)."""
    text = str(location) if location else default_location()
    create = create and write
    if "://" in text:
        url = sa.make_url(text)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        where = url.render_as_string(hide_password=True)
        if url.drivername.startswith("sqlite"):
            return _open_sqlite(Path(url.database or ""), where, write, create)
        engine = sa.create_engine(url, pool_pre_ping=False)
        digest = hashlib.sha256(where.encode()).hexdigest()[:16]
        register = Register(engine, where, _data_home() / "casekit" / "register-files" / digest)
        if not create and not _has_schema(register):
            register.close()
            raise _missing(where)
    else:
        return _open_sqlite(Path(text), text, write, create)
    _migrate(register, True)
    return register


def _missing(where: str) -> Exception:
    return error(
        where,
        "no register here (nothing was created): import a roster first with "
        "casekit learners import ROSTER.csv, or name the register with --register",
        "register-missing",
    )


def _has_schema(register: Register) -> bool:
    """Whether a database already holds a register (its migration table)."""
    with register._read() as conn:
        return sa.inspect(conn).has_table("alembic_version")


def _open_sqlite(path: Path, where: str, write: bool, create: bool = True) -> Register:
    if not str(path) or str(path) == ":memory:":
        raise error(where, "the register must be a file or a database URL", "register-path")
    if path.is_dir():
        raise error(where, "the register path is a folder, not a file", "register-path")
    exists = path.exists()
    if not exists and not (write and create):
        raise _missing(where)
    read_only = exists and not (path.stat().st_mode & stat.S_IWUSR)
    if read_only and write:
        raise error(
            where,
            "the register file is read-only (no write permission): nothing was changed",
            "register-read-only",
        )
    if not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as exc:
            raise error(
                where, f"cannot create the register: {exc.strerror or exc}", "register-create"
            ) from None
    uri = f"file:{path.resolve()}" + ("?mode=ro" if read_only else "")
    engine = sa.create_engine(
        "sqlite+pysqlite:///",
        creator=lambda: _sqlite_connect(uri),
        poolclass=sa.pool.NullPool,
    )
    sa.event.listen(engine, "begin", _sqlite_begin)
    register = Register(engine, where, path.with_name(path.name + ".files"))
    _migrate(register, not read_only)
    return register


def _sqlite_connect(uri: str) -> object:
    import sqlite3

    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    if "mode=ro" not in uri:
        conn.execute("PRAGMA journal_mode = WAL")
    return conn


def _sqlite_begin(conn: sa.Connection) -> None:
    """pysqlite's own transaction handling is off (``isolation_level=None``): begin
    here, taking the write lock at once for writers so that a reader never has to
    upgrade its lock half-way (which fails at once, whatever the busy timeout)."""
    immediate = conn.get_execution_options().get("casekit_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _alembic_config(conn: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def _migrate(register: Register, write: bool) -> None:
    """Bring the register to the newest schema, or refuse one from a newer casekit."""
    try:
        _migrate_or_fail(register, write)
    except BaseException:
        register.close()
        raise


def _migrate_or_fail(register: Register, write: bool) -> None:
    with register._write() if write else register._read() as conn:
        config = _alembic_config(conn)
        scripts = ScriptDirectory.from_config(config)
        current = MigrationContext.configure(conn).get_current_heads()
        for revision in current:
            try:
                scripts.get_revision(revision)
            except CommandError:
                raise register.fail(
                    f"this register was made by a newer casekit (schema {revision}); "
                    "upgrade casekit to use it",
                    "register-newer",
                ) from None
        if not current and sa.inspect(conn).get_table_names():
            raise register.fail(
                "this database is not a casekit register (it has other tables)", "not-a-register"
            )
        if set(current) == set(scripts.get_heads()):
            return
        if not write:
            raise register.fail(
                "this register was made by an older casekit and is read-only: "
                "make it writable once so that casekit can upgrade it",
                "register-old",
            )
        command.upgrade(config, "head")


def current_revision(register: Register) -> tuple[str, ...]:
    """The schema revision(s) the register is at."""
    with register._read() as conn:
        return MigrationContext.configure(conn).get_current_heads()


def _database_error(where: str, exc: sa.exc.DBAPIError) -> CasekitError:
    reason = str(exc.orig) if exc.orig is not None else str(exc)
    reason = reason.strip().splitlines()[0] if reason.strip() else type(exc).__name__
    if "readonly" in reason or "read-only" in reason:
        return error(where, "the register is read-only: nothing was changed", "register-read-only")
    if "file is not a database" in reason:
        return error(where, "this file is not a casekit register", "not-a-register")
    return error(where, f"register: {reason}", "register-error")
