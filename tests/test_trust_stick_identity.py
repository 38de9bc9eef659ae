"""Reading a stick's label, serial and file-system UUID with the real tools (lsblk,
blkid, sysfs) from real block devices: disk images attached as loop devices, one
of them mounted and issued with casekit issue.

Loop devices and mounting need root; the tests are skipped without it. This
machine's lsblk reads labels from udev's database, which containers lack: the
tests pass only because casekit falls back to blkid there, exactly as on such a
facility computer."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from casekit.trust.custody import StickIdentity, device_identity, mount_source, stick_identity
from tests.learners_helpers import casekit, write_roster
from tests.usb_helpers import fresh_bundle

pytestmark = [
    pytest.mark.slow,  # builds a bundle, makes file systems
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("losetup") or not Path("/dev/loop-control").exists(),
        reason="loop devices need root and /dev/loop-control",
    ),
]


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@contextlib.contextmanager
def attached(image: Path) -> Iterator[str]:
    device = run("losetup", "--find", "--show", str(image)).strip()
    try:
        yield device
    finally:
        subprocess.run(["losetup", "-d", device], check=False)


@contextlib.contextmanager
def mounted(device: str, folder: Path) -> Iterator[Path]:
    folder.mkdir(parents=True)
    done = subprocess.run(["mount", device, str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.skipif(not shutil.which("mkfs.vfat"), reason="dosfstools is not installed")
def test_the_label_and_volume_serial_of_a_fat_stick(tmp_path: Path) -> None:
    image = tmp_path / "stick.img"
    image.write_bytes(b"")
    os.truncate(image, 16 * 2**20)
    run("mkfs.vfat", "-n", "CASEKIT17", "-i", "1234ABCD", str(image))
    with attached(image) as device:
        # what this machine's lsblk says of it (nothing, without udev), for the record
        lsblk = json.loads(run("lsblk", "-J", "-d", "-o", "NAME,LABEL,UUID,SERIAL", device))
        assert lsblk["blockdevices"][0]["name"] == Path(device).name
        # a loop device has no serial number; the FAT volume serial is its "UUID"
        assert device_identity(device) == StickIdentity("CASEKIT17", "", "1234-ABCD")


@pytest.mark.skipif(not shutil.which("mkfs.vfat"), reason="dosfstools is not installed")
def test_a_device_name_used_by_another_stick_before_reads_the_new_one(tmp_path: Path) -> None:
    """Sticks swapped on one port get the same device name; blkid's cache still holds
    the first stick's file system for a while, and the second must not take its id."""
    first, second = tmp_path / "first.img", tmp_path / "second.img"
    for image, label, serial in ((first, "FIRST", "1111AAAA"), (second, "SECOND", "2222BBBB")):
        image.write_bytes(b"")
        os.truncate(image, 16 * 2**20)
        run("mkfs.vfat", "-n", label, "-i", serial, str(image))
    with attached(first) as device:
        assert device_identity(device) == StickIdentity("FIRST", "", "1111-AAAA")
        run("losetup", "-d", device)
        run("losetup", device, str(second))
        assert device_identity(device) == StickIdentity("SECOND", "", "2222-BBBB")


@pytest.mark.skipif(not shutil.which("mkfs.ext4"), reason="e2fsprogs is not installed")
@pytest.mark.parametrize("register_location", ["sqlite"], indirect=True)
def test_issue_records_the_label_of_a_mounted_stick(tmp_path: Path, register_location: str) -> None:
    """The kernel here has no vfat driver, so the mounted stick is ext4 (a label with
    a Cyrillic letter and a space, mounted under a Cyrillic path with a space: both
    escaped in /proc/self/mountinfo)."""
    uuid = "0b6c1d8e-1111-4222-8333-944455556666"
    image = tmp_path / "stick.img"
    image.write_bytes(b"")
    os.truncate(image, 24 * 2**20)
    run("mkfs.ext4", "-q", "-L", "КУРС 16", "-U", uuid, "-m", "0", str(image))
    built = fresh_bundle(tmp_path / "build")
    assert casekit("learners", "import", str(write_roster(tmp_path / "roster.csv")),
                   register=register_location).returncode == 0  # fmt: skip
    with attached(image) as device, mounted(device, tmp_path / "мой стик") as stick:
        shutil.rmtree(stick / "lost+found")
        assert mount_source(stick / "anything") == (str(stick), device)
        assert stick_identity(stick) == StickIdentity("КУРС 16", "", uuid)
        (stick / "folder").mkdir()  # a folder on the stick is not the stick
        assert stick_identity(stick / "folder") == StickIdentity()
        (stick / "folder").rmdir()
        assert casekit("copy", str(built), str(stick)).returncode == 0
        done = casekit("issue", str(stick), "--learner", "KZ-001", register=register_location)
        assert done.returncode == 0, done.stderr  # the stick id is its file-system UUID
        assert done.stdout.startswith(f"stick {uuid} issued to KZ-001: ")
        assert done.stdout.rstrip().endswith(', label "КУРС 16"')
        history = casekit("custody", "--history", register=register_location).stdout
        assert history.startswith(f"{uuid}  ") and 'label "КУРС 16"' in history
        back = casekit("return", str(stick), register=register_location)
        assert back.returncode == 0, back.stdout
        assert back.stdout.strip() == f"stick {uuid} returned by KZ-001: OK"
