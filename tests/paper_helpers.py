"""Helpers of the paper-loop tests: a group's real personal packets issued by
``casekit packets``, their answer-sheet pages rasterised with pypdfium2, and a
learner's marks drawn on them as a pencil would."""

from __future__ import annotations

import atexit
import functools
import json
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
from PIL import Image

from casekit.scan.qr import find_code
from casekit.sheets.layout import SheetPage
from tests.learners_helpers import casekit, write_roster
from tests.synthetic_scans import Marker

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "courses" / "digital-literacy-kk"
DPI = 150
PLAN = ["--start", "2027-01-11", "--hours-per-week", "6"]


@dataclass
class SheetImage:
    """One answer-sheet page of a packet, as printed."""

    learner: str
    sheet: str  # the register's sheet id
    kind: str
    target: str
    layout: SheetPage
    image: np.ndarray  # grey, at DPI


def issue(tmp: Path, register: str, course: Path = COURSE, group: str = "G1") -> Path:
    """Import the roster, enrol ``group`` in ``course`` and make its packets; the folder.
    A new SQLite register for G1 of the example course is a copy of the process's one
    such issue (the register keeps no paths of ``tmp``; packets are byte-identical)."""
    fresh = not Path(register).exists() and not (tmp / f"packets-{group}").exists()
    if fresh and register.endswith(".sqlite") and course == COURSE and group == "G1":
        template, folder = _issued_g1()
        shutil.copy2(template / "roster.csv", tmp / "roster.csv")
        shutil.copy2(template / "register.sqlite", register)  # owner-only, as casekit made it
        shutil.copytree(template / "packets-G1", tmp / "packets-G1")
        return tmp / folder.relative_to(template)
    return _issue(tmp, register, course, group)


@functools.cache
def _issued_g1() -> tuple[Path, Path]:
    """G1 of the example course issued once per process into an SQLite register: the
    folder of it all and the packets' folder."""
    tmp = Path(tempfile.mkdtemp(prefix="casekit-issued-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    folder = _issue(tmp, str(tmp / "register.sqlite"))
    assert not (tmp / "register.sqlite-wal").exists()  # the register is all in one file
    return tmp, folder


def _issue(tmp: Path, register: str, course: Path = COURSE, group: str = "G1") -> Path:
    roster = write_roster(tmp / "roster.csv")
    assert casekit("learners", "import", str(roster), register=register).returncode == 0
    enrolled = casekit("enrol", str(course), "--group", group, *PLAN, register=register)
    assert enrolled.returncode == 0, enrolled.stderr
    out = tmp / f"packets-{group}"
    made = casekit("packets", str(course), "--group", group, "-o", str(out), register=register)
    assert made.returncode == 0, made.stderr
    return next(p.parent for p in out.rglob("issue-list.pdf"))


def sheet_images(packet: Path, register: str) -> list[SheetImage]:
    """The answer-sheet pages of a packet, each with the layout the register keeps."""
    from casekit.learners.register import open_register

    found = []
    with open_register(register) as reg:
        document = pypdfium2.PdfDocument(str(packet))
        try:
            for page in document:
                bitmap = page.render(scale=DPI / 72, grayscale=True)
                image = np.array(bitmap.to_pil().convert("L"))
                code = find_code(image)
                if code is None or code.ref is None or not code.ref.personal:
                    continue
                sheet = reg.sheet(code.ref.sheet_id)
                assert sheet is not None
                pages = json.loads(sheet.layout)
                layout = SheetPage.from_json(json.dumps(pages[code.ref.page - 1]))
                found.append(
                    SheetImage(sheet.learner, sheet.id, sheet.kind, sheet.target, layout, image)
                )
        finally:
            document.close()
    return found


def marked(
    sheet: SheetImage, choices: dict[str, list[int]], seed: int = 0, blank: tuple[str, ...] = ()
) -> np.ndarray:
    """A copy of the sheet with crosses in the boxes ``choices`` names (question key
    -> options) and a few lines of writing in each open area but the ``blank`` ones."""
    image = sheet.image.copy()
    marker = Marker(image, DPI, random.Random(seed))
    for row in sheet.layout.rows:
        for option in choices.get(row.key, []):
            marker.cross(row.boxes[option], 50)
    for area in sheet.layout.areas:
        if area.key not in blank:
            marker.writing(area.rect)
    return image


def dot(image: np.ndarray, layout: SheetPage, key: str, option: int) -> None:
    """A faint little mark in a box: neither empty nor clearly marked."""
    row = next(r for r in layout.rows if r.key == key)
    box = row.boxes[option]
    px = DPI / 25.4
    centre = (round((box.x + box.w / 2) * px), round((box.y + box.h / 2) * px))
    cv2.circle(image, centre, round(0.8 * px), 40, -1)


def save_pdf(path: Path, images: list[np.ndarray]) -> Path:
    pictures = [Image.fromarray(image) for image in images]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], resolution=DPI)
    return path


def save_jpeg(path: Path, image: np.ndarray, orientation: int = 1) -> Path:
    """A JPEG as a phone saves it: ``orientation`` 6 stores the pixels turned a
    quarter anticlockwise and says so in EXIF."""
    picture = Image.fromarray(image)
    exif = Image.Exif()
    if orientation == 6:
        picture = picture.transpose(Image.Transpose.ROTATE_90)
        exif[0x0112] = 6
    picture.save(path, quality=85, exif=exif.tobytes())
    return path


def course_copy(tmp: Path, version: str, *, new_key: bool = False) -> Path:
    """The example course as another version; ``new_key``: the right answer of
    self-check 1.1's first question moves from option b to option a."""
    copy = tmp / f"course-{version}"
    shutil.copytree(COURSE, copy)
    toml = copy / "course.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('version = "1.0.0"', f'version = "{version}"'), encoding="utf-8")
    if new_key:
        lesson = copy / "lessons" / "01-computer.md"
        old = "   - [ ] Монитор\n   - [x] Пернетақта\n"
        text = lesson.read_text(encoding="utf-8")
        assert old in text
        new = "   - [x] Монитор\n   - [ ] Пернетақта\n"
        lesson.write_text(text.replace(old, new), encoding="utf-8")
    return copy
