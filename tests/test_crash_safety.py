"""Crash safety: a build killed with SIGKILL at any moment leaves the previous
outputs whole, and two builds on one output folder do not mix.

The killed builds are real ``casekit build`` processes on a course big enough
to take a moment, killed at points spread over how long a rebuild takes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casekit.build.lock import LOCK_NAME, hold_build_lock, release_build_lock
from casekit.files.atomic import TEMP_PREFIX, atomic_dir, atomic_file, clean_stale_temporaries
from tests.conftest import MINI

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

#: when the killed builds are killed, as fractions of how long an uninterrupted one takes
KILL_POINTS = (0.05, 0.2, 0.4, 0.6, 0.8)
NEW_TITLE = "Жаңа сабақ".encode()


def casekit_command(course: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "casekit", "build", str(course), "-f", "html", "-o", str(out)]


def run_build(course: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(casekit_command(course, out), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def big_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini course plus generated lessons: an html build takes a second or two."""
    root = tmp_path_factory.mktemp("crash") / "course"
    shutil.copytree(MINI, root)
    names = []
    for index in range(20):
        name = f"lessons/gen-{index:02d}.md"
        sections = "".join(
            f"## Бөлім {j}\n\nӘ Ғ Қ Ң Ө Ұ Ү Һ І, *мәтін* **{j}** [сілтеме](#бөлім-{j}).\n\n"
            f"- бір\n- екі\n\n| a | b |\n|---|---|\n| {j} | Қ |\n\n"
            for j in range(30)
        )
        (root / name).write_text(f"---\nhours: 0\n---\n# Сабақ {index}\n\n{sections}", "utf-8")
        names.append(f'"{name}"')
    toml = (root / "course.toml").read_text("utf-8")
    toml = toml.replace(
        '"lessons/03-safety.md"]', '"lessons/03-safety.md", ' + ", ".join(names) + "]"
    )
    (root / "course.toml").write_text(toml, "utf-8")
    return root


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_killed_builds_leave_old_or_new_outputs_never_partial(
    big_course: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    html = out / "mini-kk" / "html"
    first = run_build(big_course, out)
    assert first.returncode == 0, first.stderr
    old = outputs(html)
    assert sorted(old) == ["mini-kk-learner.html", "mini-kk-teacher.html"]

    # how long the rebuild after an edit takes here, to kill the next ones inside it
    lesson = big_course / "lessons" / "gen-01.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nӨзгеріс.\n", "utf-8")
    started = time.perf_counter()
    assert run_build(big_course, out).returncode == 0
    duration = time.perf_counter() - started
    old = outputs(html)

    lesson = big_course / "lessons" / "gen-00.md"
    lesson.write_text(lesson.read_text("utf-8").replace("Сабақ 0", "Жаңа сабақ"), "utf-8")
    killed_while_running = 0
    for delay in (point * duration for point in KILL_POINTS):
        process = subprocess.Popen(
            casekit_command(big_course, out),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the build and its workers
        )
        time.sleep(delay)
        if process.poll() is None:
            killed_while_running += 1
        with contextlib.suppress(ProcessLookupError):  # it may have finished already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        for name, data in old.items():
            now = (html / name).read_bytes()
            assert now == data or (now.rstrip().endswith(b"</html>") and NEW_TITLE in now), (
                f"{name} after a kill at {delay} s is neither the old nor a complete new file"
            )
        strays = [p.name for p in html.iterdir() if p.name not in old]
        assert all(name.startswith(TEMP_PREFIX) for name in strays), strays
    assert killed_while_running >= 3, "the course builds too fast to be killed mid-build"

    final = run_build(big_course, out)
    assert final.returncode == 0, final.stderr
    assert sorted(p.name for p in html.iterdir()) == sorted(old)
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))
    assert NEW_TITLE in (html / "mini-kk-learner.html").read_bytes()


def test_second_build_is_refused_while_the_first_holds_the_lock(
    big_course: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    folder = out / "mini-kk"
    hold_build_lock(folder)
    try:
        refused = run_build(big_course, out)
    finally:
        release_build_lock(folder)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert lines[-1] == (
        f"{folder}:1:1: error: another casekit build (pid {os.getpid()}) is writing this "
        "folder; wait for it to finish or stop it, then build again [build-locked]"
    )
    assert "Traceback" not in refused.stderr
    assert not (folder / "html").exists()
    assert run_build(big_course, out).returncode == 0


def test_two_builds_at_once_do_not_corrupt_each_other(big_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = subprocess.Popen(casekit_command(big_course, out), stderr=subprocess.PIPE, text=True)
    lock = out / "mini-kk" / LOCK_NAME
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        lock.exists() and lock.read_text().strip() == str(first.pid)
    ):
        time.sleep(0.02)
    second = run_build(big_course, out)
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    # the second build either waited its turn (the first had finished) or was refused
    if second.returncode != 0:
        assert second.returncode == 1
        assert f"another casekit build (pid {first.pid})" in second.stderr
    html = out / "mini-kk" / "html"
    assert sorted(p.name for p in html.iterdir()) == [
        "mini-kk-learner.html",
        "mini-kk-teacher.html",
    ]
    assert (html / "mini-kk-teacher.html").read_bytes().rstrip().endswith(b"</html>")


def test_a_killed_lock_holder_does_not_block_the_next_build(
    big_course: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from casekit.build.lock import hold_build_lock;"
            f"hold_build_lock(Path({str(out / 'mini-kk')!r})); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert (out / "mini-kk" / LOCK_NAME).read_text().strip() == str(holder.pid)
    built = run_build(big_course, out)
    assert built.returncode == 0, built.stderr


def test_atomic_dir_killed_mid_swap_is_restored(tmp_path: Path) -> None:
    """The state a kill between atomic_dir's two renames leaves: the old folder
    moved aside, the new one not yet in place. The next clean-up restores it."""
    root = tmp_path / "build"
    bundle = root / "usb"
    bundle.mkdir(parents=True)
    (bundle / "index.html").write_text("old")
    with atomic_dir(bundle) as temp:
        (temp / "index.html").write_text("new")
    assert (bundle / "index.html").read_text() == "new"
    # reproduce the window: previous output moved aside, new one still a temporary
    aside = root / f"{TEMP_PREFIX}old-usb"
    os.replace(bundle, aside)
    half = root / f"{TEMP_PREFIX}abc123"
    half.mkdir()
    (half / "index.html").write_text("half")
    clean_stale_temporaries(root)
    assert (bundle / "index.html").read_text() == "new"
    assert sorted(p.name for p in root.iterdir()) == ["usb"]


def test_atomic_dir_killed_while_writing_keeps_the_old_folder(tmp_path: Path) -> None:
    bundle = tmp_path / "usb"
    bundle.mkdir()
    (bundle / "index.html").write_text("old")
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from pathlib import Path; from casekit.files.atomic import atomic_dir\n"
            f"with atomic_dir(Path({str(bundle)!r})) as temp:\n"
            "    (temp / 'index.html').write_text('new')\n"
            "    print('writing', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert (bundle / "index.html").read_text() == "old"
    assert len(list(tmp_path.glob(f"{TEMP_PREFIX}*"))) == 1
    clean_stale_temporaries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["usb"]


def test_a_killed_cache_write_is_cleaned_without_searching_the_cache(
    mini_course: Path, tmp_path: Path
) -> None:
    """The build cache makes every temporary at its top (``atomic_file(temp_dir=)``), so
    a build removes what a killed cache write left there without walking the cache's
    hundreds of folders, which hold only finished entries."""
    from casekit.files.cache import CACHE_DIR, BuildCache
    from tests.conftest import build

    out = tmp_path / "out"
    build(mini_course, ["html"], out)
    cache = out / "mini-kk" / CACHE_DIR
    entry = BuildCache(out / "mini-kk")._path("lesson", "ab" * 32)
    with atomic_file(entry, durable=False, temp_dir=cache) as handle:
        (temporary,) = cache.glob(f"{TEMP_PREFIX}*")  # what a kill here leaves
        handle.write(b"entry")
    assert entry.read_bytes() == b"entry" and not temporary.exists()
    temporary.write_bytes(b"half an entry")
    build(mini_course, ["html"], out)
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))
