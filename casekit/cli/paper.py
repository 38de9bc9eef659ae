"""The ``casekit scan``, ``casekit review``, ``casekit grade`` and ``casekit report``
commands: thin, the work is in ``casekit.paper``."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import click

from casekit.cli.learners import open_register, register_option


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
@register_option
def scan_command(
    inputs: tuple[Path, ...], course_id: str | None, register_location: str | None
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
    """
    from casekit.paper.intake import Intake

    counts: Counter[str] = Counter()
    learners: dict[str, Counter[str]] = {}
    scores: dict[str, list[str]] = {}
    with open_register(register_location) as register:
        intake = Intake(register, course_id)
        for outcome in intake.scan(list(inputs), now()):
            counts[outcome.outcome] += 1
            if outcome.outcome in ("review", "problem"):
                click.echo(str(outcome.diagnostic()), err=True)
            if outcome.learner:
                learners.setdefault(outcome.learner, Counter())[outcome.outcome] += 1
            if outcome.score is not None and outcome.sheet is not None:
                got, most = outcome.score
                scores.setdefault(outcome.learner, []).append(
                    f"{outcome.sheet.target} {got:g}/{most:g}"
                )
    for code in sorted(learners):
        click.echo(f"{code}: {_counted(learners[code])}" + _scores(scores.get(code, [])))
    total = sum(counts.values())
    click.echo(f"{total} page(s): {_counted(counts)}")
    if counts["review"] or counts["problem"]:
        click.echo("settle the pages waiting for review with: casekit review")
    sys.exit(1 if counts["problem"] else 0)


WORDS = {
    "recorded": "recorded",
    "again": "already recorded",
    "review": "for review",
    "problem": "not read (for review)",
}


def _counted(counts: Counter[str]) -> str:
    return (
        ", ".join(f"{counts[key]} {word}" for key, word in WORDS.items() if counts[key]) or "none"
    )


def _scores(parts: list[str]) -> str:
    return f"; scores: {', '.join(parts)}" if parts else ""


COMMANDS = [scan_command]
