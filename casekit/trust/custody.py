"""Custody of sticks: what a stick carried when it went out, and what came back.

Issuing reads the stick's identity (file-system label and device serial, when the
system can tell them), checks its one bundle and lists every file on it, with a
SHA-256 of each file the manifests do not cover (approvals, files beside the
bundle). A return checks the bundle against its manifests and the recorded
content fingerprint, each approval issued against its signature, and lists every
file changed (in size or content), removed or added anywhere on the stick. Added
files are named, never opened: they may come from anyone.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from casekit.bundle import BAGIT_FILES, MANIFEST, is_approval_file
from casekit.bundle.bag import sha256
from casekit.bundle.verify import (
    TAGMANIFEST,
    FolderSource,
    Unreadable,
    expected_files,
    open_regular,
    verify_source,
)
from casekit.diagnostics import error
from casekit.files.stream import hash_stream
from casekit.learners.records import Inventory
from casekit.trust import short_fingerprint
from casekit.trust.approve import BundleFacts, course_of, intact_bundle
from casekit.trust.check import check_one
from casekit.trust.keys import PublicKey, decode_raw_key
from casekit.trust.statement import MAX_APPROVAL_FILE, StatementError, parse_approval


@dataclass(frozen=True)
class StickIdentity:
    label: str = ""
    serial: str = ""
    uuid: str = ""


def mount_source(path: Path) -> str:
    """The device mounted at the longest mount point containing ``path`` (Linux)."""
    target = os.path.realpath(path)
    best, device = "", ""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as handle:
            for line in handle:
                fields = line.split(" - ")
                if len(fields) != 2:
                    continue
                point = fields[0].split()[4].encode().decode("unicode_escape")
                source = fields[1].split()[1]
                inside = target == point or target.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, device = point, source
    except OSError:
        return ""
    return device if device.startswith("/dev/") else ""


def _lsblk(device: str) -> dict[str, str]:
    lsblk = shutil.which("lsblk")
    if lsblk is None:
        return {}
    try:
        done = subprocess.run(
            [lsblk, "-J", "-d", "-o", "NAME,LABEL,UUID,SERIAL,PKNAME", device],
            capture_output=True,
            text=True,
            timeout=10,
        )
        found = json.loads(done.stdout)["blockdevices"][0]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError):
        return {}
    return {k: str(v or "") for k, v in found.items()}


def stick_identity(path: Path) -> StickIdentity:
    """Label, serial and file-system UUID of the stick mounted at ``path``, as far
    as ``lsblk`` can tell (a partition's serial is its disk's)."""
    device = mount_source(path)
    if not device:
        return StickIdentity()
    found = _lsblk(device)
    serial = found.get("serial", "")
    if not serial and found.get("pkname"):
        serial = _lsblk(f"/dev/{found['pkname']}").get("serial", "")
    return StickIdentity(found.get("label", ""), serial, found.get("uuid", ""))


def inventory(stick: Path) -> dict[str, int]:
    """Every entry on the stick: path -> size (-1 for anything not a regular file).
    Nothing is opened or followed."""
    found: dict[str, int] = {}
    for root, dirs, files in os.walk(stick, followlinks=False):
        dirs.sort()
        for name in [*files, *(d for d in dirs if os.path.islink(os.path.join(root, d)))]:
            path = Path(root, name)
            info = path.lstat()
            rel = path.relative_to(stick).as_posix()
            found[rel] = info.st_size if stat.S_ISREG(info.st_mode) else -1
    return found


def file_digest(path: Path) -> str:
    """SHA-256 of a regular file (never a FIFO, device or link); "" if it cannot be read."""
    try:
        with open_regular(path) as handle:
            return hash_stream(handle)[1]
    except (Unreadable, OSError):
        return ""


def covered_paths(stick: Path, bundle: Path) -> set[str]:
    """Stick paths whose content a return checks through the bundle: every file the
    manifests list, and the tag manifest (its digest is the content fingerprint)."""
    expected, _, _ = expected_files(FolderSource(bundle))
    prefix = bundle.relative_to(stick).as_posix()
    return {f"{prefix}/{path}" for path in [*expected, TAGMANIFEST]}


def issued_inventory(stick: Path, bundle: Path) -> Inventory:
    """The stick's inventory with a SHA-256 of every regular file the manifests do not
    cover (approvals, anything beside the bundle): a swap of equal size shows."""
    covered = covered_paths(stick, bundle)
    return {
        path: (size, "" if size < 0 or path in covered else file_digest(stick / path))
        for path, size in inventory(stick).items()
    }


def stick_bundle(stick: Path) -> Path:
    """The one bundle folder on a stick (as ``casekit copy`` writes it)."""
    if (stick / MANIFEST).is_file():
        raise error(
            str(stick),
            "this is a bundle folder: give the stick (the folder that holds the bundle)",
            "not-a-stick",
        )
    found = (
        sorted(
            p
            for p in stick.iterdir()
            if (p / MANIFEST).is_file() and (p / BAGIT_FILES[0]).is_file()
        )
        if stick.is_dir()
        else []
    )
    if len(found) != 1:
        raise error(
            str(stick),
            f"holds {len(found)} bundles; a stick in custody carries exactly one",
            "not-a-bundle",
        )
    return found[0]


def issued_state(stick: Path) -> tuple[Path, BundleFacts, Inventory]:
    """The bundle on ``stick`` (it must verify), its facts and the stick's inventory."""
    bundle = stick_bundle(stick)
    _, facts = intact_bundle(bundle)
    return bundle, facts, issued_inventory(stick, bundle)


def approval_problems(source: FolderSource, bundle_name: str, issued: Inventory) -> list[str]:
    """Every approval that was on the stick when it was issued, checked again with the
    key it carries (integrity, as verify.html does): damaged, forged or for other
    content. Approvals added since are only named, never opened."""
    try:
        content = sha256(source.read(TAGMANIFEST))
        course: tuple[str, str] | None = course_of(source)
    except (Unreadable, KeyError, ValueError, TypeError):
        return []  # reported by the manifest check
    problems = []
    for path in sorted(p for p in source.files if is_approval_file(p)):
        where = f"{bundle_name}/{path}"
        if where not in issued:
            continue
        try:
            signed = parse_approval(source.read_at_most(path, MAX_APPROVAL_FILE + 1))
        except (StatementError, OSError) as exc:
            problems.append(f"damaged approval: {where} ({exc})")
            continue
        statement = signed.statement
        own = {
            statement.key_fingerprint: PublicKey(
                "", statement.reviewer, decode_raw_key(statement.key)
            )
        }
        check = check_one(path, signed, own, content, course)
        if check.status not in ("valid", "rejected"):
            problems.append(f"{check.status}: {where} ({check.detail})")
    return problems


def return_problems(
    stick: Path, bundle_name: str, content_sha256: str, issued: Inventory
) -> list[str]:
    """Everything that differs from the issue: one line per problem."""
    bundle = stick / bundle_name
    problems: list[str] = []
    reported: set[str] = set()
    if not (bundle / MANIFEST).is_file():
        problems.append(f"missing: {bundle_name} (the bundle is gone)")
    else:
        source = FolderSource(bundle)
        report = verify_source(source)
        for difference in report.differences:
            path = f"{bundle_name}/{difference.path}"
            reported.add(path)
            problems.append(f"{difference.kind}: {path}")
        if TAGMANIFEST in source.files:
            content = sha256(source.read(TAGMANIFEST))
            if content != content_sha256:
                problems.append(
                    f"different content: {short_fingerprint(content)}, issued "
                    f"{short_fingerprint(content_sha256)}"
                )
        problems += approval_problems(source, bundle_name, issued)
    now = inventory(stick)
    for path in sorted(set(now) | set(issued)):
        if path in reported:
            continue
        if path not in issued:
            kind = "not a regular file, " if now[path] < 0 else ""
            problems.append(f"added: {path} ({kind}{max(now[path], 0)} bytes; not opened)")
            continue
        size, digest = issued[path]
        if path not in now:
            problems.append(f"removed: {path}")
        elif now[path] != size:
            problems.append(f"changed: {path} ({size} -> {now[path]} bytes)")
        elif digest and file_digest(stick / path) != digest:
            problems.append(f"changed: {path} (same size, different content)")
    return problems
