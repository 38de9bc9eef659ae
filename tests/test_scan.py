"""Reading answer sheets back: the pure steps on synthetic scans of the example
courses' real packets (a light version of benchmarks/scan_benchmark.py), and
the pages that must not be read: cut corners, hidden marks, blank pages,
foreign QR codes, broken and hostile files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from PIL import Image
from pypdf import PdfWriter

from casekit.messages import messages
from casekit.scan.page import UnknownSheet, read_page
from casekit.scan.reasons import Reason
from casekit.scan.sources import MAX_PIXELS, pages
from tests.synthetic_scans import SheetSource, render_sheet, sheet_sources, synthetic_page

SAME = {"filled": "marked", "crossed": "marked"}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[SheetSource]:
    return sheet_sources(tmp_path_factory.mktemp("packets"))


def said(reason: Reason | None) -> str:
    """A reason in casekit's English words."""
    assert reason is not None
    return reason.text(messages("en"))


def lookup_in(sources: list[SheetSource]):
    layouts = {s.payload: s.layout for s in sources}

    def lookup(ref):
        text = f"{ref.course_id}|{ref.version}|{ref.item}"
        text = text if ref.page == 1 else f"{text}|{ref.page}"
        if text not in layouts:
            raise UnknownSheet("unknown_sheet", sheet=text)
        return layouts[text]

    return lookup


def decoded(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)


def test_sources_are_the_sheets_of_both_example_packets(sources):
    kinds = {(s.payload.split("|")[0], s.layout.kind) for s in sources}
    assert kinds == {
        ("digital-literacy-kk", "assignment"),
        ("digital-literacy-kk", "quiz"),
        ("job-search-en", "assignment"),
        ("job-search-en", "quiz"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("condition", ["scanner", "phone", "photocopy"])
def test_every_box_is_right_or_sent_to_review(sources, condition):
    """At 150 dpi: each sheet with boxes, one page upside down; every id right,
    no box recorded wrong, nearly all read without a person."""
    lookup = lookup_in(sources)
    right = review = 0
    for index, source in enumerate(s for s in sources if s.layout.rows):
        page = synthetic_page(source, condition, 150, seed=index, upside_down=index == 1)
        reading = read_page(decoded(page.data), lookup)
        assert reading.code == source.payload
        assert reading.status in ("read", "review") and reading.questions, reading.reasons
        for question in reading.questions:
            truths = page.truth[question.key]
            for box, truth in zip(question.boxes, truths, strict=True):
                if SAME.get(box.state, box.state) == truth:
                    right += 1
                else:
                    assert question.answer == "unsure", (question.key, truth, box)
                    assert question.key in reading.zooms
                    review += 1
        # and each open-answer area told written from blank (casekit/scan/areas.py)
        blank = {key for key, written in page.written.items() if not written}
        assert set(reading.areas) == set(page.written) and set(reading.blank) == blank
    assert right >= 0.97 * (right + review), (right, review)


@pytest.mark.slow
def test_a_blank_answer_page_is_told_from_a_written_one(sources):
    """An assignment's whole-page area: lines of writing, one short word in light
    pencil, nothing, or an eraser's smudge, under each condition (benchmark figures:
    benchmarks/README.md)."""
    source = next(s for s in sources if s.layout.kind == "assignment")
    lookup = lookup_in(sources)
    seen = set()
    for condition in ("scanner", "phone", "photocopy"):
        for seed in range(4):
            page = synthetic_page(source, condition, 150, seed=100 + seed)
            reading = read_page(decoded(page.data), lookup)
            assert reading.status == "read"
            assert ("assignment" in reading.blank) == (not page.written["assignment"])
            seen.add(page.written["assignment"])
    assert seen == {True, False}  # both kinds were met


def test_open_answers_are_kept_as_crops(sources):
    source = next(s for s in sources if s.layout.kind == "assignment")
    page = synthetic_page(source, "scanner", 150, seed=3)
    reading = read_page(decoded(page.data), lookup_in(sources))
    assert reading.status == "read" and list(reading.areas) == ["assignment"]
    crop = reading.areas["assignment"]
    rect = source.layout.areas[0].rect
    assert crop.shape == (round(rect.h * 6), round(rect.w * 6))


def quiz_image(sources: list[SheetSource]) -> tuple[np.ndarray, SheetSource]:
    source = next(s for s in sources if s.layout.rows)
    page = synthetic_page(source, "scanner", 150, seed=11)
    return decoded(page.data), source


def test_a_page_with_a_cut_corner_is_not_read(sources):
    image, source = quiz_image(sources)
    height, width = image.shape
    cut = image[: height - round(18 / 25.4 * 150), :]  # the bottom marks cut off
    reading = read_page(cut, lookup_in(sources))
    assert reading.status == "review"
    assert "corner mark is missing or cut off" in said(reading.reasons[0])
    assert not reading.questions and "page" in reading.zooms


def test_a_hidden_corner_mark_is_not_replaced_by_a_cancelled_box(sources):
    image, source = quiz_image(sources)
    px = 150 / 25.4
    mark = source.layout.marks[3]
    x0, y0 = round((mark.x - 1) * px), round((mark.y - 1) * px)
    image[y0 : y0 + round(9 * px), x0 : x0 + round(9 * px)] = 250  # a sticker over it
    # and a blacked-out box where a careless search would take it for the mark
    row = source.layout.rows[-1]
    box = row.boxes[0]
    cv2.rectangle(
        image,
        (round(box.x * px), round(box.y * px)),
        (round((box.x + box.w) * px), round((box.y + box.h) * px)),
        20,
        -1,
    )
    reading = read_page(image, lookup_in(sources))
    assert reading.status == "review" and not reading.questions
    assert "bottom-left" in said(reading.reasons[0])


def test_blank_and_foreign_pages(sources):
    blank = np.full((1754, 1240), 245, np.uint8)
    reading = read_page(blank, lookup_in(sources))
    assert reading.status == "review" and "no readable QR code" in said(reading.reasons[0])
    foreign = blank.copy()
    code = np.array(qrcode.make("https://example.org/").get_image().convert("L"))
    foreign[100 : 100 + code.shape[0], 100 : 100 + code.shape[1]] = code
    reading = read_page(foreign, lookup_in(sources))
    assert reading.status == "refused" and "not a casekit answer sheet" in said(reading.reasons[0])


def test_a_sheet_the_register_does_not_know_is_refused(sources):
    image, _ = quiz_image(sources)

    def nobody(ref):
        raise UnknownSheet("unknown_sheet", sheet="KZ-001-x")

    reading = read_page(image, nobody)
    assert reading.status == "refused" and reading.reasons == [
        Reason("unknown_sheet", {"sheet": "KZ-001-x"})
    ]


# --------------------------------------------------------------------------- inputs


def test_pdf_scans_are_read_page_by_page_and_phone_photos_turned_upright(sources, tmp_path):
    image, source = quiz_image(sources)
    picture = Image.fromarray(image)
    pdf = tmp_path / "batch.pdf"
    picture.save(pdf, save_all=True, append_images=[picture.rotate(180)], resolution=150)
    # a phone stores the picture as taken and says how to turn it (EXIF orientation 3)
    photo = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 3
    picture.rotate(180).save(photo, exif=exif, quality=90)
    found = list(pages([tmp_path]))
    assert [(p.source.name, p.page) for p in found] == [
        ("batch.pdf", 1),
        ("batch.pdf", 2),
        ("photo.jpg", 1),
    ]
    lookup = lookup_in(sources)
    for page in found:
        assert not page.problem
        assert read_page(page.grey, lookup).code == source.payload
    assert found[2].grey.shape == image.shape  # turned, not read sideways
    assert found[0].digest() != found[1].digest()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge image (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_broken_and_hostile_files_are_one_line_each(tmp_path):
    (tmp_path / "bomb.png").write_bytes(png_header_only(40_000, 40_000))
    (tmp_path / "huge.png").write_bytes(png_header_only(10_000, 10_000))
    (tmp_path / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.7\n garbage")
    (tmp_path / "notes.txt").write_text("not an image")  # not a scan: skipped
    found = {p.source.name: p for p in pages([tmp_path, tmp_path / "missing.png"])}
    assert set(found) == {"bomb.png", "huge.png", "corrupt.jpg", "corrupt.pdf", "missing.png"}
    assert said(found["bomb.png"].problem) == "image too large to decode safely"
    assert said(found["huge.png"].problem).startswith("image too large (10000×10000 pixels")
    assert said(found["corrupt.jpg"].problem).startswith("not a readable image")
    assert said(found["corrupt.pdf"].problem).startswith("not a readable PDF")
    assert said(found["missing.png"].problem) == "no such file"
    assert all(p.grey is None for p in found.values())
    assert MAX_PIXELS < 10_000 * 10_000


def test_a_very_large_jpeg_is_decoded_at_reduced_scale(tmp_path):
    path = tmp_path / "big.jpg"
    Image.new("L", (9000, 7000), 200).save(path, quality=50)  # 63 megapixels
    (page,) = pages([path])
    assert not page.problem
    assert page.grey.shape[0] * page.grey.shape[1] <= MAX_PIXELS
    assert page.grey.shape == (1750, 2250)  # libjpeg's 1/4 scale: still 1,200 px or more


def test_a_pdf_of_5000_pages_is_refused_in_one_line(tmp_path):
    writer = PdfWriter()
    for _ in range(5000):
        writer.add_blank_page(width=595, height=842)
    path = tmp_path / "many.pdf"
    with path.open("wb") as out:
        writer.write(out)
    found = list(pages([path]))
    assert [said(p.problem) for p in found] == ["5000 pages; split it (at most 2000 per file)"]


# --------------------------------------------------------------------------- personal sheets


@pytest.mark.slow  # renders the course's packets
def test_personal_sheets_are_read_with_the_layout_the_register_keeps(tmp_path, register_location):
    """A learner's packet from ``casekit packets``: its quiz sheet is found by the short
    sheet id in its QR code, fitted with the layout stored in the register, and a cross
    drawn on it is read as that question's answer."""
    import json

    import pypdfium2

    from casekit.learners.register import open_register
    from casekit.sheets.layout import SheetPage
    from tests.learners_helpers import casekit, write_roster

    course = Path(__file__).resolve().parent.parent / "courses" / "digital-literacy-kk"
    roster = write_roster(tmp_path / "roster.csv")
    assert casekit("learners", "import", str(roster), register=register_location).returncode == 0
    plan = ["--group", "G1", "--start", "2027-01-11", "--hours-per-week", "6"]
    assert casekit("enrol", str(course), *plan, register=register_location).returncode == 0
    out = tmp_path / "packets"
    made = casekit(
        "packets", str(course), "--group", "G1", "-o", str(out), register=register_location
    )
    assert made.returncode == 0, made.stderr
    packet = next(out.rglob("KZ-001.pdf"))
    register = open_register(register_location)

    def lookup(ref):
        sheet = register.sheet(ref.sheet_id) if ref.personal else None
        if sheet is None:
            raise UnknownSheet("unknown_sheet", sheet=ref.sheet_id)
        layouts = [SheetPage.from_json(json.dumps(page)) for page in json.loads(sheet.layout)]
        return layouts[ref.page - 1]

    read = []
    try:
        for page in pypdfium2.PdfDocument(str(packet)):
            image = np.array(page.render(scale=150 / 72, grayscale=True).to_pil().convert("L"))
            if not zxing_sheet(image):
                continue
            first = read_page(image, lookup)
            if not first.questions:
                continue
            row = first.layout.rows[0]
            box = row.boxes[1]
            px = 150 / 25.4
            corner = (round(box.x * px) + 5, round(box.y * px) + 5)
            far = (round((box.x + box.w) * px) - 5, round((box.y + box.h) * px) - 5)
            cv2.line(image, corner, far, 60, 3)
            cv2.line(image, (corner[0], far[1]), (far[0], corner[1]), 60, 3)
            reading = read_page(image, lookup)
            sheet = register.sheet(reading.ref.sheet_id)
            assert sheet.learner == "KZ-001" and sheet.kind == "quiz"
            assert reading.status == "read" and reading.questions[0].key == row.key
            assert reading.questions[0].chosen == (1,)
            assert reading.questions[0].boxes[1].state == "crossed"
            read.append(sheet.target)
    finally:
        register.close()
    assert read == ["module-1", "module-2"]


def zxing_sheet(image: np.ndarray) -> bool:
    """Whether the page carries a casekit sheet's QR code."""
    from casekit.scan.qr import find_code

    found = find_code(image)
    return found is not None and found.ref is not None


def test_heavy_shading_light_pencil_and_blackouts_are_told_apart(sources):
    """Shading that stops short of the box edge is a mark, even when dark and nearly
    full; a blackout to the edges cancels; a blackout with a gap at the edge is a
    doubt; a light pencil cross is a mark, a faint dot a doubt."""
    source = next(s for s in sources if s.layout.rows and len(s.layout.rows[0].boxes) >= 3)
    image = render_sheet(source, 150)
    px = 150 / 25.4

    def fill(box, inset: float, grey: int, gap: float = 0.0) -> None:
        cv2.rectangle(
            image,
            (round((box.x + inset) * px), round((box.y + inset) * px)),
            (round((box.x + box.w - inset - gap) * px), round((box.y + box.h - inset) * px)),
            grey,
            -1,
        )

    rows = source.layout.rows
    fill(rows[0].boxes[0], 0.62, 120)  # heavy shading, just short of the printed edge
    fill(rows[0].boxes[1], -0.4, 25)  # blacked out over the edge
    fill(rows[0].boxes[2], -0.4, 25, gap=1.5)  # blacked out, a strip left white
    box = rows[1].boxes[0]
    for a, b in (((0.15, 0.15), (0.85, 0.85)), ((0.85, 0.15), (0.15, 0.85))):
        start = (round((box.x + box.w * a[0]) * px), round((box.y + box.h * a[1]) * px))
        end = (round((box.x + box.w * b[0]) * px), round((box.y + box.h * b[1]) * px))
        cv2.line(image, start, end, 180, 2)  # a light pencil cross
    centre = rows[1].boxes[1].centre
    cv2.circle(image, (round(centre[0] * px), round(centre[1] * px)), round(0.8 * px), 60, -1)
    reading = read_page(image, lookup_in(sources))
    first, second = reading.questions[0], reading.questions[1]
    assert [b.state for b in first.boxes[:3]] == ["filled", "cancelled", "unsure"]
    assert second.boxes[0].state in ("crossed", "filled")
    assert second.boxes[1].state == "unsure"


def test_a_photocopy_keeps_erased_smudges_empty_and_light_strokes_marked(sources):
    """On a dithered black-and-white page an eraser's smudge becomes scattered black
    specks and a pencil stroke a run of dense ones: the page is descreened before its
    boxes are measured, so the specks are no mark (nor a doubt) and the stroke is."""
    from PIL import Image

    source = next(s for s in sources if s.layout.rows and len(s.layout.rows[0].boxes) >= 3)
    image = render_sheet(source, 150)
    px = 150 / 25.4
    boxes = source.layout.rows[0].boxes
    for box in boxes[:2]:  # the darkest smudges an eraser leaves
        layer = np.zeros_like(image, np.float32)
        centre = (round((box.x + box.w / 2) * px), round((box.y + box.h / 2) * px))
        axes = (round(box.w * 0.45 * px), round(box.h * 0.35 * px))
        cv2.ellipse(layer, centre, axes, 20, 0, 360, 1.0, -1)
        layer = cv2.GaussianBlur(layer, (0, 0), px * 0.8)
        image[:] = np.minimum(image, (255 - 40 * layer).astype(np.uint8))
    box = boxes[2]
    for a, b in (((0.15, 0.15), (0.85, 0.85)), ((0.85, 0.15), (0.15, 0.85))):
        start = (round((box.x + box.w * a[0]) * px), round((box.y + box.h * a[1]) * px))
        end = (round((box.x + box.w * b[0]) * px), round((box.y + box.h * b[1]) * px))
        cv2.line(image, start, end, 120, 2, cv2.LINE_AA)  # a light pencil cross
    dithered = np.array(Image.fromarray(image).convert("1").convert("L"))
    reading = read_page(dithered, lookup_in(sources))
    first = reading.questions[0]
    assert [b.state for b in first.boxes[:3]] == ["empty", "empty", "crossed"], first.boxes
    assert first.answer == "answered" and first.chosen == (2,)


@pytest.mark.parametrize("condition", ["scanner", "phone"])
def test_the_faintest_pencil_cross_at_100_dpi_is_never_recorded_empty(sources, condition):
    """The case the scan benchmark recorded wrong at 100 dpi: a cross in the lightest
    pencil (grey 168 of the page's 170) spread by the scan until no pixel of it passes
    the light-ink measure. Its strokes still stand out from the paper around them, so
    the box is a doubt, never "empty" (casekit/scan/boxes.py, STROKE_*)."""
    source = next(s for s in sources if s.payload == "job-search-en|1.0.0|module-2")
    page = synthetic_page(source, condition, 100, seed=1_000_011)
    key = "05-rights-and-pay--quiz-pay/2"
    assert page.truth[key][1] == "marked"
    reading = read_page(decoded(page.data), lookup_in(sources))
    question = next(q for q in reading.questions if q.key == key)
    assert question.boxes[1].state == "unsure" and question.answer == "unsure"
    assert key in reading.zooms
    for question in reading.questions:  # and nothing else on the page recorded wrong
        for box, truth in zip(question.boxes, page.truth[question.key], strict=True):
            assert SAME.get(box.state, box.state) == truth or question.answer == "unsure"
