"""The ``casekit scan``, ``casekit review``, ``casekit grade`` and ``casekit report``
commands: thin, the work is in ``casekit.paper``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from casekit.cli.learners import load_course_or_exit, names_option, open_register, register_option
from casekit.diagnostics import error
from casekit.messages import BUILT_IN

if TYPE_CHECKING:
    from casekit.learners.records import Submission
    from casekit.learners.register import Register
    from casekit.messages import Messages
    from casekit.paper.review import Decision, Item


def now() -> dt.datetime:
    """When a scan or a decision is recorded: UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


@click.command("scan")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--course",
    "course_id",
    default=None,
    help="Accept only sheets of this course id; other courses' sheets go to review.",
)
@click.option(
    "--handed-in",
    "handed_in",
    default=None,
    metavar="DATE",
    help="The day the learners handed these pages in, e.g. 2027-02-01 (default: the day "
    "they are scanned); lateness against the study plan is judged by it.",
)
@click.option(
    "--lang",
    type=click.Choice(BUILT_IN),
    default=None,
    help="Language of the summary and of the reasons a page waits for review (default: "
    "the language of the register's courses, of the --course one when given; English "
    "when they differ).",
)
@register_option
def scan_command(
    inputs: tuple[Path, ...],
    course_id: str | None,
    handed_in: str | None,
    lang: str | None,
    register_location: str | None,
) -> None:
    """Read scanned answer sheets and record them in the register.

    INPUTS are PDF scans, PNG/JPEG/TIFF images (phone photos too) and folders
    of them. Each page is identified by its QR code, read box by box, graded
    (quiz sheets, with the answer key of the version printed) and recorded as a
    submission. Scanning a page again records nothing new; a page whose marks
    changed is recorded as a new version. A page that cannot be read or
    identified, or with a mark in doubt, goes to the review list (casekit
    review) and is reported in one line; the exit status is then 1 for a page
    not read, 0 when all were read (some may wait for review).

    \b
    Examples:
      casekit scan scans/2027-02-01.pdf
      casekit scan ~/phone-photos/ --course digital-literacy-kk
      casekit scan scans/collected-2027-02-01.pdf --handed-in 2027-02-01
    """
    from casekit.learners import schedule
    from casekit.paper.intake import Intake
    from casekit.paper.language import register_messages

    started = now()
    day = None
    if handed_in is not None:
        try:
            day = schedule.parse_date(handed_in)
        except schedule.PlanInputError as exc:
            raise click.BadParameter(str(exc), param_hint="--handed-in") from None
        if day > dt.date.today():
            raise click.BadParameter(f"{day} is after today", param_hint="--handed-in")
    counts: Counter[str] = Counter()
    learners: dict[str, Counter[str]] = {}
    scores: dict[str, list[str]] = {}
    with open_register(register_location) as register:
        msg = register_messages(register, lang, course_id)
        intake = Intake(register, course_id, day)
        for outcome in intake.scan(list(inputs), started):
            counts[outcome.outcome] += 1
            if outcome.outcome in ("review", "problem"):
                click.echo(str(outcome.diagnostic(msg)), err=True)
            if outcome.learner:
                learners.setdefault(outcome.learner, Counter())[outcome.outcome] += 1
            if outcome.score is not None and outcome.sheet is not None:
                got, most = outcome.score
                scores.setdefault(outcome.learner, []).append(
                    f"{outcome.sheet.target} {got:g}/{most:g}"
                )
    for code in sorted(learners):
        click.echo(f"{code}: {_counted(learners[code], msg)}" + _scores(scores.get(code), msg))
    total = sum(counts.values())
    click.echo(msg("scan_pages", count=total, outcomes=_counted(counts, msg)))
    if counts["review"] or counts["problem"]:
        click.echo(msg("scan_settle"))
    sys.exit(1 if counts["problem"] else 0)


OUTCOMES = ("recorded", "again", "review", "problem")  # message keys scan_outcome_<outcome>


def _counted(counts: Counter[str], msg: Messages) -> str:
    parts = [msg(f"scan_outcome_{key}", count=counts[key]) for key in OUTCOMES if counts[key]]
    return ", ".join(parts) or msg("scan_outcome_none")


def _scores(parts: list[str] | None, msg: Messages) -> str:
    return msg("scan_scores", scores=", ".join(parts)) if parts else ""


@click.command("review")
@click.option("--by", "decided_by", default="", help="Who decides: recorded with each decision.")
@click.option(
    "--html",
    "html",
    is_flag=True,
    help="Write the review page (with the images) into the register's own folder and "
    "print its path; open it in a browser, save the decisions, then use --apply.",
)
@click.option(
    "--apply",
    "decisions_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Record the decisions saved by the review page.",
)
@click.option(
    "--lang",
    type=click.Choice(BUILT_IN),
    default=None,
    help="Language of the prompts and of the review page (default: the language of the "
    "course the pages waiting were printed from).",
)
@click.option(
    "--discard-unread",
    "discard",
    is_flag=True,
    help="Delete for real the pages that name no sheet (no readable QR code, another "
    "register's sheet): their images may show any learner's handwriting.",
)
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="With --discard-unread: only the pages put on the list more than DAYS days ago.",
)
@register_option
def review_command(
    decided_by: str,
    html: bool,
    decisions_file: Path | None,
    lang: str | None,
    discard: bool,
    older_than: int | None,
    register_location: str | None,
) -> None:
    """Settle the pages and questions the scanner would not guess.

    In the terminal: for each question in doubt, type the letters of the options
    the learner marked (- for none), after looking at the enlarged image whose
    path is shown; a page that cannot be read can be set aside (to be scanned
    again). Or write a review page with --html, decide there, save the decisions
    and record them with --apply. Each decision is recorded with --by and the time;
    the page is then recorded and graded like any other.

    \b
    Examples:
      casekit review --by "A. Seitkyzy"
      casekit review --html --lang kk
      casekit review --apply ~/Downloads/casekit-review.json --by "A. Seitkyzy"
      casekit review --discard-unread --older-than 30
    """
    from casekit.paper import review
    from casekit.paper.language import sheet_messages

    if older_than is not None and not discard:
        raise click.UsageError("--older-than goes with --discard-unread")
    with open_register(register_location) as register:
        items = review.open_items(register)
        msg = sheet_messages(register, [i.sheet for i in items if i.sheet], lang)
        if discard:
            before = now() - dt.timedelta(days=older_than) if older_than is not None else None
            count = register.discard_unread(before)
            click.echo(f"{count} unidentified page(s) deleted, {register.unread_pages()} left")
            return
        if html:
            click.echo(review.write_page(register, items, msg))
            return
        if decisions_file is not None:
            by_id = {item.review.id: item for item in items}
            decisions = review.read_decisions(decisions_file)
            for decision in decisions:
                if decision.review not in by_id:
                    raise error(
                        str(decisions_file),
                        f"review {decision.review} is not open (decided already?): nothing recorded",
                        "review-closed",
                    )
            for decision in decisions:
                _settled(
                    review.settle(register, by_id[decision.review], decision, decided_by, now())
                )
            click.echo(f"{len(decisions)} decision(s) recorded, {len(items) - len(decisions)} left")
            return
        if not items:
            click.echo(msg("review_nothing"))
            return
        if not decided_by.strip():
            raise click.UsageError("say who decides: --by NAME")
        decided = 0
        try:
            for item in items:
                decision = _ask(register, item, msg)
                if decision is not None:
                    _settled(review.settle(register, item, decision, decided_by, now()))
                    decided += 1
        except click.exceptions.Abort:
            click.echo("", err=True)
        click.echo(f"{decided} decision(s) recorded, {len(items) - decided} left")


def _ask(register: Register, item: Item, msg: Messages) -> Decision | None:
    """One review's decision from terminal prompts; None to leave it for later."""
    from casekit.paper import review

    page = item.review
    click.echo(f"\n[{page.id}] {msg('review_page', source=page.source, page=page.page)}")
    if item.sheet is not None:
        click.echo(
            f"{msg('review_sheet')}: {item.sheet.id} · {item.sheet.learner} · {item.sheet.heading}"
        )
    click.echo(f"{msg('review_reason')}: {review.reason_text(page, msg)}")
    for answer in review.page_answers(item):  # written answers on the page, for context
        assert item.sheet is not None
        blank = f" ({msg('report_blank')})" if answer.blank else ""
        click.echo(f"{answer.label(item.sheet, msg)}{blank}: {register.image_path(answer.image)}")
    if not item.rows:
        if "page" in page.images:
            click.echo(f"{msg('review_image')}: {register.image_path(page.images['page'])}")
        answer = click.prompt(msg("review_prompt_page"), default="", show_default=False)
        return review.Decision(page.id, set_aside=True) if answer.strip().lower() == "y" else None
    questions = {}
    for row in item.rows:
        states = list(page.reading[row.key]["boxes"])
        click.echo(
            f"{msg('review_question', number=item.label(row))}: {review.box_words(msg, states)}"
        )
        click.echo(f"{msg('review_image')}: {register.image_path(page.images[row.key])}")
        while True:
            text = click.prompt(
                msg("review_prompt", number=item.label(row)), default="", show_default=False
            )
            if not text.strip():
                return None
            chosen = review.parse_letters(text, len(row.boxes))
            if chosen is not None:
                break
        questions[row.key] = chosen
    return review.Decision(page.id, questions)


def _settled(sub: Submission | None) -> None:
    if sub is None:
        click.echo("set aside")
        return
    click.echo(
        f"{sub.learner}: {sub.sheet} page {sub.page} recorded (version {sub.version}, {sub.status})"
    )


@click.command("grade")
@click.argument("learner")
@click.argument("item")
@click.argument("score", type=float, required=False)
@click.option("--of", "max_score", type=float, default=None, help="The most points, e.g. 10.")
@click.option("--by", "decided_by", default=None, help="Who grades: recorded with the grade.")
@click.option("--note", default="", help="A short comment kept with the grade.")
@click.option(
    "--question",
    default=None,
    metavar="N",
    help="Mark one written answer of a self-check sheet, e.g. 2.2/1 (self-check 2.2, "
    "question 1); its boxes are graded by the scan.",
)
@click.option(
    "--show",
    is_flag=True,
    help="Record nothing: write a page with the learner's written answers as scanned "
    "(into the register's own folder) and print its path.",
)
@click.option(
    "--lang",
    type=click.Choice(BUILT_IN),
    default=None,
    help="Language of the --show page (default: the language of the sheet's course).",
)
@register_option
def grade_command(
    learner: str,
    item: str,
    score: float | None,
    max_score: float | None,
    decided_by: str | None,
    note: str,
    question: str | None,
    show: bool,
    lang: str | None,
    register_location: str | None,
) -> None:
    """Record a teacher's grade of a learner's answer sheet: an assignment's, or each
    written answer of a self-check sheet (--question; the scan grades its boxes); the
    newest grade counts in reports.

    ITEM is the assignment's anchor or the module id as listed by casekit report,
    or the sheet id printed in its QR code. With --show, nothing is recorded: the
    crops of the written answers of every scan of the sheet, each under its
    question, are put on a page to open in a browser (owner-only, in the
    register's own folder).

    \b
    Examples:
      casekit grade KZ-001 02-files--task-folders --show
      casekit grade KZ-001 02-files--task-folders 8 --of 10 --by "A. Seitkyzy"
      casekit grade KZ-001 module-2 1 --of 2 --question 2.2/1 --by "A. Seitkyzy"
    """
    from casekit.learners.records import Result
    from casekit.paper import answers
    from casekit.paper.language import sheet_messages

    if not show:
        if score is None or max_score is None or not decided_by:
            raise click.UsageError("give SCORE, --of and --by (or --show to see the answers)")
        if not 0 <= score <= max_score or max_score <= 0:
            raise error(
                f"{learner} {item}",
                f"{score:g} is not between 0 and --of {max_score:g}",
                "grade-score",
            )
    with open_register(register_location) as register:
        register.learner(learner)  # refuses a learner not in the register
        sheets = [s for s in register.sheets(learner) if item in (s.id, s.target)]
        if len(sheets) != 1:
            known = ", ".join(sorted({s.target for s in register.sheets(learner)})) or "none"
            what = "several sheets" if sheets else "no sheet"
            raise register.fail(f"{learner} has {what} {item!r} (sheets: {known})", "unknown-sheet")
        [sheet] = sheets
        handed_in = register.submissions(sheet=sheet.id)
        written = answers.open_questions(sheet)
        key, page = "", 0
        if question is not None and not show:
            if question not in written:
                raise register.fail(
                    f"{sheet.target} has no written answer {question!r} (written answers: "
                    f"{', '.join(written) or 'none'})",
                    "unknown-question",
                )
            key, page = written[question]
            handed_in = [sub for sub in handed_in if sub.page == page]
        elif written and not show:
            raise register.fail(
                f"{sheet.target} has written answers: mark each with --question "
                f"({', '.join(written)}); the scan grades its boxes",
                "grade-question",
            )
        if show:
            msg = sheet_messages(register, [sheet], lang)
            click.echo(answers.write_page(register, sheet, handed_in, msg))
            return
        assert score is not None and max_score is not None and decided_by
        register.record_result(
            Result(
                sheet=sheet.id,
                score=score,
                max_score=max_score,
                decided_by=decided_by,
                decided_at=now(),
                submission=handed_in[-1].id if handed_in else None,
                note=note,
                question=key,
            )
        )
    what = sheet.target + (f" question {question}" if key else "")
    click.echo(f"{learner}: {what} graded {score:g}/{max_score:g}")


@click.command("report")
@click.argument("course_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--group", default=None, help="The enrolled group to report on.")
@click.option(
    "--course",
    "course_id",
    default=None,
    help="Without COURSE_DIR: the course id to report on, when the group is enrolled in several.",
)
@click.option(
    "--learner", default=None, help="Only this learner (of --group; without it, of their group)."
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the CSV and the PDF (owner-only files).",
)
@names_option
@click.option(
    "--date",
    "as_of",
    default=None,
    help="Count lateness as of this day, e.g. 2027-03-01 (default: today, or SOURCE_DATE_EPOCH).",
)
@click.option(
    "--lang",
    type=click.Choice(BUILT_IN),
    default=None,
    help="Language of the PDF's words (default: the course's; the sheets' titles stay as printed).",
)
@register_option
def report_command(
    course_dir: Path | None,
    group: str | None,
    course_id: str | None,
    learner: str | None,
    out_dir: Path,
    names: bool,
    as_of: str | None,
    lang: str | None,
    register_location: str | None,
) -> None:
    """Each learner's answer sheets in a course version: issued, handed in, graded,
    late against the individual plan; a CSV with the columns of Kolibri's summary-log
    export, and a printable PDF with a chart. Names only with --names.

    The course version is the one in COURSE_DIR, or without it the one the group
    is enrolled in, as the register recorded it when its packets were issued (its
    sheets, titles, language, labels and what the deadlines are planned from; the
    PDF in casekit's fonts on A4).

    \b
    Examples:
      casekit report --group G1 -o reports/
      casekit report courses/digital-literacy-kk --group G1 -o reports/
      casekit report --learner KZ-001 --names
    """
    from casekit.files.atomic import write_bytes
    from casekit.learners import schedule
    from casekit.learners.packets import print_look
    from casekit.messages import messages
    from casekit.paper import report
    from casekit.render.common import source_epoch

    if group is None and learner is None:
        raise click.UsageError("give --group, --learner or both")
    epoch = source_epoch()
    try:
        day = schedule.parse_date(as_of) if as_of else (epoch or dt.datetime.now()).date()
    except schedule.PlanInputError as exc:
        raise click.BadParameter(str(exc), param_hint="--date") from None
    course = load_course_or_exit(course_dir) if course_dir is not None else None
    with open_register(register_location, write=False) as register:
        if group is None:
            group = register.learner(learner).group  # type: ignore[arg-type]
        if course is not None:
            subject = report.course_subject(course)  # type: ignore[arg-type]
            if course_id not in (None, subject.course_id):
                raise click.UsageError(f"--course {course_id}: COURSE_DIR is {subject.course_id}")
        else:
            subject, course = report.recorded_subject(register, group, learner, course_id)
        lines = report.progress(subject, register, group, day, learner)
        sticks = report.sticks_of(register, subject)
    stem = f"report-{subject.course_id}-{subject.version}-{group}"
    stem += f"-{learner}" if learner else ""
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    csv_path, pdf_path = out_dir / f"{stem}.csv", out_dir / f"{stem}.pdf"
    write_bytes(csv_path, report.csv_bytes(subject, lines, group, names), mode=0o600)
    look = print_look(course)  # type: ignore[arg-type]
    if lang is not None:
        look = dataclasses.replace(look, msg=messages(lang))
    pdf = report.pdf_bytes(look, lines, group, day, names, sticks)
    write_bytes(pdf_path, pdf, mode=0o600)
    handed = sum(line.first is not None for line in lines)
    late = sum(line.late for line in lines)
    click.echo(f"{len(lines)} sheet(s): {handed} handed in, {late} late")
    click.echo(f"{csv_path}\n{pdf_path}")


COMMANDS = [scan_command, review_command, grade_command, report_command]
