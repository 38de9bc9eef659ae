"""The ``casekit learners``, ``casekit enrol`` and ``casekit packets`` commands.

Thin: parse options, call the register and the packet pipeline, print. Names of
learners are printed only with ``--names``; every command takes the register
from ``--register`` or ``$CASEKIT_REGISTER``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from casekit.build.course import load_course
from casekit.build.shard import Shard
from casekit.cli.distribution import shard_option
from casekit.config.dlt import CREDIT_LIMITS, HOURS_PER_CREDIT
from casekit.diagnostics import Diagnostics, error
from casekit.files.atomic import write_bytes
from casekit.learners import REGISTER_ENV, schedule
from casekit.learners.records import Enrolment, Learner
from casekit.learners.roster import COLUMNS, read_roster

if TYPE_CHECKING:
    from casekit.learners.register import Register

register_option = click.option(
    "--register",
    "register_location",
    envvar=REGISTER_ENV,
    default=None,
    help=f"Register file or database URL (default: ${REGISTER_ENV}, else "
    "~/.local/share/casekit/register.sqlite).",
)
names_option = click.option(
    "--names", is_flag=True, help="Show learners' names (personal data); codes only otherwise."
)


def open_register(location: str | None, write: bool = True, create: bool = False) -> Register:
    """The register, which must exist already: only the commands that start one
    (``learners import``) pass ``create=True``, so a mistyped ``--register`` is one
    line and creates nothing. (Imported here: SQLAlchemy and Alembic cost other
    commands time.)"""
    from casekit.learners.register import open_register as open_

    return open_(location, write=write, create=create)


def _print_diagnostics(diags: Diagnostics) -> None:
    for diagnostic in diags.sorted():
        click.echo(str(diagnostic), err=True)


def _plan_option(option: str, parse: object, value: str) -> object:
    """Parse an option with a ``schedule`` parser, naming the option when it fails."""
    try:
        return parse(value)  # type: ignore[operator]
    except schedule.PlanInputError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@click.group("learners")
def learners() -> None:
    """The learner register: import a roster, list, show, export, remove learners.

    \b
    Examples:
      casekit learners import roster.csv
      casekit learners list --group G1
      casekit learners show KZ-0001 --names
      casekit learners export -o learners.csv
      casekit learners remove KZ-0001 --purge
    """


@learners.command("import")
@click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
@register_option
def import_command(roster: Path, register_location: str | None) -> None:
    """Add learners from a roster CSV, or update them by learner code.

    Columns (a header line names them, in any order; * = required):

    \b
    """
    diags = Diagnostics()
    rows = read_roster(roster, diags)
    if diags.has_errors():
        _print_diagnostics(diags)
        click.echo(f"casekit: {roster}: nothing imported: fix the rows above", err=True)
        sys.exit(1)
    with open_register(register_location, create=True) as register:
        summary = register.import_roster(rows)
    click.echo(
        f"{len(summary.added)} added, {len(summary.updated)} updated, "
        f"{len(summary.unchanged)} unchanged"
    )


import_command.help = (import_command.help or "") + "\n".join(
    f"  {name:<15} {text}" for name, text in COLUMNS.items()
)


def _learner_line(learner: Learner, names: bool) -> str:
    fields = [learner.code, learner.group, learner.facility or "-"]
    if names:
        fields.append(learner.full_name)
    fields.append(" ".join(learner.accommodations) or "-")
    if learner.withdrawn_on:
        fields.append(f"withdrawn {learner.withdrawn_on.isoformat()}")
    return "\t".join(fields)


@learners.command("list")
@click.option("--group", default=None, help="Only the learners of this group.")
@names_option
@register_option
def list_command(group: str | None, names: bool, register_location: str | None) -> None:
    """One line per learner: code, group, facility, [name,] accommodations."""
    with open_register(register_location, write=False) as register:
        if group is not None:
            register.require_group(group)
        for learner in register.learners(group):
            click.echo(_learner_line(learner, names))


@learners.command("show")
@click.argument("code")
@names_option
@register_option
def show_command(code: str, names: bool, register_location: str | None) -> None:
    """A learner's record: group, enrolments, issued packets and sticks, and each answer
    sheet: handed in (scanned) or not, graded or waiting."""
    from casekit.paper.intake import layouts_of
    from casekit.paper.report import sheet_grade

    with open_register(register_location, write=False) as register:
        learner = register.learner(code)
        click.echo(_learner_line(learner, names))
        for enrolment in register.enrolments(learner=code):
            click.echo(
                f"enrolled\t{enrolment.course_id} {enrolment.course_version}\t"
                f"from {enrolment.start.isoformat()}\t{enrolment.hours_per_week:g} h/week"
            )
        for item in register.issued(learner=code):
            click.echo(
                f"issued\t{item.kind} {item.item_id}\t{item.course_id} {item.course_version}\t"
                f"{item.issued_on.isoformat()}\t{item.issued_by or '-'}"
            )
        submissions = register.submissions(learner=code)
        results = register.results(learner=code)
        sheets = register.sheets(code)
        for sheet in sorted(
            sheets, key=lambda s: (s.course_id, s.course_version, s.kind, s.target)
        ):
            handed = [s for s in submissions if s.sheet == sheet.id]
            mine = [r for r in results if r.sheet == sheet.id]
            grade = sheet_grade(sheet.kind, layouts_of(sheet), handed, mine)
            state = "not handed in"
            if handed:
                state = f"handed in {min(s.handed_in_on for s in handed).isoformat()}\t"
                state += f"graded {grade[0]:g}/{grade[1]:g}" if grade else "waits for grading"
            click.echo(
                f"sheet\t{sheet.kind} {sheet.target}\t{sheet.course_id} {sheet.course_version}"
                f"\t{state}"
            )


@learners.command("remove")
@click.argument("code")
@click.option(
    "--purge",
    is_flag=True,
    help="Delete the learner and every record about them for real (cannot be undone).",
)
@register_option
def remove_command(code: str, purge: bool, register_location: str | None) -> None:
    """Withdraw a learner (kept on record, left out of new packets), or --purge them."""
    with open_register(register_location) as register:
        if purge:
            register.purge(code)
            click.echo(f"{code}: deleted with all their records")
            unread = register.unread_pages()
            if unread:
                click.echo(
                    f"{unread} scanned page(s) that name no learner are still kept for review "
                    "(they may show this learner's handwriting): delete them with "
                    "casekit review --discard-unread [--older-than DAYS]"
                )
        else:
            register.withdraw(code, dt.date.today())
            click.echo(f"{code}: withdrawn")


@learners.command("export")
@click.option(
    "-o",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to write (owner-only); it can be imported again.",
)
@click.option("--group", default=None, help="Only the learners of this group.")
@register_option
def export_command(out_file: Path, group: str | None, register_location: str | None) -> None:
    """Write the learners, with their names, to a CSV file (personal data: explicit only)."""
    with open_register(register_location, write=False) as register:
        if group is not None:
            register.require_group(group)
        people = register.learners(group)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    columns = [c for c in COLUMNS if c != "facility_name"]
    writer.writerow(columns)
    for learner in people:
        writer.writerow(
            [
                learner.code,
                learner.last_name,
                learner.first_name,
                learner.middle_name,
                learner.group,
                learner.facility,
                learner.language,
                " ".join(learner.accommodations),
            ]
        )
    write_bytes(out_file, text.getvalue().encode("utf-8-sig"), mode=0o600)
    click.echo(f"{len(people)} learner(s) written to {out_file}")


def load_course_or_exit(course_dir: Path) -> object:
    """The resolved course tree, or the course's errors printed and exit 1."""
    if not course_dir.is_dir():
        raise error(str(course_dir), "not a course folder", "course-missing")
    diags = Diagnostics()
    course = load_course(course_dir, diags)
    if course is None or diags.has_errors():
        for diagnostic in diags.sorted():
            click.echo(
                str(diagnostic).replace(
                    diagnostic.path, os.path.join(course_dir, diagnostic.path), 1
                ),
                err=True,
            )
        click.echo(f"casekit: {course_dir}: the course has errors: fix them first", err=True)
        sys.exit(1)
    return course


@click.command("enrol")
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--group", required=True, help="The group (from the roster) to enrol.")
@click.option("--start", required=True, help="First day of study, e.g. 2027-01-11.")
@click.option("--hours-per-week", required=True, type=float, help="Study hours a week, e.g. 6.")
@click.option(
    "--days", default="Mon,Tue,Wed,Thu,Fri", show_default=True, help="Study days of the week."
)
@click.option(
    "--consultations", default="", help='Weekly consultations, e.g. "Tue 10:00, Thu 14:30".'
)
@click.option(
    "--learner",
    "only",
    multiple=True,
    help="Only this learner of the group (repeat for several), e.g. one who joined later.",
)
@click.option(
    "--holidays",
    default="",
    help='Days without study: "2027-03-08, 2027-03-21..2027-03-23" or @FILE (one a line).',
)
@register_option
def enrol_command(
    course_dir: Path,
    group: str,
    start: str,
    hours_per_week: float,
    days: str,
    consultations: str,
    holidays: str,
    only: tuple[str, ...],
    register_location: str | None,
) -> None:
    """Enrol a group in the course version in COURSE_DIR, checking DLT credit limits.

    The course's credits (course.toml ``credits``, else its lessons' hours / 30)
    count against the limit of its ``programme`` type in the Rules on DLT
    (p.21, 25-27) over every course of that programme the learner is enrolled in.

    \b
    Examples:
      casekit enrol courses/digital-literacy-kk --group G1 --start 2027-01-11 \\
          --hours-per-week 6 --consultations "Tue 10:00" --holidays 2027-03-08
    """
    if holidays.startswith("@"):
        holiday_file = Path(holidays[1:])
        try:
            lines = holiday_file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise error(str(holiday_file), f"cannot read the holidays: {exc}", "holidays") from None
        for number, line in enumerate(lines, start=1):
            try:
                schedule.parse_holidays(line.split("#")[0])
            except schedule.PlanInputError as exc:
                raise error(str(holiday_file), str(exc), "holidays", number) from None
        holidays = " ".join(line.split("#")[0] for line in lines)
    plan = Enrolment(
        learner="",
        course_id="",
        course_version="",
        start=_plan_option("--start", schedule.parse_date, start),  # type: ignore[arg-type]
        hours_per_week=_plan_option(
            "--hours-per-week", schedule.check_hours_per_week, hours_per_week
        ),  # type: ignore[arg-type]
        study_days=_plan_option("--days", schedule.parse_days, days),  # type: ignore[arg-type]
        consultations=_plan_option("--consultations", schedule.parse_consultations, consultations),  # type: ignore[arg-type]
        holidays=_plan_option("--holidays", schedule.parse_holidays, holidays),  # type: ignore[arg-type]
    )
    course = load_course_or_exit(course_dir)
    config = course.config  # type: ignore[attr-defined]
    hours = sum(lesson.hours or 0 for lesson in course.lessons())  # type: ignore[attr-defined]
    credits = config.credits if config.credits is not None else hours / HOURS_PER_CREDIT
    plan = Enrolment(
        **{
            **plan.__dict__,
            "course_id": config.id,
            "course_version": config.version,
            "programme": config.programme,
            "credits": float(credits),
        }
    )
    limit = CREDIT_LIMITS[config.programme][0] if config.programme else None
    with open_register(register_location) as register:
        register.require_group(group)
        enrolled = register.enrol(group, plan, limit, only)
    click.echo(
        f"{len(enrolled)} learner(s) of {group} enrolled in {config.id} {config.version} "
        f"from {plan.start.isoformat()}"
    )


class PacketsCommand(click.Command):
    """``packets``: a flag per packet format (``--docx``), read from the packet formats'
    registry (``learners/packet_formats.py``, plugins included) when it runs."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        from casekit.learners.packet_formats import packet_formats

        params = super().get_params(ctx)
        at = next(i for i, p in enumerate(params) if p.name == "quiet")
        flags = [
            click.Option([f"--{name}", f"also_{name}"], is_flag=True, help=fmt.summary)
            for name, fmt in packet_formats().items()
        ]
        return [*params[:at], *flags, *params[at:]]


@click.command("packets", cls=PacketsCommand)
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--group",
    "groups",
    multiple=True,
    help="An enrolled group to make packets for (repeat for several).",
)
@click.option(
    "--all-groups", is_flag=True, help="Every group with a learner enrolled in the course."
)
@shard_option
@click.option(
    "-o",
    "--out",
    "out_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("packets"),
    show_default=True,
    help="Output folder; packets go to OUT/<course-id>-<version>/<group>/ (owner-only).",
)
@names_option
@click.option("--issued-by", default="", help="Who hands the packets out (on the issue list).")
@click.option(
    "--date",
    "issued_on",
    default=None,
    help="Date of issue, e.g. 2027-01-11 (default: today, or SOURCE_DATE_EPOCH).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress.")
@register_option
def packets_command(
    course_dir: Path,
    groups: tuple[str, ...],
    all_groups: bool,
    shard: Shard | None,
    out_root: Path,
    names: bool,
    issued_by: str,
    issued_on: str | None,
    quiet: bool,
    register_location: str | None,
    **also: bool,
) -> None:
    """Personal packets of an enrolled group: cover, study plan, the course body and
    answer sheets with the learner's code and a QR code; an issue list for staff.

    The packets and the issue list replace the group's earlier ones as a whole;
    the issue (packet ids, their SHA-256, the answer sheets) is recorded in the
    register. Names are printed only with --names. With --shard K/N only the groups
    of shard K are made (`casekit plan --packets` shows the split): N machines
    sharing one register (PostgreSQL) make every group's packets.

    \b
    Examples:
      casekit packets courses/digital-literacy-kk --group G1 --issued-by "A. Seitkyzy"
      casekit packets courses/digital-literacy-kk --group G1 --names -o /media/printer
      casekit packets courses/digital-literacy-kk --all-groups --shard 3/8
    """
    from casekit.learners.packet_options import PacketOptions
    from casekit.learners.packet_plan import enrolled_groups, groups_of
    from casekit.learners.packets import build_packets
    from casekit.render.common import source_epoch

    epoch = source_epoch()
    day = (
        _plan_option("--date", schedule.parse_date, issued_on)
        if issued_on
        else (epoch.date() if epoch else dt.date.today())
    )
    course = load_course_or_exit(course_dir)

    def progress(message: str) -> None:
        if not quiet and sys.stderr.isatty():
            click.echo(f"casekit: {message}", err=True)

    if bool(groups) == all_groups:
        raise click.UsageError("give --group (one or more) or --all-groups")
    if shard is not None and not all_groups:
        raise click.UsageError("--shard splits --all-groups between machines")
    asked = tuple(name.removeprefix("also_") for name, on in also.items() if on)
    options = PacketOptions(out_root, day, issued_by, names, asked)  # type: ignore[arg-type]
    with open_register(register_location) as register:
        if all_groups:
            units = enrolled_groups(register, course.config.id, course_dir)  # type: ignore[union-attr]
            groups = tuple(unit.group for unit in groups_of(units, shard))
        for group in groups:
            result = build_packets(course, register, group, options, progress)  # type: ignore[arg-type]
            for code in result.skipped:
                click.echo(
                    f"casekit: {code} of {group} is not enrolled in this course: no packet",
                    err=True,
                )
            count = sum(path.suffix == ".pdf" for path in result.packets)
            click.echo(f"{count} packet(s) for {group} in {result.folder}")
            if result.issue_list is not None:
                click.echo(f"issue list: {result.issue_list}")


COMMANDS = [learners, enrol_command, packets_command]
