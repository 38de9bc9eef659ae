"""The register's part for the paper loop: answer keys, scanned submissions,
results and the review list. ``Register`` inherits these methods; like the rest
of the register, they are the only code that reads or writes these tables.

Images kept with a record (crops of open answers, zooms of doubtful boxes,
thumbnails of unreadable pages) are personal data: they go to the register's
own folder (owner-only), named by their content, and are deleted with the
learner.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa

from casekit.files.atomic import write_bytes
from casekit.learners import schema as s
from casekit.learners.records import (
    AnswerKey,
    NewSubmission,
    Result,
    Review,
    Submission,
)

REVIEW_PAGE = "review.html"  # written by ``casekit review --html`` into ``files``
PAGES = "*.html"  # pages casekit writes there (review, answers): they hold copies of images


class PaperRecords:
    """Mixed into ``Register``: needs its ``_write``, ``_read``, ``fail`` and ``files``."""

    files: Path  # the register's own folder for images (owner-only)
    engine: sa.Engine

    # ------------------------------------------------------------------ images

    def private_folder(self, name: str = "") -> Path:
        """The register's own folder (or ``name`` inside it), made owner-only
        whatever the umask."""
        folder = self.files / name
        for path in (self.files, folder):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)
        return folder

    def keep_image(self, data: bytes, suffix: str = ".png") -> str:
        """Store ``data`` in the register's folder; its name there (by content)."""
        digest = hashlib.sha256(data).hexdigest()
        name = f"{digest[:2]}/{digest}{suffix}"
        path = self.files / name
        if not path.exists():
            self.private_folder(digest[:2])
            write_bytes(path, data, durable=False, mode=0o600)
        return name

    def image_path(self, name: str) -> Path:
        return self.files / name

    def _scrub(self, images: Iterable[str]) -> None:
        """After rows with personal data were deleted: truncate SQLite's write-ahead
        log (freed pages are overwritten: ``secure_delete``), delete the images no
        record names any more and the pages written there (they hold copies of them)."""
        if self.engine.dialect.name == "sqlite":
            with self._errors(), self.engine.connect() as conn:  # type: ignore[attr-defined]
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self._forget_images(images)
        for page in self.files.glob(PAGES):
            with contextlib.suppress(FileNotFoundError):
                page.unlink()

    def _forget_images(self, names: Iterable[str]) -> None:
        """Delete kept images no record names any more."""
        names = set(names)
        if not names:
            return
        with self._read() as conn:
            still = set()
            for table in (s.submissions, s.reviews):
                for text in conn.scalars(sa.select(table.c.images).where(table.c.images != "")):
                    still |= set(_image_names(text))
        for name in names - still:
            with contextlib.suppress(FileNotFoundError):
                (self.files / name).unlink()

    # ------------------------------------------------------------------ answer keys

    def answer_keys(self, course_id: str, version: str) -> dict[str, AnswerKey]:
        """The keys of one course version, by question key."""
        c = s.answer_keys.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(s.answer_keys).where(
                    c.course_id == course_id, c.course_version == version
                )
            )
            return {row.question: _answer_key(row) for row in rows}

    def _record_keys(self, conn: sa.Connection, keys: list[AnswerKey]) -> None:
        """Add the keys of a course version; refuse a version whose key changed (a
        course edited without a new version would grade earlier sheets wrongly)."""
        c = s.answer_keys.c
        for course_id, version in sorted({(k.course_id, k.course_version) for k in keys}):
            known = {
                row.question: _answer_key(row)
                for row in conn.execute(
                    sa.select(s.answer_keys).where(
                        c.course_id == course_id, c.course_version == version
                    )
                )
            }
            new = []
            for key in keys:
                if (key.course_id, key.course_version) != (course_id, version):
                    continue
                old = known.get(key.question)
                if old is None:
                    new.append(_answer_key_values(key))
                elif old != key:
                    raise self.fail(
                        f"the answer to question {key.quiz}/{key.question.rsplit('/', 1)[-1]} of "
                        f"{course_id} version {version} differs from the one recorded when its "
                        "sheets were first issued: give the course a new version",
                        "answer-key-changed",
                    )
            if new:
                conn.execute(sa.insert(s.answer_keys), new)

    # ------------------------------------------------------------------ submissions

    def record_submission(self, new: NewSubmission) -> tuple[Submission, bool]:
        """Record a scanned page; ``(submission, False)`` when the same page with the
        same marks is recorded already (a page scanned twice). Other marks on the
        same sheet page make a new version; earlier versions are kept."""
        c = s.submissions.c
        with self._write() as conn:
            earlier = conn.execute(
                sa.select(c.id, c.version, c.marks_sha256).where(
                    c.sheet_id == new.sheet, c.page == new.page
                )
            ).all()
            for row in earlier:
                if row.marks_sha256 == new.marks_sha256:
                    return self._submission(conn, row.id), False
            submission_id = conn.execute(
                sa.insert(s.submissions).values(
                    sheet_id=new.sheet,
                    received_at=new.received_at,
                    source=new.source[:500],
                    source_sha256=new.source_sha256,
                    page=new.page,
                    status=new.status,
                    marks=_json(new.marks),
                    version=max((row.version for row in earlier), default=0) + 1,
                    marks_sha256=new.marks_sha256,
                    images=_json(new.images),
                    blank=_json(list(new.blank)),
                    handed_in=new.handed_in,
                )
            ).inserted_primary_key[0]
            if new.status == "graded":
                conn.execute(
                    sa.insert(s.results).values(
                        sheet_id=new.sheet,
                        submission_id=submission_id,
                        score=new.score,
                        max_score=new.max_score,
                        decided_by=new.decided_by,
                        decided_at=new.received_at,
                    )
                )
            return self._submission(conn, submission_id), True

    def _submission(self, conn: sa.Connection, submission_id: int) -> Submission:
        row = conn.execute(_submission_query().where(s.submissions.c.id == submission_id)).one()
        return _submission(row)

    def submissions(
        self, *, learner: str | None = None, group: str | None = None, sheet: str | None = None
    ) -> list[Submission]:
        """Every version of every scanned page, oldest first."""
        query = _submission_query()
        if learner is not None:
            query = query.where(s.learners.c.code == learner)
        if group is not None:
            query = query.join(s.groups, s.learners.c.group_id == s.groups.c.id).where(
                s.groups.c.code == group
            )
        if sheet is not None:
            query = query.where(s.submissions.c.sheet_id == sheet)
        with self._read() as conn:
            rows = conn.execute(query.order_by(s.submissions.c.id))
            return [_submission(row) for row in rows]

    # ------------------------------------------------------------------ results

    def record_result(self, result: Result) -> None:
        """A teacher's grade of a sheet (the newest grade of a sheet counts)."""
        with self._write() as conn:
            if conn.scalar(sa.select(s.sheets.c.id).where(s.sheets.c.id == result.sheet)) is None:
                raise self.fail(f"no answer sheet {result.sheet!r}", "unknown-sheet")
            conn.execute(
                sa.insert(s.results).values(
                    sheet_id=result.sheet,
                    submission_id=result.submission,
                    score=result.score,
                    max_score=result.max_score,
                    decided_by=result.decided_by,
                    decided_at=result.decided_at,
                    note=result.note,
                    question=result.question,
                )
            )

    def results(self, *, learner: str | None = None) -> list[Result]:
        """Every grade recorded, oldest first."""
        query = (
            sa.select(s.results)
            .join(s.sheets, s.results.c.sheet_id == s.sheets.c.id)
            .join(s.learners, s.sheets.c.learner_id == s.learners.c.id)
            .order_by(s.results.c.id)
        )
        if learner is not None:
            query = query.where(s.learners.c.code == learner)
        with self._read() as conn:
            return [
                Result(
                    sheet=row.sheet_id,
                    score=row.score,
                    max_score=row.max_score,
                    decided_by=row.decided_by,
                    decided_at=row.decided_at,
                    submission=row.submission_id,
                    note=row.note,
                    question=row.question,
                )
                for row in conn.execute(query)
            ]

    # ------------------------------------------------------------------ review list

    def add_review(self, review: Review) -> tuple[int, str]:
        """Put a page on the review list: ``(id, "new")``; or, when the same page (same
        pixels) was put there before, that review's id and status (``open``, or
        ``settled``/``dismissed`` when a person decided it already)."""
        c = s.reviews.c
        with self._write() as conn:
            same = conn.execute(
                sa.select(c.id, c.status)
                .where(c.source_sha256 == review.source_sha256, c.sheet_page == review.sheet_page)
                .order_by(c.id.desc())
            ).first()
            if same is not None:
                return same.id, same.status
            review_id = conn.execute(
                sa.insert(s.reviews).values(
                    created_at=review.created_at,
                    source=review.source[:500],
                    page=review.page,
                    source_sha256=review.source_sha256,
                    reason=review.reason,
                    sheet_id=review.sheet or None,
                    sheet_page=review.sheet_page,
                    reading=_json(
                        {
                            "marks": review.reading,
                            "doubtful": list(review.doubtful),
                            "blank": list(review.blank),
                        }
                    ),
                    images=_json(review.images),
                    handed_in=review.handed_in,
                    status="open",
                )
            ).inserted_primary_key[0]
            return review_id, "new"

    def reviews(self, status: str | None = "open") -> list[Review]:
        query = sa.select(s.reviews).order_by(s.reviews.c.id)
        if status is not None:
            query = query.where(s.reviews.c.status == status)
        with self._read() as conn:
            return [_review(row) for row in conn.execute(query)]

    def unread_pages(self, before: dt.datetime | None = None) -> int:
        """How many pages on the review list (open or set aside) name no sheet: their
        images may show anyone's handwriting, so purging a learner cannot find them."""
        c = s.reviews.c
        query = sa.select(sa.func.count()).select_from(s.reviews).where(c.sheet_id.is_(None))
        if before is not None:
            query = query.where(c.created_at < before)
        with self._read() as conn:
            return int(conn.scalar(query) or 0)

    def discard_unread(self, before: dt.datetime | None = None) -> int:
        """Delete for real the pages on the review list that name no sheet (put there
        before ``before``, when given): their rows and kept images. Returns how many."""
        c = s.reviews.c
        where = [c.sheet_id.is_(None)] + ([c.created_at < before] if before else [])
        with self._write() as conn:
            images = image_names(conn.scalars(sa.select(c.images).where(*where)))
            count = conn.execute(sa.delete(s.reviews).where(*where)).rowcount
        self._scrub(images)
        return count

    def settle_review(
        self,
        review_id: int,
        decided_by: str,
        decided_at: dt.datetime,
        decision: dict[str, object],
        submission: NewSubmission | None,
    ) -> Submission | None:
        """Close a review with a person's decision; record the page it settles (or
        none: the page is dismissed)."""
        with self._write() as conn:
            status = conn.scalar(sa.select(s.reviews.c.status).where(s.reviews.c.id == review_id))
            if status != "open":
                raise self.fail(f"review {review_id} is not open", "review-closed")
            conn.execute(
                sa.update(s.reviews)
                .where(s.reviews.c.id == review_id)
                .values(
                    status="settled" if submission is not None else "dismissed",
                    decided_by=decided_by,
                    decided_at=decided_at,
                    decision=_json(decision),
                )
            )
        if submission is None:
            return None
        recorded, _new = self.record_submission(submission)
        return recorded


# ---------------------------------------------------------------------- rows <-> records


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _image_names(text: str) -> list[str]:
    value = json.loads(text or "[]")
    return list(value.values()) if isinstance(value, dict) else list(value)


def _answer_key(row: sa.Row) -> AnswerKey:
    return AnswerKey(
        course_id=row.course_id,
        course_version=row.course_version,
        question=row.question,
        quiz=row.quiz,
        kind=row.kind,
        correct=tuple(int(i) for i in row.correct.split()),
    )


def _answer_key_values(key: AnswerKey) -> dict[str, object]:
    return {
        "course_id": key.course_id,
        "course_version": key.course_version,
        "question": key.question,
        "quiz": key.quiz,
        "kind": key.kind,
        "correct": " ".join(str(i) for i in key.correct),
    }


def _submission_query() -> sa.Select:
    return (
        sa.select(s.submissions, s.learners.c.code.label("learner_code"))
        .select_from(s.submissions)
        .join(s.sheets, s.submissions.c.sheet_id == s.sheets.c.id)
        .join(s.learners, s.sheets.c.learner_id == s.learners.c.id)
    )


def _submission(row: sa.Row) -> Submission:
    return Submission(
        id=row.id,
        sheet=row.sheet_id,
        learner=row.learner_code,
        page=row.page,
        version=row.version,
        received_at=row.received_at,
        source=row.source,
        source_sha256=row.source_sha256,
        status=row.status,
        marks=json.loads(row.marks or "{}"),
        images=json.loads(row.images or "{}"),
        handed_in=row.handed_in,
        blank=tuple(json.loads(row.blank or "[]")),
    )


def _review(row: sa.Row) -> Review:
    reading = json.loads(row.reading or "{}")
    return Review(
        id=row.id,
        created_at=row.created_at,
        source=row.source,
        page=row.page,
        source_sha256=row.source_sha256,
        reason=row.reason,
        sheet=row.sheet_id or "",
        sheet_page=row.sheet_page,
        reading=reading.get("marks", {}),
        doubtful=tuple(reading.get("doubtful", ())),
        images=json.loads(row.images or "{}"),
        handed_in=row.handed_in,
        blank=tuple(reading.get("blank", ())),
        status=row.status,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision=json.loads(row.decision or "{}"),
    )


def image_names(values: Iterable[str]) -> list[str]:
    """The image names in values of an ``images`` column."""
    return [name for text in values for name in _image_names(text)]
