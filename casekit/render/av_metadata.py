"""Audio and video reach learners without their container metadata.

A phone video carries where it was shot (GPS), the device and its software, creation
times, a title or comment with its owner's name, chapters; an MP3 or M4A a cover picture
that may be a private photo. Every output that carries audio or video (the bundle, an
EPUB with ``--embed-media``) takes it through ``strip_av``: ffmpeg remuxes it with
``-c copy``, so every audio and video packet stays as it was, keeping the video (not
cover art), audio and subtitle streams and no metadata, chapters or data tracks;
``bitexact`` flags make the bytes the same from build to build. The input's demuxer is
named and only local files may be opened, so a hostile file cannot make ffmpeg read
anything else. ffmpeg is a declared system dependency (scripts/install-system-deps.sh):
without it the build stops with one line.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from casekit import tree as t
from casekit.diagnostics import error
from casekit.files.stream import hash_file
from casekit.safety.paths import resolve_inside

#: casekit media format -> (ffmpeg demuxer, ffmpeg muxer)
FFMPEG_FORMATS = {
    "mp4": ("mov", "mp4"),
    "m4a": ("mov", "ipod"),  # keeps the M4A brand
    "webm": ("matroska", "webm"),
    "mp3": ("mp3", "mp3"),
    "ogg": ("ogg", "ogg"),
}
_KEEP = ["-map", "0:V?", "-map", "0:a?", "-map", "0:s?"]  # 0:V: video but not cover art
_DROP = ["-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy"]
_BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
#: errors of a disk that cannot take the copy (full, quota, file too large, read-only)
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)
#: seconds ffmpeg may take: a remux reads and writes at disk speed
_TIMEOUT_BASE, _TIMEOUT_BYTES_PER_SECOND = 60, 10_000_000


@functools.cache
def ffmpeg_version() -> str:
    """The first line of ``ffmpeg -version`` (another ffmpeg may write other bytes)."""
    found = subprocess.run(
        [_ffmpeg(""), "-version"], capture_output=True, text=True, check=False
    ).stdout
    return found.splitlines()[0] if found else ""


def _ffmpeg(where: str) -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise error(
            where or "ffmpeg",
            "ffmpeg is not installed; casekit needs it to remove metadata from audio and "
            "video (install it with scripts/install-system-deps.sh or your package manager)",
            "ffmpeg-missing",
        )
    return found


def strip_av(source: Path, target: Path, fmt: str, where: str) -> None:
    """Write ``source`` (audio or video of casekit format ``fmt``) to ``target`` without
    metadata; raises ``CasekitError`` naming ``where`` when ffmpeg cannot."""
    demuxer, muxer = FFMPEG_FORMATS[fmt]
    command = [
        _ffmpeg(where), "-nostdin", "-hide_banner", "-loglevel", "error",
        "-protocol_whitelist", "file", "-f", demuxer, "-i", f"file:{source}",
        *_KEEP, *_DROP, *_BITEXACT, "-f", muxer, "-y", f"file:{target}",
    ]  # fmt: skip
    timeout = _TIMEOUT_BASE + source.stat().st_size / _TIMEOUT_BYTES_PER_SECOND
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise error(
            where, f"ffmpeg took over {timeout:.0f} s to copy the file", "media-invalid"
        ) from None
    if done.returncode != 0:
        for number in _DISK_FULL:  # the build reports a disk that cannot take it (write-failed)
            if os.strerror(number) in done.stderr or (
                number == errno.EFBIG and done.returncode == -signal.SIGXFSZ  # a size limit
            ):
                raise OSError(number, os.strerror(number), str(target))
        said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise error(
            where, f"cannot remove the file's metadata: ffmpeg says {said}", "media-invalid"
        )


def stripped_copy(root: Path, item: t.MediaItem, target: Path) -> tuple[int, str]:
    """Strip ``item`` into ``target``; its size and SHA-256. The course's file must
    still be the one resolve hashed, before and after ffmpeg read it."""
    real, _ = resolve_inside(root, item.path)
    before = real.stat()
    strip_av(real, target, item.format, item.path)
    after = real.stat()
    same = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
    if not same or hash_file(real)[1] != item.sha256:
        raise error(
            item.path,
            "file changed while the course was being built (its hash no longer matches); "
            "build again",
            "media-changed",
        )
    return hash_file(target)


def stripped_file(root: Path, item: t.MediaItem, folder: Path) -> Path:
    """``item`` without metadata, as a file in ``folder`` (a package streams it in)."""
    target = folder / f"{item.sha256}.{item.format}"
    stripped_copy(root, item, target)
    return target


def stripped_digest(root: Path, item: t.MediaItem) -> tuple[int, str]:
    """Size and SHA-256 of ``item`` as learners get it (streamed through a temporary file)."""
    with tempfile.TemporaryDirectory(prefix="casekit-av-") as folder:
        return stripped_copy(root, item, Path(folder, "stripped"))
