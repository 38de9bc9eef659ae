"""The usb format: layout, BagIt validity, manifest, verify, determinism, refusals."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import bagit
import pytest

from casekit.build.course import load_course
from casekit.build.pipeline import build_course
from casekit.build.write import write_outputs
from casekit.bundle.capacity import parse_size
from casekit.bundle.portable import PlannedFile, check_files
from casekit.diagnostics import CasekitError, Diagnostics
from casekit.files.portable_names import name_problem
from casekit.formats import BuildContext, formats
from casekit.formats.usb import UsbOptions
from tests.av_helpers import stream_hashes
from tests.conftest import casekit
from tests.usb_helpers import MINI, build_usb, fresh_bundle, manifest

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The mini course built twice (folder and zip each time) into separate folders: the
    session's bundle (tests.usb_helpers) and a build of this module's own."""
    one = fresh_bundle(tmp_path_factory.mktemp("one"), zip=True)
    two = tmp_path_factory.mktemp("two")
    shutil.copytree(MINI, two / "mini")
    return one, build_usb(two / "mini", two / "build", zip=True)[0]


@pytest.fixture(scope="module")
def bundle(built: tuple[Path, Path]) -> Path:
    return built[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_layout_and_manifest(bundle: Path) -> None:
    assert bundle.name == "mini-kk-1.0.0"
    data = manifest(bundle)
    assert data["course"]["id"] == "mini-kk"
    assert data["course"]["title"] == "Сандық сауаттылық негіздері"
    files = {f["path"]: f for f in data["files"]}
    for entry in files.values():
        target = bundle / entry["path"]
        assert target.stat().st_size == entry["size"]
        assert sha(target) == entry["sha256"]
    roles = {f["role"] for f in files.values()}
    assert roles == {"viewer", "verifier", "readme", "media", "transcript", "edition"}
    video = files["data/media/intro.mp4"]
    assert video["code"] == "V1.1" and video["kind"] == "video" and video["duration"] > 0
    assert files["data/media/intro.vtt"]["role"] == "transcript"
    assert data["codes"] == {"A2.1": "data/media/greeting.mp3", "V1.1": "data/media/intro.mp4"}
    # every media file is copied once: audio and video packet for packet, without
    # metadata (tests/test_av_metadata.py), SVG sanitised
    assert stream_hashes(bundle / "data/media/intro.mp4") == stream_hashes(MINI / "media/intro.mp4")
    assert sorted(p.name for p in (bundle / "data/media").iterdir()) == [
        "chart.svg", "diagram.png", "greeting.mp3", "intro.mp4", "intro.vtt", "photo.jpg"
    ]  # fmt: skip
    # the learner editions in PDF, EPUB and DOCX
    editions = [f for f in files.values() if f["role"] == "edition"]
    assert editions and all(f["edition"] == "learner" for f in editions)
    assert {f["format"] for f in editions} == {"pdf", "epub", "docx"}
    # nothing executable: scripts only among the viewer's own assets
    for path in files:
        assert not path.endswith((".exe", ".bat", ".cmd", ".sh", ".lnk", ".inf"))
        if path.endswith(".js"):
            assert path.startswith("data/viewer/")


def test_viewer_shows_the_learner_edition(bundle: Path) -> None:
    page = (bundle / "index.html").read_text("utf-8")
    search = (bundle / "data/viewer/course.js").read_text("utf-8")
    assert "Файлдар мен қалталар" in page
    assert "F2 пернесін басыңыз" not in page  # a solution
    assert 'class="correct"' not in page and "correct-mark" not in page
    assert "F2" not in search.encode().decode("unicode_escape")
    assert "Content-Security-Policy" in page and not re.search(r'src="(?!data:)[a-z]+:', page)


def test_qr_targets_and_codes_point_to_bundle_files(bundle: Path) -> None:
    data = manifest(bundle)
    files = {f["path"]: f for f in data["files"]}
    media = [f for f in data["files"] if f["role"] == "media"]
    assert media
    for entry in media:
        target = bundle / entry["qr_target"]  # relative targets are paths from the bundle folder
        assert target.is_file()
        assert sha(target) == entry["sha256"]
    for code, path in data["codes"].items():
        assert files[path]["code"] == code


def test_bagit_library_validates_the_bundle(bundle: Path) -> None:
    bag = bagit.Bag(str(bundle))
    bag.validate()  # raises BagValidationError with the details
    assert bag.info["Course-Id"] == "mini-kk"
    assert bag.info["Course-Title"] == "Сандық сауаттылық негіздері"
    assert bag.info["Course-Version"] == "1.0.0"
    assert bag.info["Source-Organization"] == "Ашық білім орталығы"
    assert bag.info["Bagging-Date"] == "2026-09-01"
    payload = [p for p in (bundle / "data").rglob("*") if p.is_file()]
    octets = sum(p.stat().st_size for p in payload)
    assert bag.info["Payload-Oxum"] == f"{octets}.{len(payload)}"
    tags = (bundle / "tagmanifest-sha256.txt").read_text("utf-8")
    for name in ("index.html", "verify.html", "README.txt", "manifest.json", "bag-info.txt"):
        assert f"{sha(bundle / name)}  {name}\n" in tags


def test_two_builds_are_identical(built: tuple[Path, Path]) -> None:
    one, two = built
    assert (one / "manifest.json").read_bytes() == (two / "manifest.json").read_bytes()
    zip_one, zip_two = (b.with_name(b.name + ".zip") for b in built)
    assert zip_one.read_bytes() == zip_two.read_bytes()
    with zipfile.ZipFile(zip_one) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert all(n.startswith("mini-kk-1.0.0/") for n in names)
        assert archive.read("mini-kk-1.0.0/manifest.json") == (one / "manifest.json").read_bytes()
        assert {i.date_time for i in archive.infolist()} == {(2026, 9, 1, 0, 0, 0)}
        # files/zips.STORED_SUFFIXES, the one list every casekit zip follows: media and
        # editions stored, the viewer's fonts (half their size deflated) and text deflated
        kept = {i.filename.rsplit(".", 1)[-1]: i.compress_type for i in archive.infolist()}
    assert {kept[s] for s in ("mp4", "png", "pdf", "epub", "docx")} == {zipfile.ZIP_STORED}
    assert {kept[s] for s in ("ttf", "html", "json", "js")} == {zipfile.ZIP_DEFLATED}


def test_readme_in_course_language_and_english(bundle: Path) -> None:
    raw = (bundle / "README.txt").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw and b"\n\n" not in raw
    text = raw.decode("utf-8-sig")
    assert "ҚАЛАЙ ТЕКСЕРУ КЕРЕК" in text and "HOW TO CHECK IT" in text
    assert "verify.html" in text and "casekit verify mini-kk-1.0.0" in text
    assert "&" not in text.replace("&&", "")  # plain text, not HTML-escaped


def test_verify_passes_then_reports_each_kind_of_damage(bundle: Path, tmp_path: Path) -> None:
    good = casekit("verify", bundle)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.startswith("OK: ")
    assert casekit("verify", bundle.with_name(bundle.name + ".zip")).returncode == 0

    damaged = tmp_path / bundle.name
    shutil.copytree(bundle, damaged)
    photo = damaged / "data/media/photo.jpg"
    raw = bytearray(photo.read_bytes())
    raw[100] ^= 0x01  # one flipped bit
    photo.write_bytes(bytes(raw))
    files = manifest(bundle)["files"]
    removed = next(f["path"] for f in files if f["role"] == "edition")
    (damaged / removed).unlink()
    (damaged / "data/notes.txt").write_text("added", "utf-8")
    (damaged / "data/media/greeting.mp3").rename(damaged / "data/media/hello.mp3")

    result = casekit("verify", damaged)
    assert result.returncode == 1
    lines = [line.split(": ", 1)[1] for line in result.stdout.splitlines()[:-1]]
    assert sorted(lines) == sorted(
        [
            "modified: data/media/photo.jpg",
            f"missing: {removed}",
            "extra: data/notes.txt",
            "missing: data/media/greeting.mp3",
            "extra: data/media/hello.mp3",
        ]
    )
    as_json = json.loads(casekit("verify", "--json", damaged).stdout)
    assert as_json[0]["ok"] is False and len(as_json[0]["differences"]) == 5


def test_verify_reads_zips_and_reports_a_damaged_manifest(bundle: Path, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    shutil.copy(bundle.with_name(bundle.name + ".zip"), archive)
    with zipfile.ZipFile(archive, "a") as added:
        added.writestr(f"{bundle.name}/data/media/extra.mp4", b"not a video")
    result = casekit("verify", archive)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].endswith("extra: data/media/extra.mp4")

    damaged = tmp_path / bundle.name
    shutil.copytree(bundle, damaged)
    (damaged / "manifest.json").write_text("{not json", "utf-8")
    result = casekit("verify", damaged)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("[manifest-damaged]")
    assert "Traceback" not in result.stderr


def test_verify_finds_bundles_on_a_stick_and_refuses_other_folders(
    bundle: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    shutil.copytree(bundle, stick / bundle.name)
    assert casekit("verify", stick).returncode == 0
    empty = casekit("verify", tmp_path / "stick" / bundle.name / "data")
    assert empty.returncode == 1
    assert "not-a-bundle" in empty.stderr and "Traceback" not in empty.stderr


@pytest.mark.parametrize(
    "path",
    ["autorun.inf", "data/AUTORUN.INF", "data/setup.exe", "data/run.bat", "data/a.cmd",
     "data/x.sh", "data/link.lnk", "data/media/evil.js", "index.js"],
)  # fmt: skip
def test_executable_names_are_refused(path: str) -> None:
    assert "never" in name_problem("b-1", path)


@pytest.mark.parametrize(
    "path",
    ["data/CON.png", "data/aux", "data/com1.txt", "data/a:b.png", "data/a?.png", "data/end.",
     "data/tab\there.png", "data/" + "x" * 260],
)  # fmt: skip
def test_non_portable_names_are_refused(path: str) -> None:
    assert name_problem("b-1", path)


def test_check_files_names_the_file_and_the_limit() -> None:
    with pytest.raises(CasekitError) as caught:
        check_files("b-1", [PlannedFile("data/media/ok.mp4", 10), PlannedFile("autorun.inf", 5)])
    assert str(caught.value.diagnostic).startswith("b-1/autorun.inf:1:1: error: autorun.inf: ")
    with pytest.raises(CasekitError) as caught:
        check_files("b-1", [PlannedFile("data/media/long.mp4", 4 * 1024**3, "media/long.mp4")])
    message = str(caught.value.diagnostic)
    assert (
        message.startswith("media/long.mp4:1:1: error:")
        and "FAT32 stick holds (4294967295 bytes)" in message
    )


def test_portable_names_pass() -> None:
    for path in ("data/viewer/viewer.js", "data/media/сурет-1.png", "data/editions/a b.pdf"):
        assert name_problem("b-1", path) == ""


def test_build_refuses_case_clash_and_unportable_name(make_course, tmp_path: Path) -> None:
    png = (MINI / "media/diagram.png").read_bytes()
    lesson = "# L\n\n![one](media/Photo.png)\n\n![two](media/photo.png)\n"
    course = make_course({"a.md": lesson}, files={"media/Photo.png": png, "media/photo.png": png})
    result = casekit("build", course, "-f", "usb", "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "differ only by letter case" in result.stderr and "[bundle-case-clash]" in result.stderr
    assert "Traceback" not in result.stderr

    (course / "a.md").write_text("# L\n\n![one](media/a:b.png)\n", "utf-8")
    (course / "media/a:b.png").write_bytes(png)
    result = casekit("build", course, "-f", "usb", "-o", tmp_path / "out")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("media/a:b.png:1:1: error:") and "FAT32" in line, line
    assert not (tmp_path / "out/t/usb/t-1").exists()


def test_stick_size_failure_names_largest_items_and_keeps_old_output(tmp_path: Path) -> None:
    assert parse_size("8GB") == 8 * 10**9 and parse_size("7.5 GiB") == int(7.5 * 2**30)
    out = tmp_path / "out"
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    folder = build_usb(course, out)[0]
    before = (folder / "manifest.json").read_bytes()
    result = casekit("build", course, "-f", "usb", "-o", out, "--stick-size", "1MB")
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-1]
    assert "[stick-too-small]" in message and "largest items:" in message
    assert "data/viewer/fonts/DejaVuSans.ttf" in message
    assert (folder / "manifest.json").read_bytes() == before  # previous bundle intact
    assert casekit("build", course, "-f", "usb", "-o", out, "--stick-size", "8GB").returncode == 0


def test_media_changed_after_check_fails_the_build(tmp_path: Path) -> None:
    course_dir = tmp_path / "mini"
    shutil.copytree(MINI, course_dir)
    course = load_course(course_dir, Diagnostics())
    assert course is not None
    with (course_dir / "media/intro.mp4").open("ab") as handle:
        handle.write(b"\0")  # changed between registration (hash) and copy
    usb = formats()["usb"]
    out = tmp_path / "build/mini-kk"
    context = BuildContext(out / "usb", UsbOptions(), course_dir, out)
    with pytest.raises(CasekitError) as caught:
        write_outputs("usb", out / "usb", usb.renderer()(course, context))
    assert caught.value.diagnostic.path == "media/intro.mp4"
    assert caught.value.diagnostic.code == "media-changed"
    assert not (out / "usb/mini-kk-1.0.0").exists()
    assert not list((out / "usb").iterdir())  # no temporary left behind


def test_media_symlink_out_of_the_course_is_refused(make_course, tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes((MINI / "media/diagram.png").read_bytes())
    course = make_course({"a.md": "# L\n\n![x](media/x.png)\n"})
    (course / "media").mkdir()
    (course / "media/x.png").symlink_to(outside)
    result = casekit("build", course, "-f", "usb", "-o", tmp_path / "out")
    assert result.returncode == 1 and "[path-escape]" in result.stderr
    assert not (tmp_path / "out/t/usb").exists()


def test_force_reuses_no_media_from_the_previous_bundle(tmp_path: Path) -> None:
    """An unchanged media file is hard-linked from the previous bundle through the build
    cache; ``--force`` reads nothing from the cache, so every file is copied afresh."""
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    video = "data/media/intro.mp4"
    first = build_usb(course, tmp_path / "build")[0]
    inode = (first / video).stat().st_ino
    lesson = course / "lessons/01-computer.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert (build_usb(course, tmp_path / "build")[0] / video).stat().st_ino == inode
    forced = build_course(course, ["usb"], ("learner",), tmp_path / "build", force=True)
    bundle = forced.outputs[-1].paths[0]
    assert (bundle / video).stat().st_ino != inode
    assert stream_hashes(bundle / video) == stream_hashes(MINI / "media/intro.mp4")


def test_teacher_editions_only_when_asked(tmp_path: Path) -> None:
    bundle = fresh_bundle(tmp_path, with_teacher=True)
    editions = {f["edition"] for f in manifest(bundle)["files"] if f["role"] == "edition"}
    assert editions == {"learner", "teacher"}


def test_qr_codes_printed_in_the_pdf_open_bundle_files(bundle: Path) -> None:
    """Decoded QR codes of the learner PDF (when a pdf format is registered) are bundle files."""
    if "pdf" not in formats():
        pytest.skip("no pdf format is registered on this branch")
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    files = {f["path"]: f for f in manifest(bundle)["files"]}
    pdf = next(p for p, f in files.items() if f.get("format") == "pdf")
    decoded = set()
    document = pdfium.PdfDocument(bundle / pdf)
    for page in document:
        image = page.render(scale=3).to_pil()
        decoded |= {r.text for r in zxingcpp.read_barcodes(image)}
    media = {f["qr_target"]: f for f in files.values() if f["role"] == "media" and f.get("code")}
    assert set(media) <= decoded
    for target in decoded & set(media):
        assert sha(bundle / target) == media[target]["sha256"]
