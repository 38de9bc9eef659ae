"""A bundle damaged in place after a build: the next build checks it against its
manifests before calling it up to date, never hard-links a damaged media file into the
new bundle, and says what it found (one ``output-damaged`` line each). Its stat alone
vouches for a file only where that is safe (size, mtime, ctime, inode as recorded)."""

from __future__ import annotations

import os
from pathlib import Path

import bagit
import pytest

from casekit.bundle import reuse
from tests.conftest import build, casekit

pytestmark = pytest.mark.slow  # USB builds (PDF, EPUB, DOCX editions)

VIDEO = "data/media/intro.mp4"


def build_usb(course: Path, out: Path):
    return build(course, ["usb"], out, editions=("learner",))


def bundle_of(out: Path) -> Path:
    return out / "mini-kk" / "usb" / "mini-kk-1.0.0"


def flip_in_place(path: Path, offset: int = 100) -> None:
    """One byte changed where it is (same inode, same size), its mtime put back:
    what a faulty disk or a careless tool leaves, with nothing to see in ``ls -l``."""
    st = path.stat()
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns and path.stat().st_ino == st.st_ino


def built_then_damaged(course: Path, out: Path) -> tuple[Path, bytes]:
    """The bundle of a first build and its video as built, then flipped in place."""
    build_usb(course, out)
    bundle = bundle_of(out)
    intact = (bundle / VIDEO).read_bytes()
    flip_in_place(bundle / VIDEO)
    return bundle, intact


def damaged_lines(result) -> list[str]:
    return [str(d) for d in result.diagnostics.items if d.code == "output-damaged"]


def test_a_bundle_damaged_in_place_is_rebuilt_not_up_to_date(
    mini_course: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    bundle, intact = built_then_damaged(mini_course, out)
    second = build_usb(mini_course, out)
    usb = [record for record in second.outputs if record.format == "usb"]
    assert not usb[0].cached
    lines = damaged_lines(second)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{bundle / VIDEO}:1:1: warning: modified since the last build")
    assert lines[0].endswith("; rebuilt [output-damaged]")
    assert (bundle / VIDEO).read_bytes() == intact
    bagit.Bag(str(bundle)).validate()
    third = build_usb(mini_course, out)  # and now it is up to date again
    assert all(record.cached for record in third.outputs) and not damaged_lines(third)


@pytest.mark.parametrize("change", ["extra", "missing", "manifest"])
def test_added_removed_or_rewritten_files_rebuild_the_bundle(
    mini_course: Path, tmp_path: Path, change: str
) -> None:
    out = tmp_path / "out"
    build_usb(mini_course, out)
    bundle = bundle_of(out)
    if change == "extra":
        (bundle / "data/media/extra.txt").write_text("added by hand", "utf-8")
    elif change == "missing":
        (bundle / "data/media/intro.vtt").unlink()
    else:  # a consistent forgery: the manifest.json and every BagIt manifest agree
        from tests.usb_helpers import rehash_consistently

        (bundle / "README.txt").write_text("rewritten", "utf-8")
        rehash_consistently(bundle)
    second = build_usb(mini_course, out)
    assert not [r for r in second.outputs if r.format == "usb"][0].cached
    assert len(damaged_lines(second)) >= 1
    assert not (bundle / "data/media/extra.txt").exists()
    assert (bundle / "data/media/intro.vtt").is_file()
    assert "rewritten" not in (bundle / "README.txt").read_text("utf-8")
    bagit.Bag(str(bundle)).validate()


def test_damaged_media_is_never_linked_into_the_next_bundle(
    mini_course: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    bundle, intact = built_then_damaged(mini_course, out)
    damaged_inode = (bundle / VIDEO).stat().st_ino
    lesson = mini_course / "lessons" / "03-safety.md"  # the bundle must be rebuilt anyway
    lesson.write_text(lesson.read_text("utf-8") + "\nЖаңа жол.\n", "utf-8")
    second = build_usb(mini_course, out)
    assert (bundle / VIDEO).stat().st_ino != damaged_inode
    assert (bundle / VIDEO).read_bytes() == intact
    lines = damaged_lines(second)
    assert len(lines) == 1 and "not reused, copied afresh" in lines[0] and VIDEO in lines[0]
    bagit.Bag(str(bundle)).validate()


def test_intact_media_is_linked_and_trusted_by_its_stat(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path: after a rebuild that hard-linked the video (and removed the old
    bundle, which changes the video's ctime), a no-change build reads no bundle file."""
    out = tmp_path / "out"
    build_usb(mini_course, out)
    inode = (bundle_of(out) / VIDEO).stat().st_ino
    lesson = mini_course / "lessons" / "03-safety.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nЖаңа жол.\n", "utf-8")
    build_usb(mini_course, out)
    assert (bundle_of(out) / VIDEO).stat().st_ino == inode  # linked, not copied
    hashed: list[object] = []
    real = reuse.hash_stream
    monkeypatch.setattr(reuse, "hash_stream", lambda h: hashed.append(h) or real(h))
    third = build_usb(mini_course, out)
    assert all(record.cached for record in third.outputs)
    assert hashed == [] and not damaged_lines(third)


def test_the_build_command_says_what_it_found(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("build", mini_course, "-f", "usb", "-e", "learner", "-o", out)
    assert casekit(*args).returncode == 0
    flip_in_place(bundle_of(out) / VIDEO)
    result = casekit(*args)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "[output-damaged]" in line]
    assert len(lines) == 1 and VIDEO in lines[0]
    assert "Traceback" not in result.stderr
    usb_rows = [line for line in result.stdout.splitlines() if " usb " in line]
    assert usb_rows and all("built" in row and "up to date" not in row for row in usb_rows)
