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
import re
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


def _unescape(field: str) -> str:
    """A /proc/self/mountinfo field: spaces, tabs, newlines and backslashes are octal
    escapes (``\\040``) over the path's bytes, which are UTF-8 (``/media/курс``)."""
    return os.fsdecode(
        re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), os.fsencode(field))
    )


def mount_source(path: Path) -> tuple[str, str]:
    """The longest mount point containing ``path`` and the device mounted there
    ("" for a file system not on a device), on Linux."""
    target = os.path.realpath(path)
    best, device = "", ""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as handle:
            for line in handle:
                fields = line.split(" - ")
                if len(fields) != 2:
                    continue
                point = _unescape(fields[0].split()[4])
                source = _unescape(fields[1].split()[1])
                inside = target == point or target.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, device = point, source
    except (OSError, IndexError):
        return "", ""
    return best, device if device.startswith("/dev/") else ""


def _run(*command: str) -> str:
    """A short-lived helper's standard output ("" when it is missing or fails)."""
    program = shutil.which(command[0])
    if program is None:
        return ""
    try:
        done = subprocess.run(
            [program, *command[1:]], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _lsblk(device: str) -> dict[str, str]:
    try:
        found = json.loads(_run("lsblk", "-J", "-d", "-o", "NAME,LABEL,UUID,SERIAL,PKNAME", device))
        return {k: str(v or "") for k, v in found["blockdevices"][0].items()}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return {}


def _blkid(device: str) -> dict[str, str]:
    """``label`` and ``uuid`` as blkid reads them from the file system itself: lsblk
    takes them from udev's database, which minimal systems and containers lack.
    ``-p`` probes the device now: blkid's cache (/run/blkid) may still hold the file
    system of a stick that had the same device name before. The ``*_ENC`` values
    keep every byte, spaces and odd characters as ``\\xNN``."""
    fields = {"ID_FS_LABEL_ENC": "label", "ID_FS_UUID_ENC": "uuid"}
    found = {}
    for line in _run("blkid", "-p", "-o", "udev", device).splitlines():
        key, _, value = line.partition("=")
        if key in fields:
            raw = re.sub(
                rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m[1], 16)]), os.fsencode(value)
            )
            found[fields[key]] = raw.decode("utf-8", "replace")
    return found


def _sysfs_serial(disk: str) -> str:
    """The disk's serial from sysfs when udev did not give it: the block device's own
    ``serial`` (virtio, NVMe), else the nearest device above it that has one (a USB
    stick's serial sits on its USB device, a few levels above the SCSI disk)."""
    block = Path("/sys/class/block", disk)
    candidates = [block / "serial"]
    try:
        here = (block / "device").resolve(strict=True)
    except OSError:
        here = None
    while here is not None and here != here.parent and str(here).startswith("/sys/devices/"):
        candidates.append(here / "serial")
        here = here.parent
    for candidate in candidates:
        try:
            text = candidate.read_text("utf-8", "replace").strip()
        except OSError:
            continue
        if text:
            return text
    return ""


def device_identity(device: str) -> StickIdentity:
    """Label, serial and file-system UUID of a block device (a partition's serial is
    its disk's): from lsblk, else blkid and sysfs."""
    found = _lsblk(device)
    if not (found.get("label") and found.get("uuid")):
        probed = _blkid(device)
        found = {**found, **{k: v for k, v in probed.items() if not found.get(k)}}
    disk = found.get("pkname") or Path(device).name
    serial = found.get("serial", "")
    if not serial and found.get("pkname"):
        serial = _lsblk(f"/dev/{found['pkname']}").get("serial", "")
    serial = serial or _sysfs_serial(disk)
    return StickIdentity(found.get("label", ""), serial, found.get("uuid", ""))


def stick_identity(path: Path) -> StickIdentity:
    """Label, serial and file-system UUID of the stick mounted at ``path``, as far as
    the system can tell; nothing for a folder that is not the root of a mounted
    device (a folder on the computer's own disk is not a stick)."""
    point, device = mount_source(path)
    if not device or point != os.path.realpath(path):
        return StickIdentity()
    return device_identity(device)


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
