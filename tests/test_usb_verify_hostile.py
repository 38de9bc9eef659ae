"""`casekit verify` and `casekit copy` given hostile or damaged sticks and zips (issue 19):
everything beside the bundles is reported, what could run fails, nothing but regular
files is opened, a zip is inflated only within bounds, and every damage is a line
naming the file, never a traceback or a hang."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import casekit
from tests.usb_helpers import fresh_bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_bundle(tmp_path_factory.mktemp("verify-hostile"), zip=True)


def verify(path: Path, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = casekit("verify", path, *extra, timeout=timeout)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


def copy_of(bundle: Path, where: Path) -> Path:
    target = where / bundle.name
    shutil.copytree(bundle, target, symlinks=True)
    return target


@pytest.mark.slow
def test_a_stick_reports_everything_beside_the_bundle(bundle: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    copy_of(bundle, stick)
    (stick / "notes.txt").write_text("x", "utf-8")
    done = verify(stick)
    assert done.returncode == 0, done.stdout
    assert f"{stick}: outside: notes.txt" in done.stdout
    (stick / "autorun.inf").write_text("[autorun]\nopen=setup.exe\n", "utf-8")
    (stick / "tools").mkdir()
    (stick / "tools" / "setup.exe").write_bytes(b"MZ")
    done = verify(stick)
    assert done.returncode == 1
    assert f"{stick}: runnable: autorun.inf" in done.stdout
    assert f"{stick}: runnable: tools/setup.exe" in done.stdout
    assert f"FAILED (2 differences): {stick}: 3 files beside the bundles" in done.stdout
    assert f"OK: {stick / bundle.name}:" in done.stdout
    reports = json.loads(verify(stick, "--json").stdout)
    assert [(r["kind"], r["ok"]) for r in reports] == [("bundle", True), ("outside", False)]


def test_a_leftover_copy_is_never_a_bundle(bundle: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    copy_of(bundle, stick)
    shutil.copytree(bundle, stick / ".casekit-tmp-a1b2")  # a copy killed before its rename
    done = verify(stick)
    assert done.returncode == 1
    assert f"{stick}: leftover: .casekit-tmp-a1b2/manifest.json" in done.stdout
    assert done.stdout.count("fingerprint") == 1


def test_bundles_deeper_on_the_stick_are_found(bundle: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    copy_of(bundle, stick / "courses")
    video = stick / "courses" / bundle.name / "data/media/intro.mp4"
    video.write_bytes(video.read_bytes()[:-1] + b"\1")
    done = verify(stick)
    assert done.returncode == 1
    assert "modified: data/media/intro.mp4" in done.stdout


def zipped(bundle: Path, target: Path, extra: dict[str, bytes]) -> Path:
    shutil.copy(bundle.with_name(bundle.name + ".zip"), target)
    with zipfile.ZipFile(target, "a") as archive:
        for name, data in extra.items():
            archive.writestr(name, data)
    return target


def test_a_zip_reports_entries_outside_the_bundle_and_fails_on_climbing_out(
    bundle: Path, tmp_path: Path
) -> None:
    archive = zipped(bundle, tmp_path / "a.zip", {"readme-first.txt": b"x"})
    done = verify(archive)
    assert done.returncode == 0 and f"{archive}: outside: readme-first.txt" in done.stdout
    archive = zipped(bundle, tmp_path / "b.zip", {"../../evil.sh": b"x", "run.bat": b"x"})
    done = verify(archive)
    assert done.returncode == 1
    assert f"{archive}: unsafe: ../../evil.sh (climbs out of the folder)" in done.stdout
    assert f"{archive}: runnable: run.bat" in done.stdout


def test_a_duplicate_zip_entry_is_inconsistent(bundle: Path, tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        archive = zipped(bundle, tmp_path / "a.zip", {f"{bundle.name}/index.html": b"<p>x</p>"})
    done = verify(archive)
    assert done.returncode == 1
    assert "inconsistent: index.html (in the zip twice)" in done.stdout


@pytest.mark.slow
def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        out.writestr("b/bagit.txt", b"BagIt-Version: 1.0\n")
        with out.open("b/manifest.json", "w") as manifest:
            manifest.write(b'{"files": []')
            block = b" " * 2**20
            for _ in range(400):
                manifest.write(block)
            manifest.write(b"}")
    assert archive.stat().st_size < 2 * 2**20
    # A fresh parent whose only child is the verify: RUSAGE_CHILDREN of this test's own
    # process would also hold the peak of every earlier child of the test run.
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'casekit', 'verify', sys.argv[1]],"
        " capture_output=True, text=True, timeout=60)\n"
        "sys.stderr.write(done.stderr)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, str(archive)], capture_output=True, text=True, timeout=90
    )
    returncode, peak_kib = map(int, done.stdout.split())
    assert peak_kib < 250 * 1024
    assert returncode == 1
    assert "more than 200 times its size" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_flipped_bit_in_a_zip_is_modified_not_an_internal_error(
    bundle: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "flipped.zip"
    shutil.copy(bundle.with_name(bundle.name + ".zip"), archive)
    with zipfile.ZipFile(archive) as read:
        info = read.getinfo(f"{bundle.name}/index.html")
    raw = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0x10
    archive.write_bytes(bytes(raw))
    done = verify(archive)
    assert done.returncode == 1
    assert f"{archive}:{bundle.name}/: modified: index.html (cannot be read" in done.stdout


def test_a_truncated_zip_is_a_damaged_zip(bundle: Path, tmp_path: Path) -> None:
    archive = tmp_path / "cut.zip"
    data = bundle.with_name(bundle.name + ".zip").read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    done = verify(archive)
    assert done.returncode == 1
    assert done.stderr.startswith(f"{archive}:1:1: error: damaged zip, cannot be read")


def test_fifos_devices_and_links_are_damaged_and_never_opened(bundle: Path, tmp_path: Path) -> None:
    copy = copy_of(bundle, tmp_path)
    (copy / "bag-info.txt").unlink()
    os.mkfifo(copy / "bag-info.txt")
    (copy / "data/media/photo.jpg").unlink()
    (copy / "data/media/photo.jpg").symlink_to("/dev/zero")
    (copy / "data/dangling").symlink_to(tmp_path / "nowhere")
    (copy / "data/loop").symlink_to(copy / "data/loop")
    (copy / "data/up").symlink_to(copy)
    done = verify(copy, timeout=60)
    assert done.returncode == 1
    lines = set(done.stdout.splitlines())
    assert f"{copy}: damaged: bag-info.txt (a FIFO (named pipe))" in lines
    assert f"{copy}: damaged: data/media/photo.jpg (a symbolic link)" in lines
    for name in ("data/dangling", "data/loop", "data/up"):
        assert f"{copy}: damaged: {name} (a symbolic link)" in lines
    copied = subprocess.run(
        [sys.executable, "-m", "casekit", "copy", str(copy), str(tmp_path / "stick")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert copied.returncode == 1 and "Traceback" not in copied.stderr
    assert "the bundle is damaged (damaged:" in copied.stderr


def test_manifests_that_disagree_are_inconsistent(bundle: Path, tmp_path: Path) -> None:
    copy = copy_of(bundle, tmp_path)
    bag = copy / "manifest-sha256.txt"
    lines = bag.read_text("utf-8").splitlines()
    lines = [("0" * 64 + line[64:]) if "data/media/intro.vtt" in line else line for line in lines]
    bag.write_text("\n".join(lines) + "\n", "utf-8")
    tags = copy / "tagmanifest-sha256.txt"
    digest = hashlib.sha256(bag.read_bytes()).hexdigest()
    tags.write_text(
        "".join(
            (digest + line[64:] if line.endswith(" manifest-sha256.txt") else line) + "\n"
            for line in tags.read_text("utf-8").splitlines()
        ),
        "utf-8",
    )
    done = verify(copy)
    assert done.returncode == 1
    assert (
        f"{copy}: inconsistent: data/media/intro.vtt "
        "(manifest-sha256.txt and manifest.json disagree)" in done.stdout
    )


def test_a_path_listed_twice_in_manifest_json_is_damage(bundle: Path, tmp_path: Path) -> None:
    copy = copy_of(bundle, tmp_path)
    data = json.loads((copy / "manifest.json").read_text("utf-8"))
    data["files"].append(data["files"][0])
    (copy / "manifest.json").write_text(json.dumps(data), "utf-8")
    done = verify(copy)
    assert done.returncode == 1
    assert "manifest.json is damaged" in done.stderr and "listed twice" in done.stderr
