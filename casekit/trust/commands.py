"""The ``casekit keys``, ``approve``, ``verify`` and ``verifier-page`` commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from casekit.bundle import is_approval_file
from casekit.bundle.verifier_page import verifier_page
from casekit.bundle.verify import Report, find_bundles, verify_source
from casekit.files.atomic import write_bytes
from casekit.trust.approve import approve, intact_bundle
from casekit.trust.check import TrustReport, Verdict, check_trust, worst
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
from casekit.trust.sheet import approval_report, sheet_pdf, stamp_packets
from casekit.trust.snapshot import snapshot

KEYS_DIR_OPTION = click.option(
    "--dir",
    "keys_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keys folder (default: $CASEKIT_KEYS, else ~/.config/casekit/keys).",
)


def trust_option(help: str):
    """``--trust DIR``: the facility's folder of trusted public keys (*.pub)."""
    return click.option(
        "--trust",
        "trust_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help,
    )


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
@KEYS_DIR_OPTION
def approve_command(
    bundle: Path, key_spec: str, role: str, note: str, keys_dir: Path | None
) -> None:
    """Sign an approval of an intact bundle (folder or zip) and store it in the bag.

    The payload is not changed; approvals stack (methodologist, then security).
    An approval holds for these exact bytes only: a rebuilt bundle needs a new one.

    \b
    Examples:
      casekit approve build/mini-kk/usb/mini-kk-1.0.0 --key aigerim --role methodologist
      casekit approve mini-kk-1.0.0.zip --key security1 --role "security review"
    """
    key = load_key_pair(
        find_private_key(key_spec, keys_dir or default_keys_dir()), lambda: passphrase(False)
    )
    done = approve(bundle, key, role, note)
    statement = done.signed.statement
    click.echo(
        f"{done.path}: approved by {statement.reviewer} ({statement.role}), {statement.date}"
    )
    click.echo(f"key {statement.key_fingerprint}, content {statement.content_fingerprint}")


def print_report(report: Report, trust: TrustReport | None, approvals: int) -> None:
    for difference in report.differences:
        click.echo(f"{report.bundle}: {difference}")
    verdict = "OK" if report.ok else f"FAILED ({len(report.differences)} differences)"
    click.echo(
        f"{verdict}: {report.bundle}: {report.files} files, fingerprint {report.fingerprint}"
    )
    if trust is None:
        if approvals:
            click.echo(f"{report.bundle}: {approvals} approval(s) not checked: use --trust DIR")
        return
    for check in trust.approvals:
        click.echo(f"{report.bundle}: {check.describe()}")
    label = {Verdict.APPROVED: "APPROVED", Verdict.NOT_APPROVED: "NOT APPROVED"}.get(
        trust.verdict, "FAILED"
    )
    reason = (
        trust.reason
        if trust.verdict is Verdict.APPROVED
        else f"{trust.verdict.words}: {trust.reason}"
    )
    click.echo(f"{label}: {report.bundle}: content {trust.content_fingerprint or '?'}: {reason}")


@click.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for tools.")
@trust_option("Folder of trusted public keys (*.pub): check who approved the bundle.")
@click.option(
    "--require-role",
    "roles",
    multiple=True,
    help="With --trust: fail unless a trusted key approved in this role (repeatable).",
)
def verify_command(
    path: Path, as_json: bool, trust_dir: Path | None, roles: tuple[str, ...]
) -> None:
    """Re-hash a bundle (folder, zip, or a stick holding bundles) against its manifest,
    and with --trust check its approvals.

    Prints each missing, extra or modified file on its own line. Exit status:
    0 intact (and with --trust approved), 1 files differ, 3 intact but not
    approved (or a required role missing), 4 an approval for different content,
    5 signed by an unknown key only, 6 a damaged or forged approval.

    \b
    Examples:
      casekit verify build/mini-kk/usb/mini-kk-1.0.0
      casekit verify /media/stick --trust /srv/casekit/trusted --require-role "security review"
      casekit verify mini-kk-1.0.0.zip --json
    """
    if roles and trust_dir is None:
        raise click.UsageError("--require-role needs --trust DIR")
    trusted = load_trusted(trust_dir) if trust_dir is not None else None
    results = []
    for source in find_bundles(path):
        report = verify_source(source)
        trust = None if trusted is None else check_trust(source, report.ok, trusted, list(roles))
        approvals = sum(is_approval_file(p) for p in source.files)
        results.append((report, trust, approvals))
    if as_json:
        data = [{**r.as_json(), **({"trust": t.as_json()} if t else {})} for r, t, _ in results]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for report, trust, approvals in results:
            print_report(report, trust, approvals)
    if trusted is None:
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
    type=click.Choice(["kk", "ru", "en"]),
    help="Language of the page (default: the first bundle's).",
)
@trust_option("Folder of trusted public keys: the page also requires an approval by one of them.")
def verifier_page_command(
    bundles: tuple[Path, ...], out: Path, language: str | None, trust_dir: Path | None
) -> None:
    """Write the facility's page for checking returned sticks in a browser.

    BUNDLES (folders, zips, or folders holding bundles) are verified first; the
    page trusts exactly their fingerprints and checks every bundle on a picked
    stick against them. Unlike verify.html on a stick, it cannot be edited by
    whoever holds the stick. With --trust it carries the reviewers' public keys
    and shows who approved each bundle; a bundle no trusted key approved fails.

    \b
    Examples:
      casekit verifier-page build/mini-kk/usb/mini-kk-1.0.0 -o ~/verify-sticks.html
      casekit verifier-page build/*/usb/*/ --trust /srv/casekit/trusted -o verify-sticks.html
    """
    keys = None
    if trust_dir is not None:
        keys = [
            {"fingerprint": k.fingerprint, "reviewer": k.reviewer, "key": k.b64}
            for k in load_trusted(trust_dir).values()
        ]
    write_bytes(out, verifier_page(list(bundles), language, keys))
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


COMMANDS = (
    keys_group,
    diff_command,
    approval_sheet_command,
    approve_command,
    verify_command,
    verifier_page_command,
)
