"""Audio and video reach learners without their container metadata (titles, owner,
GPS position, dates, device, chapters, cover art), every audio and video packet
unchanged, the same bytes on every build; checked with ffprobe and ffmpeg's stream hash."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from casekit.diagnostics import CasekitError
from casekit.render.av_metadata import strip_av
from casekit.resolve.media import sniff
from tests.av_helpers import PRIVATE, private_tags, stream_hashes, tagged_media
from tests.conftest import MINIMAL_TOML, build, casekit

FORMATS = {"v.mp4": "mp4", "v.webm": "webm", "a.mp3": "mp3", "a.m4a": "m4a", "a.ogg": "ogg"}


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return tagged_media(tmp_path_factory.mktemp("tagged"))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_strip_removes_the_metadata_and_keeps_every_packet(
    tagged: dict[str, Path], tmp_path: Path, name: str
) -> None:
    source = tagged[name]
    assert private_tags(source)  # the example really carries private metadata
    first, second = tmp_path / f"1-{name}", tmp_path / f"2-{name}"
    strip_av(source, first, FORMATS[name], name)
    strip_av(source, second, FORMATS[name], name)
    assert private_tags(first) == []
    data = first.read_bytes()
    assert not [text for text in PRIVATE if text.encode() in data]
    assert stream_hashes(first) == stream_hashes(source)  # no packet changed or lost
    assert data == second.read_bytes()  # deterministic
    assert sniff(data[:512]) == FORMATS[name]  # still what its name says


def test_a_damaged_video_is_one_line(tmp_path: Path, tagged: dict[str, Path]) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(tagged["v.mp4"].read_bytes()[:600])  # ftyp, then cut
    with pytest.raises(CasekitError) as caught:
        strip_av(broken, tmp_path / "out.mp4", "mp4", "media/broken.mp4")
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "media-invalid" and diagnostic.path == "media/broken.mp4"
    assert "ffmpeg says" in diagnostic.message and "\n" not in diagnostic.message


def test_a_full_disk_while_stripping_is_a_disk_error(
    tmp_path: Path, tagged: dict[str, Path]
) -> None:
    """ffmpeg's write failing for space is an ``OSError`` the build reports as
    ``write-failed`` (tests/test_disk_full.py), not a damaged media file."""
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from casekit.render.av_metadata import strip_av\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))\n"
        "try:\n"
        "    strip_av(Path(sys.argv[1]), Path(sys.argv[2]), 'mp4', 'media/v.mp4')\n"
        "except OSError as exc:\n"
        "    print(exc.errno)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tagged["v.mp4"]), str(tmp_path / "out.mp4")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.stdout.strip() == str(errno.EFBIG), done.stdout + done.stderr


def tagged_course(root: Path, tagged: dict[str, Path]) -> Path:
    (root / "media").mkdir(parents=True)
    for name, path in tagged.items():
        shutil.copy(path, root / "media" / name)
    lesson = "# Lesson\n\n" + "".join(f"![{name}](../media/{name})\n\n" for name in sorted(tagged))
    (root / "lessons").mkdir()
    (root / "lessons/a.md").write_text(lesson, "utf-8")
    (root / "course.toml").write_text(MINIMAL_TOML.format(lessons='"lessons/a.md"'), "utf-8")
    return root


@pytest.mark.slow
def test_the_bundle_the_epub_and_scorm_carry_no_metadata(
    tmp_path: Path, tagged: dict[str, Path]
) -> None:
    course = tagged_course(tmp_path / "course", tagged)
    out = tmp_path / "out"
    build(course, ["usb", "scorm12"], out, editions=("learner",), embed_media=True)
    bundle = out / "t/usb/t-1"
    epub = out / "t/epub/t-learner.epub"
    with zipfile.ZipFile(out / "t/scorm12/t-1-scorm12.zip") as package:
        for name in sorted(tagged):
            (tmp_path / f"scorm-{name}").write_bytes(package.read(f"data/media/{name}"))
    with zipfile.ZipFile(epub) as book:
        embedded = [n for n in book.namelist() if n.startswith("EPUB/media/") and "vtt" not in n]
        assert len(embedded) == len(tagged)
        for name in embedded:
            (tmp_path / Path(name).name).write_bytes(book.read(name))
    carried = [bundle / "data/media" / name for name in sorted(tagged)]
    carried += [tmp_path / Path(name).name for name in embedded]
    carried += [tmp_path / f"scorm-{name}" for name in sorted(tagged)]
    for path in carried:
        assert private_tags(path) == [], path
    for name in sorted(tagged):
        assert stream_hashes(bundle / "data/media" / name) == stream_hashes(tagged[name])
    everything = b"".join(p.read_bytes() for p in bundle.rglob("*") if p.is_file())
    everything += epub.read_bytes() + b"".join(p.read_bytes() for p in carried)
    assert not [text for text in PRIVATE if text.encode() in everything]
    assert casekit("verify", bundle).returncode == 0
    # the course compares as learners get it (diff writes its HTML report where it runs)
    same = casekit("diff", course, bundle, "--exit-code", cwd=tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr


@pytest.mark.slow
def test_without_ffmpeg_the_build_stops_with_one_line(
    tmp_path: Path, tagged: dict[str, Path]
) -> None:
    course = tagged_course(tmp_path / "course", {"v.mp4": tagged["v.mp4"]})
    tools = tmp_path / "bin"  # every command of the system but ffmpeg
    tools.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        for entry in Path(folder).glob("*") if Path(folder).is_dir() else []:
            if entry.name not in ("ffmpeg", "ffprobe") and not (tools / entry.name).exists():
                (tools / entry.name).symlink_to(entry)
    result = casekit(
        "build", course, "-f", "usb", "-e", "learner", "-o", tmp_path / "out",
        env={"PATH": str(tools)},
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "ffmpeg is not installed" in last and last.endswith("[ffmpeg-missing]")
    assert not (tmp_path / "out/t/usb/t-1").exists()
