"""A teacher's phone photo never brings its EXIF (GPS included), XMP, comments or PNG
text to learners: not in the bundle, the EPUB, the DOCX, the HTML or the PDF; its
orientation is kept (issue 19)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from casekit import tree as t
from casekit.diagnostics import CasekitError
from casekit.render.image_metadata import png_chunks, strip_metadata
from casekit.render.images import image_bytes, write_image
from tests.conftest import MINI, require_tool
from tests.hostile_build import build_formats

SECRETS = [b"Secret Teacher Phone", b"xmp-secret", b"comment-secret", b"png-secret", b"51.1694"]


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: EXIF with owner, GPS and orientation 6, XMP, a comment."""
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = "Secret Teacher Phone"  # Artist
    exif[0x0112] = 6  # rotated: shown upright only with the orientation
    gps = exif.get_ifd(0x8825)
    gps[2] = (51.0, 10.0, 9.84)  # GPSLatitude
    gps[1] = "N"
    exif[0x010E] = "51.1694 71.4491"  # ImageDescription: Astana
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>xmp-secret</x:xmpmeta>"
    extra = b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp
    extra += b"\xff\xfe" + struct.pack(">H", len(b"comment-secret") + 2) + b"comment-secret"
    return data[:2] + extra + data[2:]


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "png-secret")
    info.add_itxt("Comment", "png-secret again", lang="kk")
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (10, 120, 10)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def blobs(path: Path) -> list[bytes]:
    """Every piece of ``path`` a reader could get at: the file, zip entries (EPUB, DOCX,
    bundle zip), data: URLs of an HTML page, the uncompressed streams of a PDF."""
    if path.is_dir():
        return [b for p in sorted(path.rglob("*")) if p.is_file() for b in blobs(p)]
    data = path.read_bytes()
    found = [data]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            found += [archive.read(name) for name in archive.namelist()]
    if path.suffix == ".html":
        found += [base64.b64decode(m) for m in re.findall(rb"base64,([A-Za-z0-9+/=]+)", data)]
    if path.suffix == ".pdf":
        plain = path.with_suffix(".qdf")
        subprocess.run(
            [require_tool("qpdf"), "--qdf", "--object-streams=disable", str(path), str(plain)],
            check=False,
        )
        found.append(plain.read_bytes())
        plain.unlink()
    return found


@pytest.mark.slow
def test_no_output_carries_the_photos_metadata(tmp_path: Path) -> None:
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    (course / "media" / "photo.jpg").write_bytes(phone_photo())
    (course / "media" / "diagram.png").write_bytes(png_with_text())
    formats = ("html", "epub", "docx", "pdf", "usb")
    diags, outputs = build_formats(course, tmp_path / "out", formats)
    assert not diags.has_errors(), diags.sorted()
    assert {record.format for record in outputs} == set(formats)
    for record in outputs:
        for path in record.paths:
            for blob in blobs(path):
                leaked = [s for s in SECRETS if s in blob]
                assert not leaked, (path, leaked)
    bundle = next(p for r in outputs if r.format == "usb" for p in r.paths)
    with Image.open(bundle / "data/media/photo.jpg") as photo:
        assert dict(photo.getexif()) == {0x0112: 6}
    with Image.open(bundle / "data/media/diagram.png") as diagram:
        assert diagram.text == {} and diagram.size == (30, 30)


def png_orientation_kept(orientation: int, after_pixels: bool) -> dict[int, object]:
    """The EXIF left by stripping a PNG whose eXIf chunk (with GPS and owner) comes
    before or after its pixels (both are allowed; the orientation is read from the
    chunk itself, without decoding the pixels)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x013B] = "Secret Teacher Phone"
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 0, 200)).save(out, "PNG", exif=exif)
    data = out.getvalue()
    chunks = {kind: data[s:e] for kind, s, e in png_chunks(data)}
    if after_pixels:
        order = [b"IHDR", b"IDAT", b"eXIf", b"IEND"]
        data = data[:8] + b"".join(chunks[kind] for kind in order)
    clean = strip_metadata(data, "png")
    assert b"Secret Teacher Phone" not in clean
    with Image.open(io.BytesIO(clean)) as after:
        return dict(after.getexif())


def test_stripping_keeps_pixels_and_orientation() -> None:
    photo = phone_photo()
    clean = strip_metadata(photo, "jpeg")
    assert not any(s in clean for s in SECRETS)
    with Image.open(io.BytesIO(photo)) as before, Image.open(io.BytesIO(clean)) as after:
        assert after.tobytes() == before.tobytes()
        assert dict(after.getexif()) == {0x0112: 6}
    png = png_with_text()
    clean = strip_metadata(png, "png")
    assert b"png-secret" not in clean
    with Image.open(io.BytesIO(png)) as before, Image.open(io.BytesIO(clean)) as after:
        assert after.tobytes() == before.tobytes()
    assert png_orientation_kept(6, after_pixels=False) == {0x0112: 6}
    assert png_orientation_kept(3, after_pixels=True) == {0x0112: 3}
    plain = Image.new("L", (4, 4))
    out = io.BytesIO()
    plain.save(out, "JPEG")
    assert strip_metadata(out.getvalue(), "jpeg") == out.getvalue()  # nothing to remove
    exif_only = phone_photo().replace(b"\xff\xe0\x00\x10JFIF", b"\xff\xe3\x00\x10JFIF")
    clean = strip_metadata(exif_only, "jpeg")  # APP3 now: dropped, and no JFIF is left
    assert clean[2:4] == b"\xff\xe1" and clean[6:10] == b"Exif"  # python-docx reads it
    with Image.open(io.BytesIO(clean)) as after:
        assert dict(after.getexif()) == {0x0112: 6}


def _item(path: Path, fmt: str) -> t.MediaItem:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    return t.MediaItem(path.name, "image", fmt, len(data), sha, f"data/media/{path.name}", "")


def _large_png(size: int) -> bytes:
    """A PNG of ``size`` bytes of (undecodable) image data in 1 MiB IDAT chunks and a text
    chunk: its structure is all the stripping reads."""
    chunks = [b"IHDR" + struct.pack(">IIBBBBB", 4000, 4000, 8, 2, 0, 0, 0)]
    chunks.append(b"tEXt" + b"Author\0png-secret")
    chunks += [b"IDAT" + os.urandom(1 << 20) for _ in range(size >> 20)]
    chunks.append(b"IEND")
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(c) - 4) + c + struct.pack(">I", zlib.crc32(c)) for c in chunks
    )


def test_the_bundle_streams_images_as_every_format_embeds_them(tmp_path: Path) -> None:
    """``write_image`` (the bundle) gives ``image_bytes``' bytes without holding the picture:
    an 8 MiB PNG and JPEG stream through 1-2 MiB; a file changed meanwhile is refused."""
    exif_png = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 8
    Image.new("RGB", (20, 10)).save(exif_png, "PNG", exif=exif)
    photo = phone_photo()
    scan = photo.index(b"\xff\xda")
    scan += 2 + struct.unpack(">H", photo[scan + 2 : scan + 4])[0]  # its header: then the data
    files = {
        "photo.jpg": (phone_photo(), "jpeg"),
        "text.png": (png_with_text(), "png"),
        "turned.png": (exif_png.getvalue(), "png"),
        "large.png": (_large_png(8 << 20), "png"),
        "large.jpg": (photo[:scan] + os.urandom(8 << 20) + b"\xff\xd9", "jpeg"),
    }
    for name, (data, fmt) in files.items():
        (tmp_path / name).write_bytes(data)
        item = _item(tmp_path / name, fmt)
        with (tmp_path / "out").open("wb") as out:
            tracemalloc.start()
            write_image(tmp_path, item, out)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        written = (tmp_path / "out").read_bytes()
        assert written == image_bytes(tmp_path, item), name
        assert not any(s in written for s in SECRETS), name
        if name.startswith("large"):
            assert peak < 3 << 20, (name, peak)  # the file is 8 MiB
    with Image.open(tmp_path / "out") as back:  # the large JPEG: its orientation kept
        assert dict(back.getexif()) == {0x0112: 6}
    item = _item(tmp_path / "large.png", "png")
    with (tmp_path / "large.png").open("r+b") as handle:  # changed after resolve hashed it
        handle.seek(4 << 20)
        handle.write(b"changed")
    with pytest.raises(CasekitError) as raised:
        write_image(tmp_path, item, io.BytesIO())
    assert raised.value.diagnostic.code == "media-changed"
