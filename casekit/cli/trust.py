"""The ``casekit keys``, ``approve``, ``verify`` and ``verifier-page`` commands."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from casekit.bundle import is_approval_file
from casekit.bundle.verifier_page import verifier_page
from casekit.bundle.verify import FolderSource, Report, survey, verify_source
from casekit.cli.learners import names_option, open_register, register_option
from casekit.config.settings import LANGUAGES
from casekit.diagnostics import error
from casekit.files.atomic import write_bytes
from casekit.learners.records import CustodyEvent, IssuedItem, StickCustody
from casekit.trust import short_fingerprint
from casekit.trust.approve import approve, intact_bundle
from casekit.trust.check import TrustReport, Verdict, check_trust, worst
from casekit.trust.custody import StickIdentity, issued_state, return_problems, stick_identity
from casekit.trust.diff import compare
from casekit.trust.diff_report import html_report, summary_lines
from casekit.trust.keys import (
    ENV_PASSPHRASE,
    default_keys_dir,
    find_private_key,
    list_keys,
    load_key_pair,
    load_trusted,
    new_key,
)
from casekit.trust.snapshot import snapshot
from casekit.trust.statement import APPROVED, REJECTED

DECIDED = {"approve": APPROVED, "reject": REJECTED}

KEYS_DIR_OPTION = click.option(
    "--dir",
    "keys_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keys folder (default: $CASEKIT_KEYS, else ~/.config/casekit/keys).",
)


def trust_option(help: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """``--trust DIR``: the facility's folder of trusted public keys (*.pub)."""
    return click.option(
        "--trust",
        "trust_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help,
    )


REQUIRE_ROLE_OPTION = click.option(
    "--require-role",
    "roles",
    multiple=True,
    help="With --trust: fail unless a trusted key approved in this role (repeatable).",
)


def required_roles(roles: tuple[str, ...], trust_dir: Path | None) -> list[str]:
    """The --require-role values, each with its spaces collapsed; they need --trust."""
    if roles and trust_dir is None:
        raise click.UsageError("--require-role needs --trust DIR")
    return [" ".join(role.split()) for role in roles if role.split()]


def passphrase(confirm: bool) -> bytes:
    """$CASEKIT_KEY_PASSPHRASE (for scripts), else asked on the terminal, never echoed."""
    if os.environ.get(ENV_PASSPHRASE):
        return os.environ[ENV_PASSPHRASE].encode("utf-8")
    return click.prompt(
        "Passphrase", hide_input=True, confirmation_prompt=confirm, err=True
    ).encode("utf-8")


@click.group("keys")
def keys_group() -> None:
    """Reviewers' signing keys (Ed25519).

    \b
    Examples:
      casekit keys new aigerim --reviewer "Aigerim Sadykova" --passphrase
      casekit keys list
    """


@keys_group.command("new")
@click.argument("name")
@click.option("--reviewer", default=None, help="The reviewer's full name (default: NAME).")
@click.option(
    "--passphrase", "protect", is_flag=True, help="Encrypt the private key with a passphrase."
)
@KEYS_DIR_OPTION
def keys_new(name: str, reviewer: str | None, protect: bool, keys_dir: Path | None) -> None:
    """Make a key pair: NAME.key (private, owner-only) and NAME.pub (give it to staff).

    Staff copy NAME.pub into the facility's trust folder and compare its
    fingerprint with the one the reviewer reads out or prints.
    """
    folder = keys_dir or default_keys_dir()
    public = new_key(folder, name, reviewer or name, passphrase(True) if protect else None)
    click.echo(f"{folder / name}.key: private key (owner-only; keep it secret)")
    click.echo(f"{folder / name}.pub: public key of {public.reviewer}")
    click.echo(f"fingerprint {public.fingerprint}")


@keys_group.command("list")
@KEYS_DIR_OPTION
def keys_list(keys_dir: Path | None) -> None:
    """List the keys in the keys folder (or a trust folder, with --dir)."""
    folder = keys_dir or default_keys_dir()
    found = list_keys(folder)
    if not found:
        click.echo(f"no keys in {folder}; make one with casekit keys new NAME")
    for public, private in found:
        kind = "private+public" if private else "public only"
        click.echo(f"{public.fingerprint}  {public.name}  {public.reviewer}  ({kind})")


@click.command("approve")
@click.argument("bundle", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--key", "key_spec", required=True, help="Key name in the keys folder, or a .key file."
)
@click.option("--role", required=True, help='Your role, e.g. "methodologist", "security review".')
@click.option("--note", default="", help="A short note stored in the signed statement.")
@click.option(
    "--decision",
    type=click.Choice(["approve", "reject"]),
    default="approve",
    show_default=True,
    help="reject: sign a rejection; no later approval lifts it for these files.",
)
@KEYS_DIR_OPTION
def approve_command(
    bundle: Path, key_spec: str, role: str, note: str, decision: str, keys_dir: Path | None
) -> None:
    """Sign an approval (or with --decision reject a rejection) of an intact bundle
    (folder or zip) and store it in the bag.

    The payload is not changed; approvals stack (methodologist, then security).
    An approval holds for these exact bytes only: a rebuilt bundle needs a new one.
    A rejection stands for these bytes whoever approves them afterwards.

    \b
    Examples:
      casekit approve build/mini-kk/usb/mini-kk-1.0.0 --key aigerim --role methodologist
      casekit approve mini-kk-1.0.0.zip --key security1 --role "security review"
      casekit approve mini-kk-1.0.0.zip --key security1 --role "security review" \\
          --decision reject --note "lesson 3 names a banned site"
    """
    key = load_key_pair(
        find_private_key(key_spec, keys_dir or default_keys_dir()), lambda: passphrase(False)
    )
    done = approve(bundle, key, role, note, decision=DECIDED[decision])
    statement = done.signed.statement
    click.echo(
        f"{done.path}: {statement.decision} by {statement.reviewer} ({statement.role}), "
        f"{statement.date}"
    )
    click.echo(f"key {statement.key_fingerprint}, content {statement.content_fingerprint}")
    if done.rejected_by and statement.decision == APPROVED:
        click.echo(
            f"note: the bundle carries a rejection by {', '.join(done.rejected_by)}; "
            "an approval does not lift it (casekit verify --trust reports REJECTED)",
            err=True,
        )


def print_report(report: Report, trust: TrustReport | None, approvals: int) -> None:
    for difference in report.differences:
        click.echo(f"{report.bundle}: {difference}")
    failing = sum(d.fails for d in report.differences)
    verdict = "OK" if report.ok else f"FAILED ({failing} differences)"
    if report.kind == "outside":
        click.echo(f"{verdict}: {report.bundle}: {report.files} files beside the bundles")
        return
    click.echo(
        f"{verdict}: {report.bundle}: {report.files} files, fingerprint {report.fingerprint}"
    )
    if trust is None:
        if approvals:
            click.echo(f"{report.bundle}: {approvals} approval(s) not checked: use --trust DIR")
        return
    for check in trust.approvals:
        click.echo(f"{report.bundle}: {check.describe()}")
    label = {
        Verdict.APPROVED: "APPROVED",
        Verdict.NOT_APPROVED: "NOT APPROVED",
        Verdict.REJECTED: "REJECTED",
    }.get(trust.verdict, "FAILED")
    reason = (
        trust.reason
        if trust.verdict in (Verdict.APPROVED, Verdict.REJECTED)
        else f"{trust.verdict.words}: {trust.reason}"
    )
    click.echo(f"{label}: {report.bundle}: content {trust.content_fingerprint or '?'}: {reason}")


@click.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for tools.")
@trust_option("Folder of trusted public keys (*.pub): check who approved the bundle.")
@REQUIRE_ROLE_OPTION
def verify_command(
    path: Path, as_json: bool, trust_dir: Path | None, roles: tuple[str, ...]
) -> None:
    """Re-hash a bundle (folder, zip, or a stick holding bundles) against its manifest,
    and with --trust check its approvals.

    Prints each missing, extra, modified, damaged or inconsistent file on its own
    line, and every file beside the bundles (on the stick, or in the zip). Exit status:
    0 intact (and with --trust approved), 1 files differ or a program, auto-run
    file or unfinished copy lies beside the bundles, 3 intact but not
    approved (or a required role missing), 4 an approval for different content,
    5 signed by an unknown key only, 6 a damaged or forged approval, 7 rejected
    by a trusted key (whatever else approved it).

    \b
    Examples:
      casekit verify build/mini-kk/usb/mini-kk-1.0.0
      casekit verify /media/stick --trust /srv/casekit/trusted --require-role "security review"
      casekit verify mini-kk-1.0.0.zip --json
    """
    required = required_roles(roles, trust_dir)
    trusted = load_trusted(trust_dir) if trust_dir is not None else None
    results: list[tuple[Report, TrustReport | None, int]] = []
    sources, beside = survey(path)
    for source in sources:
        report = verify_source(source)
        trust = None if trusted is None else check_trust(source, report.ok, trusted, required)
        approvals = sum(is_approval_file(p) for p in source.files)
        results.append((report, trust, approvals))
    if beside is not None:  # files on the stick or in the zip beside the bundles
        results.append((beside, None, 0))
    if as_json:
        data = [{**r.as_json(), **({"trust": t.as_json()} if t else {})} for r, t, _ in results]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for report, trust, approvals in results:
            print_report(report, trust, approvals)
    if not all(r.ok for r, _, _ in results) or trusted is None:
        sys.exit(0 if all(r.ok for r, _, _ in results) else 1)
    sys.exit(worst([t.verdict for _, t, _ in results if t is not None]).exit_code)


@click.command("verifier-page")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The page to write (keep it on the facility's computer, not on a stick).",
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    help="Language of the page (default: the first bundle's).",
)
@trust_option("Folder of trusted public keys: the page also requires an approval by one of them.")
@REQUIRE_ROLE_OPTION
def verifier_page_command(
    bundles: tuple[Path, ...],
    out: Path,
    language: str | None,
    trust_dir: Path | None,
    roles: tuple[str, ...],
) -> None:
    """Write the facility's page for checking returned sticks in a browser.

    BUNDLES (folders, zips, or folders holding bundles) are verified first; the
    page trusts exactly their fingerprints and checks every bundle on a picked
    stick against them. Unlike verify.html on a stick, it cannot be edited by
    whoever holds the stick. With --trust it carries the reviewers' public keys
    and shows who approved each bundle; a bundle no trusted key approved fails,
    as does one a trusted key rejected, or (--require-role) one lacking an
    approval in a required role.

    \b
    Examples:
      casekit verifier-page build/mini-kk/usb/mini-kk-1.0.0 -o ~/verify-sticks.html
      casekit verifier-page build/*/usb/*/ --trust /srv/casekit/trusted \\
          --require-role methodologist --require-role "security review" -o verify-sticks.html
    """
    required = required_roles(roles, trust_dir)
    keys = None
    if trust_dir is not None:
        keys = [
            {"fingerprint": k.fingerprint, "reviewer": k.reviewer, "key": k.b64}
            for k in load_trusted(trust_dir).values()
        ]
    write_bytes(out, verifier_page(list(bundles), language, keys, required))
    click.echo(f"{out}: trusts {', '.join(bundle.name for bundle in bundles)}")


@click.command("approval-sheet")
@click.argument("bundle", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The PDF to write (default: approval-<bundle>.pdf here).",
)
@trust_option("Folder of trusted public keys: mark which approvals they made.")
@click.option(
    "--packets",
    "packets_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the bundle's PDF packets here, the content fingerprint on each cover.",
)
def approval_sheet_command(
    bundle: Path, out: Path | None, trust_dir: Path | None, packets_dir: Path | None
) -> None:
    """Print a one-page PDF for the facility's file: course, version, content
    fingerprint (with a QR code), approvals with their key fingerprints.

    \b
    Examples:
      casekit approval-sheet build/mini-kk/usb/mini-kk-1.0.0 --trust /srv/casekit/trusted
      casekit approval-sheet mini-kk-1.0.0.zip -o sheet.pdf --packets print/
    """
    from casekit.trust.sheet import approval_report, sheet_pdf, stamp_packets  # reportlab: slow

    source, facts = intact_bundle(bundle)
    trusted = load_trusted(trust_dir) if trust_dir is not None else None
    report = approval_report(source, trusted)
    target = out or Path(f"approval-{facts.course}-{facts.version}.pdf")
    write_bytes(target, sheet_pdf(facts, report, trusted is not None))
    click.echo(f"{target}: content {facts.content}, {len(report.roles)} valid approval(s)")
    if packets_dir is not None:
        for path in stamp_packets(source, facts, packets_dir):
            click.echo(f"{path}: cover stamped with content {facts.content}")


@click.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The report to write (default: diff-<course>-<old version>-<new version>.html).",
)
@click.option("--exit-code", is_flag=True, help="Exit with status 1 when anything changed.")
def diff_command(old: Path, new: Path, html_path: Path | None, exit_code: bool) -> None:
    """Compare two versions of a course (bundle folders, zips or course folders):
    lessons with a word-level diff, media, settings.

    Prints a summary and writes a self-contained HTML report (old and new side by
    side) for the reviewer. An approval never carries over to changed content.

    \b
    Examples:
      casekit diff build-1.0/mini-kk/usb/mini-kk-1.0.0 build/mini-kk/usb/mini-kk-1.1.0
      casekit diff mini-kk-1.0.0.zip courses/mini-kk --html review.html
    """
    before, after = snapshot(old), snapshot(new)
    found = compare(before, after)
    for line in summary_lines(found):
        click.echo(line)
    settings = after.settings
    target = html_path or Path(
        f"diff-{settings.get('id', 'course')}-{before.settings.get('version', 'old')}"
        f"-{settings.get('version', 'new')}.html"
    )
    write_bytes(target, html_report(found))
    click.echo(f"report: {target}")
    sys.exit(1 if exit_code and found.changed else 0)


def _stick_id(stick: Path, given: str | None) -> tuple[str, StickIdentity]:
    identity = stick_identity(stick)
    found = given or identity.serial or identity.uuid
    if not found:
        raise error(
            str(stick),
            "the stick's serial number cannot be read here: give --id (e.g. the number "
            "written on the stick)",
            "stick-id",
        )
    return found, identity


@click.command("issue")
@click.argument("stick", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--learner", required=True, help="The learner's code in the register.")
@click.option("--id", "given_id", default=None, help="The stick's id (default: its serial).")
@click.option("--by", "issued_by", default="", help="Who hands the stick out.")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Return date.")
@trust_option("Trusted public keys: issue only a bundle they approved.")
@REQUIRE_ROLE_OPTION
@register_option
def issue_command(
    stick: Path,
    learner: str,
    given_id: str | None,
    issued_by: str,
    due: dt.datetime | None,
    trust_dir: Path | None,
    roles: tuple[str, ...],
    register_location: str | None,
) -> None:
    """Record a stick (after casekit copy) as handed to a learner.

    Records the stick's label and serial when readable, the bundle's content
    fingerprint and every file on the stick, who and when.

    \b
    Examples:
      casekit issue /media/stick --learner KZ-001 --by "A. Seitkali" --due 2026-12-31
      casekit issue /media/stick --learner KZ-001 --id S-017 --trust /srv/casekit/trusted
    """
    with open_register(register_location) as register:  # first: a mistyped path costs nothing
        required = required_roles(roles, trust_dir)
        stick_id, identity = _stick_id(stick, given_id)
        bundle, facts, files = issued_state(stick)
        if trust_dir is not None:
            trust = check_trust(FolderSource(bundle), True, load_trusted(trust_dir), required)
            if trust.verdict is not Verdict.APPROVED:
                raise error(
                    str(bundle),
                    f"not issued: {trust.verdict.words}: {trust.reason}",
                    "not-approved",
                )
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        item = IssuedItem(
            stick_id, "stick", learner, facts.course, facts.version, now.date(), issued_by,
            facts.content_sha256,
        )  # fmt: skip
        custody = StickCustody(
            item, bundle.name, now, files, identity.label, identity.serial,
            due.date() if due else None,
        )  # fmt: skip
        register.issue_stick(custody)
    due_text = f", due {custody.due_on}" if custody.due_on else ""
    click.echo(
        f"stick {stick_id} issued to {learner}: {facts.course} {facts.version}, "
        f"content {facts.content}, {len(files)} files{due_text}"
        f"{identity_text(identity.label, identity.serial, ', ')}"
    )


@click.command("return")
@click.argument("stick", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--id", "given_id", default=None, help="The stick's id (default: its serial).")
@click.option("--by", "received_by", default="", help="Who receives the stick.")
@register_option
def return_command(
    stick: Path, given_id: str | None, received_by: str, register_location: str | None
) -> None:
    """Check a returned stick against what was issued and record the return.

    Lists every file changed, removed or added anywhere on the stick (added files
    are named, never opened). Exit status 1 when anything differs.

    \b
    Examples:
      casekit return /media/stick --by "A. Seitkali"
    """
    stick_id, _ = _stick_id(stick, given_id)
    with open_register(register_location) as register:
        custody = register.stick(stick_id)
        if custody is None or not custody.out:
            raise error(str(stick), f"the stick {stick_id!r} is not out", "stick-not-out")
        problems = return_problems(stick, custody.bundle, custody.item.sha256, custody.files)
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        register.return_stick(stick_id, now, received_by, problems)
    for problem in problems:
        click.echo(f"{stick}: {problem}")
    verdict = "OK" if not problems else f"{len(problems)} problem(s)"
    click.echo(f"stick {stick_id} returned by {custody.item.learner}: {verdict}")
    sys.exit(1 if problems else 0)


@click.command("custody")
@click.option("--all", "show_all", is_flag=True, help="Also list sticks returned intact.")
@click.option(
    "--history",
    is_flag=True,
    help="Every issue and return, oldest first (with --stick: of that stick only).",
)
@click.option("--stick", "stick_id", default=None, help="With --history: one stick's id.")
@names_option
@register_option
def custody_command(
    show_all: bool, history: bool, stick_id: str | None, names: bool, register_location: str | None
) -> None:
    """List sticks out, overdue, and returned with problems; with --history, every
    issue and return ever recorded (the register never overwrites them).

    \b
    Examples:
      casekit custody
      casekit custody --all --names
      casekit custody --history --stick S-017
    """
    if stick_id is not None and not history:
        raise click.UsageError("--stick needs --history")
    today = dt.datetime.now(dt.timezone.utc).date()
    with open_register(register_location, write=False) as register:
        rows = register.custody()
        events = register.custody_history(stick_id=stick_id) if history else []
        learners = {r.item.learner for r in rows} | {e.learner for e in events}
        shown = {code: register.learner(code).full_name for code in learners} if names else {}

    def who(code: str) -> str:
        return f"{code} {shown[code]}" if names else code

    if history:
        print_history(events, who)
        return
    listed = 0
    for row in rows:
        if row.overdue(today):
            status = f"OVERDUE since {row.due_on}"
        elif row.out:
            status = "out" + (f", due {row.due_on}" if row.due_on else "")
        elif row.problems:
            status = f"returned {row.returned_at:%Y-%m-%d} with {len(row.problems)} problem(s)"
        elif show_all:
            status = f"returned {row.returned_at:%Y-%m-%d} intact"
        else:
            continue
        listed += 1
        click.echo(
            f"{row.item.item_id}  {who(row.item.learner)}  {row.item.course_id} "
            f"{row.item.course_version}  issued {row.item.issued_on}  {status}"
        )
        for problem in row.problems:
            click.echo(f"    {problem}")
    if not listed:
        click.echo("no sticks out, overdue or returned with problems")


def identity_text(label: str, serial: str, gap: str = "  ") -> str:
    """What the stick told of itself: ``  label "КУРС 16"  serial 0401...``."""
    return (f'{gap}label "{label}"' if label else "") + (f"{gap}serial {serial}" if serial else "")


def print_history(events: list[CustodyEvent], who: Callable[[str], str]) -> None:
    """One line per event (problems of a return below it), by stick, oldest first."""
    for event in events:
        by = f"  by {event.by}" if event.by else ""
        if event.event == "issued":
            due = f"  due {event.due_on}" if event.due_on else ""
            what = (
                f"{event.course_id} {event.course_version}  content "
                f"{short_fingerprint(event.sha256)}{due}{identity_text(event.label, event.serial)}"
            )
        else:
            what = f"{len(event.problems)} problem(s)" if event.problems else "intact"
        click.echo(
            f"{event.stick_id}  {event.at:%Y-%m-%d %H:%M:%S}  {event.event:<8}  "
            f"{who(event.learner)}  {what}{by}"
        )
        for problem in event.problems:
            click.echo(f"    {problem}")
    if not events:
        click.echo("no custody recorded")


COMMANDS = (
    keys_group,
    issue_command,
    return_command,
    custody_command,
    diff_command,
    approval_sheet_command,
    approve_command,
    verify_command,
    verifier_page_command,
)
