"""casekit copy: verified copies to several sticks, and honest failures on full ones."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from casekit.bundle.copy import copy_bundle
from tests.conftest import casekit
from tests.usb_helpers import fresh_bundle, manifest

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_bundle(tmp_path_factory.mktemp("copy"))


@pytest.fixture
def tiny_stick(tmp_path: Path) -> Iterator[callable]:
    """Mount small tmpfs file systems (needs root); unmounted afterwards."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"stick{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                              capture_output=True)  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=True)


def test_copy_to_two_destinations_verifies_each(bundle: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    result = casekit("copy", bundle, one, two)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"{one / bundle.name}: OK", f"{two / bundle.name}: OK"]
    for stick in (one, two):
        assert casekit("verify", stick / bundle.name).returncode == 0
        assert [p.name for p in stick.iterdir()] == [bundle.name]  # no temporaries left


def test_progress_reports_bytes_up_to_the_total(bundle: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    results = copy_bundle(bundle, [tmp_path], lambda _dest, done, total: seen.append((done, total)))
    assert results[0].ok
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    assert seen[-1] == (2 * size, 2 * size)  # written and read back
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_too_small_stick_is_reported_before_copying(bundle: Path, tiny_stick) -> None:
    small = tiny_stick("size=512k")
    result = casekit("copy", bundle, small)
    assert result.returncode == 1
    assert "FAILED: not enough space" in result.stdout
    assert list(small.iterdir()) == []


def test_stick_filling_up_mid_copy_leaves_nothing_behind(
    bundle: Path, tiny_stick, tmp_path: Path
) -> None:
    files = len(manifest(bundle)["files"])
    full = tiny_stick("size=64m,nr_inodes=12")  # plenty of bytes, too few files: ENOSPC
    good = tmp_path / "good"
    good.mkdir()
    result = casekit("copy", bundle, full, good)
    assert files > 12
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{full / bundle.name}: FAILED: the stick is full (No space left")
    assert lines[1] == f"{good / bundle.name}: OK"  # one full stick does not stop the others
    assert list(full.iterdir()) == []  # no partial bundle, no temporary folder


def test_write_refused_mid_copy_leaves_nothing_behind(bundle: Path, tmp_path: Path) -> None:
    """Without root: the kernel refuses writes past RLIMIT_FSIZE (EFBIG) in the child."""
    stick = tmp_path / "stick"
    stick.mkdir()
    limit = 100_000  # the bundle's fonts are larger

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "casekit", "copy", str(bundle), str(stick)],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{stick / bundle.name}: FAILED: a file is too large" in result.stdout
    assert "the partial copy was removed" in result.stdout
    assert list(stick.iterdir()) == []


def test_damaged_source_stops_every_copy(bundle: Path, tmp_path: Path) -> None:
    source = tmp_path / bundle.name
    shutil.copytree(bundle, source)
    video = source / "data/media/intro.mp4"
    raw = bytearray(video.read_bytes())
    raw[-1] ^= 0x01
    video.write_bytes(bytes(raw))
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    result = casekit("copy", source, one, two)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("[bundle-damaged]")
    assert "data/media/intro.mp4" in result.stderr and "Traceback" not in result.stderr
    assert list(one.iterdir()) == [] and list(two.iterdir()) == []
