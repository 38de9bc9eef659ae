"""Bundle assembly speed and memory against `cp -r` + `sha256sum` and a Python single pass.

    python benchmarks/bundle_benchmark.py [--media-mb 1100] [--work /tmp/casekit-bench]

Generates a course with that much video (nothing is committed), then, in the same
run and on the same disk, times:
  1. casekit's usb format (every video remuxed by ffmpeg without its metadata, then
     hashed; fsync, manifest, BagIt) on learner editions rendered beforehand, untimed,
     as a full build hands them over;
  2. `cp -r` of the media followed by `sha256sum` of the copies;
  3. a plain Python single pass: read, hash, write each file (with fsync, as casekit);
and prints throughput and the peak RSS of each (each runs in its own process).
Peak RSS is also shown for a course with a quarter of the media: it must not grow.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

CHUNK = 4 * 1024 * 1024
FILE_MB = 128


def real_mp4(path: Path, size: int) -> None:
    """A real MP4 of about ``size`` bytes that ffmpeg remuxes (the bundle strips the
    metadata of every video): 4 s of MJPEG noise, then looped with ``-c copy``."""
    seed = path.parent.parent / "seed.mp4"
    if not seed.exists():
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
             "nullsrc=s=640x360:r=25,geq=random(1)*255:128:128", "-t", "4", "-c:v", "mjpeg",
             "-q:v", "2", "-pix_fmt", "yuvj420p", str(seed)],
            check=True,
        )  # fmt: skip
    loops = max(0, -(-size // seed.stat().st_size) - 1)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(seed),
         "-c", "copy", "-fflags", "+bitexact", str(path)],
        check=True,
    )  # fmt: skip


def make_course(root: Path, media: list[Path]) -> Path:
    lessons = root / "lessons"
    lessons.mkdir(parents=True, exist_ok=True)
    blocks = "\n".join(
        f'::: {{.video src="../media/{m.name}" title="Бейне {i}"}}\n:::\n'
        for i, m in enumerate(media, 1)
    )
    (lessons / "01.md").write_text(f"---\ntitle: Бейнелер\n---\n\n{blocks}", "utf-8")
    (root / "course.toml").write_text(
        'id = "bench"\ntitle = "Benchmark"\nlanguage = "kk"\nversion = "1"\ndate = 2026-01-01\n'
        'organisation = "Org"\nauthors = ["A"]\nlicence = "CC0"\n\n'
        '[[modules]]\ntitle = "M"\nlessons = ["lessons/01.md"]\n',
        "utf-8",
    )
    return root


def child_bundle(course: Path, out: Path) -> None:
    from casekit.build.course import load_course
    from casekit.build.write import write_outputs
    from casekit.diagnostics import Diagnostics
    from casekit.formats import BuildContext, formats
    from casekit.formats.options import resolve_options
    from casekit.formats.usb import UsbOptions
    from casekit.resolve.editions import apply_edition

    loaded = load_course(course, Diagnostics())
    assert loaded is not None
    registry = formats()

    def run(name: str, tree, options, inputs=None) -> list[Path]:
        ctx = BuildContext(out / name, options, course, out, inputs or {})
        return write_outputs(name, out / name, registry[name].renderer()(tree, ctx))

    # only the bundle's own work is timed: media were hashed by the check stage above, and
    # the learner editions are rendered first, as a full build does before packaging them
    learner = apply_edition(loaded, "learner")
    inputs = {
        (name, "learner"): run(
            name, learner, resolve_options(name, registry[name].options, loaded.config)
        )
        for name in ("pdf", "epub", "docx")
    }
    started = time.perf_counter()
    run("usb", loaded, UsbOptions(), inputs)
    print(time.perf_counter() - started)


def child_single_pass(media: Path, out: Path) -> None:
    started = time.perf_counter()
    out.mkdir(parents=True)
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    for source in sorted(media.iterdir()):
        digest = hashlib.sha256()
        with source.open("rb") as src, (out / source.name).open("wb") as dst:
            while count := src.readinto(buffer):
                digest.update(view[:count])
                dst.write(view[:count])
            dst.flush()
            os.fsync(dst.fileno())
    print(time.perf_counter() - started)


def child_cp_sha256sum(media: Path, out: Path) -> None:
    started = time.perf_counter()
    subprocess.run(["cp", "-r", str(media), str(out)], check=True)
    files = sorted(str(p) for p in out.iterdir())
    subprocess.run(["sha256sum", *files], check=True, stdout=subprocess.DEVNULL)
    print(time.perf_counter() - started)


def run_child(*args: str) -> tuple[float, int]:
    """Seconds reported by a child run of this script, and its peak RSS in KiB."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"child {args[0]} failed")
    return float(output.strip().splitlines()[-1]), usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--media-mb", type=int, default=1100)
    parser.add_argument("--work", type=Path, default=Path("/tmp/casekit-bench"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, first, second = args.child
        {"bundle": child_bundle, "single": child_single_pass, "cp": child_cp_sha256sum}[mode](
            Path(first), Path(second)
        )
        return

    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    big = work / "course-big"
    media_dir = big / "media"
    media_dir.mkdir(parents=True)
    count = max(1, -(-args.media_mb // FILE_MB))
    media = [media_dir / f"video-{i:02d}.mp4" for i in range(1, count + 1)]
    for path in media:
        real_mp4(path, FILE_MB * 1024 * 1024)
    make_course(big, media)
    small = work / "course-small"
    (small / "media").mkdir(parents=True)
    quarter = media[: max(1, count // 4)]
    for path in quarter:
        os.link(path, small / "media" / path.name)
    make_course(small, quarter)
    total = sum(p.stat().st_size for p in media)
    print(f"media: {count} files, {total / 1e6:.0f} MB (page cache warm for every method)")

    results = {
        "casekit bundle (ffmpeg remux+hash, fsync, manifest, BagIt)": run_child(
            "bundle", str(big), str(work / "out-bundle")
        ),
        "Python single pass (read+hash+write, fsync)": run_child(
            "single", str(media_dir), str(work / "out-single")
        ),
        "cp -r + sha256sum": run_child("cp", str(media_dir), str(work / "out-cp")),
    }
    _, small_rss = run_child("bundle", str(small), str(work / "out-bundle-small"))
    for name, (seconds, rss) in results.items():
        print(
            f"{name:55} {seconds:6.2f} s  {total / seconds / 1e6:7.0f} MB/s  peak RSS {rss / 1024:6.1f} MiB"
        )
    print("(peak RSS is that of the timed Python process; cp and sha256sum run as its children)")
    bundle_s = results["casekit bundle (ffmpeg remux+hash, fsync, manifest, BagIt)"][0]
    single_s = results["Python single pass (read+hash+write, fsync)"][0]
    cp_s = results["cp -r + sha256sum"][0]
    print(f"bundle / single-pass throughput: {single_s / bundle_s:.2f} (target >= 0.8)")
    print(f"bundle vs cp + sha256sum: {cp_s / bundle_s:.2f}x (target > 1)")
    print(
        f"peak RSS of the bundle step: {small_rss / 1024:.1f} MiB with {len(quarter) * FILE_MB} MB "
        f"of media, {results['casekit bundle (ffmpeg remux+hash, fsync, manifest, BagIt)'][1] / 1024:.1f} MiB "
        f"with {count * FILE_MB} MB"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
