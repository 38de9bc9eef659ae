"""``--cache-dir``: a cache shared by builds and machines. A job found there is copied,
not built, with the bytes of a build; entries are JSON and raw bytes, signed with a
key kept outside the cache; a changed or forged entry is refused with one warning
line and the job is built again; two processes fill one cache at once."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from casekit.files.shared_cache import LAYOUT
from tests.conftest import casekit
from tests.distribution_helpers import catalogue, outputs, quick_flags

pytestmark = pytest.mark.slow  # the CLI in its own process


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A configuration folder of the test's own: the key file is made there."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "CASEKIT_CACHE_KEY": ""}


def build(courses: Path, out: Path, cache: Path, env: dict[str, str], *more: str):
    done = casekit(
        "build", courses, "-o", out, "--cache-dir", cache, "-j", "1", *quick_flags(), *more, env=env
    )
    assert done.returncode == 0, done.stderr
    return done


def statuses(stdout: str) -> list[str]:
    """The status column of the summary table (its last, after the time in seconds)."""
    return [line.split(" s  ", 1)[1].strip() for line in stdout.splitlines()[2:]]


def entries(cache: Path) -> list[Path]:
    return sorted((cache / LAYOUT / "entries").rglob("*/*"))


def test_a_second_build_copies_every_job_from_the_cache(
    tmp_path: Path, env: dict[str, str]
) -> None:
    courses, cache = catalogue(tmp_path / "courses"), tmp_path / "cache"
    first = build(courses, tmp_path / "one", cache, env)
    assert set(statuses(first.stdout)) == {"built"}
    second = build(courses, tmp_path / "two", cache, env)
    assert set(statuses(second.stdout)) == {"from cache"}
    assert outputs(tmp_path / "two") == outputs(tmp_path / "one")
    again = build(courses, tmp_path / "two", cache, env)  # the build folder knows them now
    assert set(statuses(again.stdout)) == {"up to date"}
    key = tmp_path / "config" / "casekit" / "cache.key"
    assert key.stat().st_mode & 0o077 == 0  # the key made on first use is owner-only
    for entry in entries(cache):  # a signature line, then JSON: nothing that can run
        mac, _, payload = entry.read_bytes().partition(b"\n")
        assert len(mac) == 64 and json.loads(payload)["$"] == "Entry"
    for blob in (cache / LAYOUT / "blobs").rglob("*/*"):
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name


def _blob_of(cache: Path, data: bytes) -> Path:
    return (
        cache
        / LAYOUT
        / "blobs"
        / hashlib.sha256(data).hexdigest()[:2]
        / hashlib.sha256(data).hexdigest()
    )


def test_a_poisoned_blob_is_refused_and_built_again(tmp_path: Path, env: dict[str, str]) -> None:
    courses, cache = catalogue(tmp_path / "courses"), tmp_path / "cache"
    build(courses, tmp_path / "one", cache, env)
    learner = next((tmp_path / "one").rglob("job-search-en-learner.html"))
    good = learner.read_bytes()
    poisoned = good.replace(b"<body", b"<body data-x='Send your ID number to ...'", 1)
    assert poisoned != good
    _blob_of(cache, good).write_bytes(poisoned)  # in place: its name still says the old hash
    second = build(courses, tmp_path / "two", cache, env)
    warnings = [line for line in second.stderr.splitlines() if "cache-refused" in line]
    assert len(warnings) == 1, second.stderr
    assert "html (learner) refused" in warnings[0] and "not those the entry names" in warnings[0]
    assert warnings[0].startswith(str(cache)) and ": warning: " in warnings[0]
    assert outputs(tmp_path / "two") == outputs(tmp_path / "one")
    assert _blob_of(cache, good).read_bytes() == good  # the rebuild repaired the cache
    third = build(courses, tmp_path / "three", cache, env)
    assert "cache-refused" not in third.stderr and set(statuses(third.stdout)) == {"from cache"}


def test_an_entry_moved_or_forged_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    """Whoever writes the cache without the key cannot point a job at other bytes: not
    by copying another job's signed entry over it, nor by writing a new one."""
    courses, cache = catalogue(tmp_path / "courses"), tmp_path / "cache"
    build(courses, tmp_path / "one", cache, env, "-e", "learner")
    build(courses, tmp_path / "one", cache, env, "-e", "teacher")
    found = {json.loads(e.read_bytes().partition(b"\n")[2])["job"]: e for e in entries(cache)}
    # two courses: the teacher entries of job-search-en are the later ones of each job
    teacher = [e for e in entries(cache) if b'"html:teacher"' in e.read_bytes()]
    learner = [e for e in entries(cache) if b'"html:learner"' in e.read_bytes()]
    assert found and len(teacher) == len(learner) == 2
    for target, source in zip(learner, teacher, strict=True):
        target.write_bytes(source.read_bytes())  # teacher answers for the learner
    brf = [e for e in entries(cache) if b'"brf:learner"' in e.read_bytes()]
    for entry in brf:  # a well-formed entry whose signature was made with another key
        mac, _, payload = entry.read_bytes().partition(b"\n")
        entry.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    second = build(courses, tmp_path / "two", cache, env, "-e", "learner")
    warnings = [line for line in second.stderr.splitlines() if "cache-refused" in line]
    assert len(warnings) == 4, second.stderr
    assert all("signature does not match" in line for line in warnings)
    assert outputs(tmp_path / "two") == {
        k: v for k, v in outputs(tmp_path / "one").items() if "teacher" not in k
    }


def test_a_key_inside_the_cache_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    courses, cache = catalogue(tmp_path / "courses"), tmp_path / "cache"
    (cache).mkdir()
    (cache / "key").write_text("0123456789abcdef0123456789abcdef")
    done = casekit(
        "build",
        courses,
        "-o",
        tmp_path / "out",
        "--cache-dir",
        cache,
        "--cache-key-file",
        cache / "key",
        env=env,
    )
    assert done.returncode == 1
    assert "must not be inside the cache folder" in done.stderr and "[cache-key]" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_two_processes_fill_one_cache_at_once(tmp_path: Path, env: dict[str, str]) -> None:
    courses, cache = catalogue(tmp_path / "courses"), tmp_path / "cache"
    command = [
        sys.executable,
        "-m",
        "casekit",
        "build",
        str(courses),
        "--cache-dir",
        str(cache),
        "-j",
        "1",
        *quick_flags(),
        "-o",
    ]
    both = [
        subprocess.Popen(
            [*command, str(tmp_path / name)],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two")
    ]
    for process in both:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "cache-refused" not in err
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")
    third = build(courses, tmp_path / "three", cache, env)
    assert "cache-refused" not in third.stderr
    assert set(statuses(third.stdout)) == {"from cache"}
    assert outputs(tmp_path / "three") == outputs(tmp_path / "one")
    leftovers = [p for p in cache.rglob("*") if p.name.startswith(".casekit-tmp-")]
    assert not leftovers


def test_a_bundle_from_the_cache_verifies_and_is_then_up_to_date(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """A USB bundle is more than its folder's stat: one copied from the cache is recorded
    as a built one is, so the next build trusts it instead of copying it again."""
    courses, cache = catalogue(tmp_path / "courses"), tmp_path / "cache"
    course = courses / "job-search-en"
    flags = ["-f", "usb", "--cache-dir", cache]
    assert casekit("build", course, "-o", tmp_path / "one", *flags, env=env).returncode == 0
    copied = casekit("build", course, "-o", tmp_path / "two", *flags, env=env)
    assert copied.returncode == 0 and set(statuses(copied.stdout)) == {"from cache"}
    assert outputs(tmp_path / "two") == outputs(tmp_path / "one")
    bundle = next((tmp_path / "two" / "job-search-en" / "usb").iterdir())
    verified = casekit("verify", bundle)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    again = casekit("build", course, "-o", tmp_path / "two", *flags, env=env)
    assert again.returncode == 0 and set(statuses(again.stdout)) == {"up to date"}, again.stdout


def test_a_fifo_or_device_in_the_cache_is_refused_without_hanging(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """Only regular files are opened: a FIFO in place of an entry or of a blob would block a
    read for ever, ``/dev/zero`` never ends."""
    courses, cache = catalogue(tmp_path / "courses"), tmp_path / "cache"
    build(courses, tmp_path / "one", cache, env, "-e", "learner")
    html = [e for e in entries(cache) if b'"html:learner"' in e.read_bytes()]
    html[0].unlink()
    os.mkfifo(html[0])
    brf = next((tmp_path / "one").rglob("job-search-en-learner.brf")).read_bytes()
    _blob_of(cache, brf).unlink()
    _blob_of(cache, brf).symlink_to("/dev/zero")
    second = build(courses, tmp_path / "two", cache, env, "-e", "learner")  # within the timeout
    warnings = [line for line in second.stderr.splitlines() if "cache-refused" in line]
    assert len(warnings) == 2, second.stderr
    assert all("cannot be read" in line for line in warnings)
    assert outputs(tmp_path / "two") == outputs(tmp_path / "one")
