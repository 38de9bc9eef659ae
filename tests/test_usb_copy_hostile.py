"""`casekit copy` interrupted, re-run and misused (issue 19): signals remove the partial
copy, leftovers are removed on the next run, the source and a user's own folder are
never overwritten, one unwritable stick does not hide the others' results, and a
re-copy needs room for one copy, not two."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from casekit.bundle.copy import copy_bundle
from casekit.bundle.verify import verify
from tests.conftest import casekit
from tests.usb_helpers import fresh_bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_bundle(tmp_path_factory.mktemp("copy-hostile"))


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_copy_and_removes_the_partial_ones(
    bundle: Path, tmp_path: Path, signum: int
) -> None:
    sticks = [tmp_path / "one", tmp_path / "two"]
    for stick in sticks:
        stick.mkdir()
    sent = threading.Lock()

    def progress(_destination: Path, done: int, _total: int) -> None:
        if done and sent.acquire(blocking=False):  # one signal, from whichever copy is first
            os.kill(os.getpid(), signum)
        if sent.locked():  # the small bundle must not finish before the signal is handled
            time.sleep(0.01)

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        copy_bundle(bundle, sticks, progress)
    assert signal.getsignal(signal.SIGTERM) is before
    for stick in sticks:
        assert list(stick.iterdir()) == []


def test_a_leftover_is_removed_by_the_next_copy(bundle: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    shutil.copytree(bundle, stick / ".casekit-tmp-k1ll3d")  # what SIGKILL left behind
    [result] = copy_bundle(bundle, [stick], lambda *_: None)
    assert result.ok, result.problem
    assert hidden(stick) == [] and [r.ok for r in verify(stick)] == [True]


def test_the_source_is_never_its_own_destination(bundle: Path, tmp_path: Path) -> None:
    copy = tmp_path / "build" / bundle.name
    shutil.copytree(bundle, copy)
    for destination in (copy.parent, copy, copy / "data"):
        [result] = copy_bundle(copy, [destination], lambda *_: None)
        assert "where the bundle itself is" in result.problem
    assert [r.ok for r in verify(copy)] == [True]


def test_a_users_folder_of_the_same_name_is_never_replaced(bundle: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    mine = stick / bundle.name
    mine.mkdir(parents=True)
    (mine / "my-notes.txt").write_text("мои заметки", "utf-8")
    done = casekit("copy", bundle, stick)
    assert done.returncode == 1
    assert "is already there and is not a casekit bundle" in done.stdout
    assert (mine / "my-notes.txt").read_text("utf-8") == "мои заметки"


def test_one_unwritable_stick_does_not_hide_the_others(bundle: Path, tmp_path: Path) -> None:
    good, locked = tmp_path / "good", tmp_path / "locked"
    good.mkdir()
    locked.mkdir()
    locked.chmod(0o500)
    immutable = os.access(locked, os.W_OK)  # root writes anywhere: an immutable folder then
    if immutable and subprocess.run(["chattr", "+i", str(locked)], check=False).returncode:
        pytest.skip("no read-only folder can be made here")
    try:
        done = casekit("copy", bundle, locked, good)
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(locked)], check=False)
        locked.chmod(0o700)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert f"{good / bundle.name}: OK" in lines
    assert (
        f"{locked / bundle.name}: FAILED: cannot write the output: Operation not permitted" in lines
        or f"{locked / bundle.name}: FAILED: cannot write the output: Permission denied" in lines
    ), lines


def test_a_re_copy_needs_room_for_one_copy(bundle: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    [first] = copy_bundle(bundle, [stick], lambda *_: None)
    assert first.ok
    size = sum(p.stat().st_size for p in (stick / bundle.name).rglob("*") if p.is_file())
    real = shutil.disk_usage

    def nearly_full(path: object):  # the stick has room for one more copy only
        usage = real(path)
        return usage._replace(free=int(size * 0.9) if path == stick else usage.free)

    shutil.disk_usage = nearly_full  # type: ignore[assignment]
    try:
        [again] = copy_bundle(bundle, [stick], lambda *_: None)
    finally:
        shutil.disk_usage = real  # type: ignore[assignment]
    assert again.ok, again.problem
    assert again.note == "the previous copy was removed first to make room"
    assert [r.ok for r in verify(stick)] == [True]
