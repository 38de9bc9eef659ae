"""The PDF packet, checked with real tools: qpdf, pdffonts, pypdf text extraction,
pypdfium2 rendering decoded by zxing-cpp. Each course is built once per module."""

from __future__ import annotations

import collections
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
import pytest
import reportlab
import zxingcpp
from pypdf import PdfReader

from casekit.build.course import load_course
from casekit.build.pipeline import build_course
from casekit.diagnostics import CasekitError, Diagnostics
from casekit.files.cache import BuildCache
from casekit.formats.pdf.booklet import saddle_stitch_order
from casekit.render.templates import bundled_font
from casekit.sheets.payload import course_payload
from tests.conftest import MINI, built, casekit, require_tool
from tests.conftest import build as build_formats

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

KAZAKH = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"
SOLUTION_TEXT = ("F2 пернесін басыңыз", "Жаңа қалта", "Дұрыс жауап", "Астана")


def build(
    course: Path, out: Path, editions=("learner", "teacher"), jobs: int = 1, **options
) -> dict[str, Path]:
    return built(build_formats(course, ["pdf"], out, editions, jobs=jobs, **options), "pdf")


def copy_mini(tmp: Path, name: str, extra_toml: str = "") -> Path:
    target = tmp / name
    shutil.copytree(MINI, target)
    if extra_toml:
        toml = target / "course.toml"
        text = toml.read_text("utf-8")
        toml.write_text(text.replace("[[modules]]", extra_toml + "\n[[modules]]", 1), "utf-8")
    return target


def is_sheet(text: str) -> bool:
    """An answer sheet page (its marking instruction, in Kazakh)."""
    return "Қара шаршыларға және QR кодқа ештеңе жазбаңыз." in text.replace("\n", " ")


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def text_by_font(pdf: Path) -> dict[str, str]:
    """Extracted text grouped by the PDF font it is drawn with (subset prefix dropped)."""
    found: dict[str, list[str]] = collections.defaultdict(list)

    def visit(text, _cm, _tm, font, _size):
        if font and text.strip():
            found[str(font.get("/BaseFont", "")).split("+")[-1]].append(text)

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return {name: "".join(parts) for name, parts in found.items()}


def decoded_qr_codes(pdf: Path) -> list[str]:
    texts: list[str] = []
    document = pypdfium2.PdfDocument(str(pdf))
    for page in document:
        image = page.render(scale=2.5).to_pil()
        texts.extend(code.text for code in zxingcpp.read_barcodes(image))
    return texts


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("pdf")
    return build(copy_mini(tmp, "mini"), tmp / "build")


@pytest.fixture(scope="module")
def mini_course():
    return load_course(MINI, Diagnostics())


def test_qpdf_check_passes(mini):
    qpdf = require_tool("qpdf")
    for pdf in mini.values():
        result = subprocess.run([qpdf, "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No syntax or stream encoding errors" in result.stdout


def test_every_font_is_embedded(mini):
    pdffonts = require_tool("pdffonts")
    for pdf in mini.values():
        out = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True)
        rows = out.stdout.splitlines()[2:]
        assert len(rows) >= 4  # regular, bold, italic, mono at least
        for row in rows:
            assert re.search(r"\byes\s+yes\s+yes\b", row), f"not embedded: {row}"
            assert "DejaVu" in row


def test_learner_edition_has_no_solutions_and_teacher_has_them(mini):
    learner = "\n".join(page_texts(mini["learner"]))
    teacher = "\n".join(page_texts(mini["teacher"]))
    for text in SOLUTION_TEXT:
        assert text not in learner, text
        assert text in teacher, text
    assert "Білім алушыға арналған басылым" in learner


def test_structure_cover_toc_outline_metadata(mini, mini_course):
    reader = PdfReader(mini["teacher"])
    meta = reader.metadata
    assert meta.title == "Сандық сауаттылық негіздері"
    assert meta.author == "Айгүл Сейітқызы"
    assert "Тест курсы" in meta.subject
    assert str(reader.trailer["/Root"]["/Lang"]) == "kk"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:2] == ["1-модуль: Компьютермен танысу", "2-модуль: Қауіпсіздік"]
    lessons = [item.title for item in reader.outline[1]]
    assert lessons == ["1.1 Компьютер деген не?", "1.2 Файлдар мен қалталар"]
    texts = page_texts(mini["teacher"])
    total = len(texts)
    assert "Тест курсы" in texts[0] and "1.0.0" in texts[0] and "2026-09-01" in texts[0]
    # the contents page lists, in order, the pages the outline entries point to
    flat: list = []
    for item in reader.outline:
        flat.extend(item if isinstance(item, list) else [item])
    outline_pages = [reader.get_destination_page_number(item) + 1 for item in flat]
    toc_pages = [int(n) for n in re.findall(r"\.\s+(\d+)\n", texts[1] + "\n")]
    assert toc_pages == outline_pages
    assert "Құпиясөз қауіпсіздігі" in texts[outline_pages[4] - 1]
    sheets = 0
    for number, text in enumerate(texts[1:], start=2):
        if is_sheet(text):
            sheets += 1  # answer sheets carry no running header or footer
            assert "бет, барлығы" not in text
            continue
        if not text.strip():  # a page left blank for duplex printing
            continue
        assert f"{number}-бет, барлығы {total}" in text
    assert sheets == 2  # the assignment sheet, the quiz sheet of module 1 (module 2 has no quiz)


def internal_link_pages(reader: PdfReader, page) -> set[int]:
    pages = set()
    for annot in page.get("/Annots", []):
        annot = annot.get_object()
        if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
            pages.add(reader.get_page_number(annot["/Dest"][0].get_object()) + 1)
    return pages


def test_cross_lesson_links_are_internal_with_page_reference(mini):
    reader = PdfReader(mini["teacher"])
    texts = page_texts(mini["teacher"])
    for link_text, target_text in (
        ("файлдар туралы", "Қалталар"),
        ("Бірінші сабаққа", "Негізгі бөліктер"),
    ):
        index = next(i for i, text in enumerate(texts) if link_text in text)
        page = int(re.search(link_text + r"[^(]*\((\d+)-бетті қараңыз\)", texts[index])[1])
        assert page in internal_link_pages(reader, reader.pages[index])
        assert target_text in texts[page - 1]


def test_qr_codes_decode_to_media_urls_and_answer_sheet_ids(mini, mini_course):
    expected = {m.target_url for m in mini_course.media if m.code}
    assignment = next(
        b
        for lesson in mini_course.lessons()
        for b in lesson.blocks
        if type(b).__name__ == "Assignment"
    )
    payload = course_payload(mini_course, assignment.anchor)
    assert payload == "mini-kk|1.0.0|" + assignment.anchor
    quiz_sheets = {
        course_payload(mini_course, m.id)
        for m in mini_course.modules
        if any(type(b).__name__ == "Quiz" for lesson in m.lessons for b in lesson.blocks)
    }
    assert quiz_sheets
    decoded = decoded_qr_codes(mini["learner"])
    assert set(decoded) == expected | {payload} | quiz_sheets
    # one per media block in the text, one per item in the media index, one per sheet
    assert collections.Counter(decoded)[payload] == 1
    assert len(decoded) == 3 + len(expected) + 1 + len(quiz_sheets)


def test_two_builds_are_byte_identical(mini, tmp_path):
    again = build(copy_mini(tmp_path, "mini"), tmp_path / "again", editions=("learner",))
    assert again["learner"].read_bytes() == mini["learner"].read_bytes()


def test_pieces_laid_out_in_two_processes_give_the_same_bytes(mini, tmp_path):
    """``--jobs 2``: the modules and appendices are laid out side by side in forked
    workers (``formats/pdf/pieces.py``), the PDF is the one-process build's; also
    without answer sheets, where no piece can be expected on a right-hand page."""
    course = copy_mini(tmp_path, "mini")
    result = build_formats(course, ["pdf"], tmp_path / "two", ("learner",), jobs=2)
    laid = [entry for entry in result.cache.stats.rendered if " pdf " in entry]
    assert len(laid) >= 4, laid  # front, two modules, the appendices
    assert built(result, "pdf")["learner"].read_bytes() == mini["learner"].read_bytes()
    one, two = (
        build(course, tmp_path / f"no-sheets-{jobs}", ("learner",), answer_sheets=False, jobs=jobs)
        for jobs in (1, 2)
    )
    assert one["learner"].read_bytes() == two["learner"].read_bytes()


def test_a_cached_piece_that_is_no_pdf_is_laid_out_again(tmp_path):
    """Cache entries are untrusted input: a piece whose bytes are not a PDF of its pages
    is laid out again, and the packet is the same."""
    course = copy_mini(tmp_path, "mini")
    first = build_formats(course, ["pdf"], tmp_path / "out", ("learner",))
    pdf = built(first, "pdf")["learner"]
    before = pdf.read_bytes()
    cache = BuildCache(tmp_path / "out" / "mini-kk")
    entries = sorted(p for p in (cache.folder / "pdf-piece").rglob("*") if p.is_file())
    for path in entries:
        entry = cache.load("pdf-piece", path.name, bytes)
        head, _, _data = entry.partition(b"\n")
        cache.store("pdf-piece", path.name, head + b"\nnot a PDF")
    pdf.unlink()  # the job runs again
    again = build_formats(course, ["pdf"], tmp_path / "out", ("learner",))
    laid = [entry for entry in again.cache.stats.rendered if " pdf " in entry]
    assert again.cache.stats.rejected >= len(laid) >= 4, laid  # every piece laid out again
    missed = again.cache.stats.pdf_missed
    assert {line.split(" ")[1] for line in missed} == {e.split(" ")[2] for e in laid} and all(
        line.endswith(": its cache entry is damaged") for line in missed
    ), missed
    assert built(again, "pdf")["learner"].read_bytes() == before


def test_pieces_share_one_copy_of_each_font(mini):
    """Every piece gives the course's characters the same codes (``Packet.characters``),
    so each face is embedded once however many pieces and running heads use it."""
    reader = PdfReader(mini["learner"])
    files: collections.Counter[str] = collections.Counter()
    seen: set[int] = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            files[str(ref.get_object()["/BaseFont"])] += 1
    assert len(files) >= 4 and set(files.values()) == {1}, files


def test_a_docx_made_first_in_the_same_process_leaves_the_pdf_as_it_was(mini, tmp_path):
    """The DOCX's SVG rasteriser registers DejaVu Sans with reportlab under a name of its
    own; reportlab then draws the PDF's face with that first font of the same face name.
    The packet must give its codes to the font actually drawn with, or each piece embeds
    a subset of its own (nine copies of one face) and the PDF differs from a PDF-only
    build. Its own process: a test before this one may have loaded the PDF's fonts."""
    course = copy_mini(tmp_path, "mini")
    out = tmp_path / "out"
    result = casekit(
        "build", course, "-o", out, "-f", "docx", "-f", "pdf", "-e", "learner", "-j", "1"
    )
    assert result.returncode == 0, result.stderr
    (pdf,) = out.rglob("*.pdf")
    assert pdf.read_bytes() == mini["learner"].read_bytes()


def test_pieces_streams_are_written_as_laid_out(mini):
    """The packet's pages carry each piece's content stream as reportlab compressed it,
    with Flate alone (not ASCII85 as well, a quarter larger): the join copies the
    streams rather than decoding and compressing every page again (``join.py``)."""
    pdf = mini["learner"]
    cache = BuildCache(pdf.parents[1])
    laid: set[tuple[str, bytes]] = set()
    for path in (cache.folder / "pdf-piece").rglob("*"):
        entry = cache.load("pdf-piece", path.name, bytes) if path.is_file() else None
        if entry is not None:
            with pikepdf.open(io.BytesIO(entry.partition(b"\n")[2])) as piece:
                laid.update(_stream_as_written(page.obj.Contents) for page in piece.pages)
    with pikepdf.open(pdf) as packet:
        filters = {
            repr(obj.get("/Filter")) for obj in packet.objects if isinstance(obj, pikepdf.Stream)
        }
        assert not any("ASCII85" in each for each in filters), filters
        for number, page in enumerate(packet.pages, 1):
            contents = page.obj.Contents  # a body page: [q, the piece's, Q, the heads']
            body = contents[1] if isinstance(contents, pikepdf.Array) else contents
            assert _stream_as_written(body) in laid, f"page {number}"


def _stream_as_written(stream: pikepdf.Object) -> tuple[str, bytes]:
    return repr(stream.get("/Filter")), stream.read_raw_bytes()


def test_the_packet_carries_only_what_its_pages_reach(mini):
    """The join writes the pieces out one by one, renumbered (``join.py``): every
    object of the packet is reached from its trailer, and none of a piece's own
    catalogue, page tree or image stand-ins is carried along."""
    with pikepdf.open(mini["learner"]) as packet:
        reached: set[tuple[int, int]] = set()
        pending: list[Any] = [packet.trailer]
        while pending:
            value = pending.pop()
            if isinstance(value, pikepdf.Object) and value.is_indirect:
                if value.objgen in reached:
                    continue
                reached.add(value.objgen)
            if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
                pending.extend(value.values())
            elif isinstance(value, pikepdf.Array):
                pending.extend(value)
        carried = {obj.objgen for obj in packet.objects if obj.objgen != (0, 0)}
        assert carried == reached, sorted(carried - reached)[:5]
        kinds = collections.Counter(
            str(obj.get("/Type")) for obj in packet.objects if isinstance(obj, pikepdf.Dictionary)
        )
        assert kinds["/Catalog"] == 1 and kinds["/Pages"] == 1, kinds
        assert kinds["/Page"] == len(packet.pages) > 10
        assert not any(
            "/CasekitImage" in obj for obj in packet.objects if isinstance(obj, pikepdf.Stream)
        )


# --------------------------------------------------------------------------- faces


FACES_LESSON = f"""\
---
title: Әріптер
---

Қарапайым: {KAZAKH}.

**{KAZAKH}** және *{KAZAKH}* және ***{KAZAKH}*** және `{KAZAKH}`.

```
print("{KAZAKH}")
```
"""


def test_kazakh_letters_in_every_face(make_course, tmp_path):
    root = make_course({"a.md": FACES_LESSON})
    pdf = build(root, tmp_path / "out", editions=("learner",))["learner"]
    by_font = text_by_font(pdf)
    for face in ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique"):
        assert KAZAKH in by_font[face].replace(" ", ""), face
    assert KAZAKH in by_font["DejaVuSansMono"]


def test_missing_glyph_is_one_line_error(make_course, tmp_path):
    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    root = make_course(
        {"a.md": "---\ntitle: Fonts\n---\n\nHello\n\nLetter Ә here.\n"},
        files={"fonts/Vera.ttf": vera.read_bytes()},
    )
    config = root / "course.toml"
    config.write_text(
        config.read_text("utf-8").replace(
            "[[modules]]", '[fonts]\nregular = "fonts/Vera.ttf"\n\n[[modules]]'
        ),
        "utf-8",
    )
    with pytest.raises(CasekitError) as caught:
        build_course(root, ["pdf"], ("learner",), tmp_path / "out", {})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("a.md:7:1: error:")
    assert "'Ә' (U+04D8)" in message and "fonts/Vera.ttf" in message


# --------------------------------------------------------------------------- print options


@pytest.fixture(scope="module")
def a5_and_booklet(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("booklet")
    course = copy_mini(tmp, "mini")
    a5 = build(course, tmp / "a5", editions=("learner",), paper="A5")["learner"]
    booklet = build(course, tmp / "booklet", editions=("learner",), booklet=True)["learner"]
    return a5, booklet


def test_booklet_pages_are_in_saddle_stitch_order(a5_and_booklet):
    a5, booklet = a5_and_booklet
    first = PdfReader(a5).pages[0]
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (420, 595)
    pages = len(PdfReader(a5).pages)
    texts = page_texts(a5)
    sheets = {index for index, text in enumerate(texts) if is_sheet(text)}
    blank = {index for index, text in enumerate(texts) if not text.strip()}
    assert sheets and blank
    padded = -(-pages // 4) * 4
    qpdf = require_tool("qpdf")
    subprocess.run([qpdf, "--check", str(booklet)], check=True, capture_output=True)
    reader = PdfReader(booklet)
    assert len(reader.pages) == padded // 2
    for side, (left, right) in zip(reader.pages, saddle_stitch_order(padded), strict=True):
        assert round(float(side.mediabox.width)) == 842  # landscape A4
        numbers: list[tuple[float, int]] = []

        def visit(text, cm, tm, _font, _size, numbers=numbers):
            match = re.search(r"(\d+)-бет, барлығы", text)
            if match:
                numbers.append((cm[4] + tm[4] * cm[0], int(match[1])))

        side.extract_text(visitor_text=visit)
        # the cover, answer sheets and blank pages have no footer
        want = [
            (slot, index + 1)
            for slot, index in enumerate((left, right))
            if 0 < index < pages and index not in sheets | blank
        ]
        got = sorted(numbers)
        assert [n for _x, n in got] == [n for _slot, n in want]
    assert saddle_stitch_order(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]


def test_large_print_is_at_least_18_points_everywhere(tmp_path):
    """Body, tables, captions, code, notes, running header and footer: no text of a
    large-print packet is smaller than 18 pt (answer sheets keep their own layout)."""
    course = copy_mini(tmp_path, "mini")
    pdf = build(course, tmp_path / "out", editions=("learner",), large_print=True)["learner"]
    sizes: collections.Counter[float] = collections.Counter()
    smallest: dict[str, float] = {}

    def visit(text, cm, tm, _font, size):
        if text.strip():
            points = round(size * tm[0] * cm[0], 1)
            sizes[points] += len(text)
            smallest[text.strip()] = min(points, smallest.get(text.strip(), 99))

    for page in PdfReader(pdf).pages:
        if "жауап парағы" not in page.extract_text().lower():  # sheets: the scanner's layout
            page.extract_text(visitor_text=visit)
    assert sizes.most_common(1)[0][0] >= 18
    for kind in ("Бөлік", "Монитор", "45 000", "-кесте:", "-сурет:"):  # cells and captions
        assert any(kind in text for text in smallest), kind
    small = {text: points for text, points in smallest.items() if points < 18}
    notes = {text: points for text, points in small.items() if text.isdigit() and points >= 16}
    assert small == notes, small  # only footnote marks are smaller (superscript)


def test_answers_appendix_only_when_asked(tmp_path, mini):
    course = copy_mini(tmp_path, "mini", "answers_appendix = true")
    pdf = build(course, tmp_path / "out", editions=("learner",))["learner"]
    texts = page_texts(pdf)
    assert texts[-1].startswith("Өзін-өзі тексеру жауаптары")
    for answer in ("1-сұрақ: b) Пернетақта", "a) Монитор; b) Жүйелік блок", "3-сұрақ: Астана"):
        assert answer in texts[-1]
    assert "Астана" not in "".join(texts[:-1])
    assert "Өзін-өзі тексеру жауаптары" not in "".join(page_texts(mini["learner"]))


# --------------------------------------------------------------------------- bad input

HOSTILE_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="100" height="50"><script>alert(1)</script>
<image xlink:href="http://example.com/x.png" width="10" height="10"/>
<rect width="100" height="50" fill="#cc0000" onload="alert(2)"/></svg>"""


def hostile_lesson() -> str:
    word = "Ә" * 1000
    columns = 30
    header = "| " + " | ".join(f"Бағана {i}" for i in range(columns)) + " |"
    rule = "|" + "---|" * columns
    row = "| " + " | ".join(f"мән {i}" for i in range(columns)) + " |"
    nested = "".join("  " * depth + "- деңгей\n" for depth in range(15))
    long_cell = "| Ұзын | " + " ".join(["сөз"] * 3000) + " |"
    # a paragraph longer than a page, with a link that is finished at layout time
    long_linked = " ".join(["абзац"] * 1500) + " [бөлімге](#sec) " + " ".join(["соңы"] * 1500)
    return (
        "---\ntitle: Қиын мәтін\n---\n\n## Бөлім {#sec}\n\n"
        f"{long_linked}\n\n"
        f"{word}\n\n```\n{word}\n```\n\n{header}\n{rule}\n{row}\n\n"
        f"| A | B |\n|---|---|\n{long_cell}\n\n"
        "| Қайталанатын | Баған |\n|---|---|\n"
        + "".join(f"| жол {i} | мән |\n" for i in range(150))
        + "\n"
        f"{nested}\n![Қауіпті сурет](media/bad.svg)\n"
    )


def test_hostile_content_gives_a_sensible_layout(make_course, tmp_path):
    root = make_course({"a.md": hostile_lesson()}, files={"media/bad.svg": HOSTILE_SVG})
    pdf = build(root, tmp_path / "out", editions=("learner",))["learner"]
    text = "".join(page_texts(pdf))
    assert text.count("Ә") >= 2000  # the long word, twice, with nothing cut off
    assert "Бағана 29" in text and "мән 29" in text
    pages = page_texts(pdf)
    long_table = [p for p in pages if "жол " in p]
    assert len(long_table) >= 2  # the 150-row table runs over pages ...
    assert all("Қайталанатын" in p for p in long_table)  # ... with its header on each
    assert text.count("деңгей") == 15
    assert text.count("абзац") == 1500 and text.count("соңы") == 1500
    assert "example.com" not in pdf.read_bytes().decode("latin-1")


def test_corrupt_image_is_a_diagnostic(make_course, tmp_path):
    png_header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x10" * 2
    root = make_course(
        {"a.md": "---\ntitle: T\n---\n\nText.\n\n![Сынық](media/broken.png)\n"},
        files={"media/broken.png": png_header + b"\x08\x02\x00\x00\x00garbage" * 5},
    )
    try:
        result = build_course(root, ["pdf"], ("learner",), tmp_path / "out", {})
    except CasekitError as exc:
        assert str(exc).startswith("a.md:7:1: error:") and "broken.png" in str(exc)
    else:
        assert result.stopped
        assert any("broken.png" in str(d) for d in result.diagnostics.sorted())


@pytest.mark.parametrize("jobs", [1, 2])  # 2: laid out in a worker process
def test_unsplittable_block_names_its_lesson_line(make_course, tmp_path, jobs):
    title = " ".join(["атау"] * 3000)
    root = make_course(
        {
            "a.md": f'---\ntitle: T\n---\n\nText.\n\n::: {{.video src="media/v.mp4" title="{title}"}}\n:::\n'
        },
        files={"media/v.mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64},
    )
    with pytest.raises(CasekitError) as caught:
        build_course(root, ["pdf"], ("learner",), tmp_path / "out", {}, jobs=jobs)
    message = str(caught.value)
    assert message.startswith("a.md:7:1: error: this block cannot be laid out")
    assert message.endswith("[pdf-layout]") and "\n" not in message


class Document:
    """Stands for a reportlab document: a weakly referenced key, nothing more."""


def test_layout_speedups_give_reportlabs_answers() -> None:
    """The faster helpers installed into reportlab's line breaking answer exactly as
    reportlab's own do, for fragments of every kind the writer produces."""
    import reportlab.platypus.paragraph as rl_paragraph
    from reportlab.lib.rl_accel import sameFrag
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph

    from casekit.formats.pdf import speedups
    from casekit.formats.pdf.flowables import FastParagraph

    style = ParagraphStyle("t", fontName="Helvetica")
    text = "Әліпби <b>қазақ</b> тілі " * 12
    with speedups.installed():
        # reportlab's line breaking now goes through the helpers: wrapping a paragraph
        # fills their memories, and its lines are the ones reportlab's own helpers give
        assert not speedups._widths and not speedups._extents
        lines = Paragraph(text, style).breakLines([150])
        assert speedups._widths and speedups._extents
        assert rl_paragraph.sameFrag is speedups.same_frag
    # outside casekit's layout reportlab's own helpers are back
    assert rl_paragraph.sameFrag is sameFrag
    assert rl_paragraph.stringWidth is pdfmetrics.stringWidth
    assert rl_paragraph.getAscentDescent is pdfmetrics.getAscentDescent
    plain = Paragraph(text, style).breakLines([150])

    def shown(broken: Any) -> list[tuple[float, str]]:
        return [(ln.extraSpace, "".join(w.text for w in ln.words)) for ln in broken.lines]

    assert len(lines.lines) > 3 and shown(lines) == shown(plain)
    markup = (
        'Ә <b>қ</b> <i>ң</i> <font face="Courier">ө</font> <a href="#x" color="blue">ұ</a> '
        '<a name="y"/>ү<br/>һ <strike>і</strike> <super>1</super> plain <b>bold</b> <b>again</b>'
    )
    frags = Paragraph(markup, style).frags
    assert len(frags) > 10
    for f in frags:
        for g in frags:
            assert bool(speedups.same_frag(f, g)) == bool(sameFrag(f, g))
    for word in ("Әліпби", "қ", "", "Құпиясөз!"):
        assert speedups.string_width(word, "Helvetica", 10.5) == pdfmetrics.stringWidth(
            word, "Helvetica", 10.5
        )
    assert speedups.ascent_descent("Helvetica", 9) == pdfmetrics.getAscentDescent("Helvetica", 9)
    # text is encoded for drawing as reportlab's own splitString encodes it, codes given
    # to characters on first use included (each document its own codes)
    font = TTFont("DejaVu-test", str(bundled_font("regular")))
    texts = ["Әліпби\xa0қазақ", "abc", "Әліпби", "", "\u2603 ☐ Ω", "abc Ә", *KAZAKH]
    texts += [chr(c) for c in range(0x400, 0x530)] + ["ӘaѰ\u04ff z", "\U0001f600 a"]
    own, fast = Document(), Document()  # the state of each font is kept per document
    expected = [TTFont.splitString(font, text, own) for text in texts]
    with speedups.installed():
        assert TTFont.splitString is speedups.split_string
        assert [font.splitString(text, fast) for text in texts] == expected
        assert [font.splitString(text, fast) for text in texts] == expected
        # text in the first subset is encoded by a character map (C), not per character
        assert speedups._first_subset_map(font, font.state[fast]) is not None
    assert TTFont.splitString is speedups._split_string
    assert len({n for runs in expected for n, _ in runs}) > 1  # several subsets
    # plain text skips the markup parser but gives the parser's fragment
    for text in ("Қазақ  тілі\n мен", " a b ", "x"):
        fast, parsed = FastParagraph(text, style), Paragraph(text, style)
        assert [f.__dict__ for f in fast.frags] == [f.__dict__ for f in parsed.frags]
        assert fast.text == parsed.text


def test_tables_are_measured_once_per_width() -> None:
    """A table measured again at the width it was measured at keeps its measures
    (reportlab would wrap every cell again), and they are reportlab's own."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table

    from casekit.formats.pdf.flowables import FastParagraph, FastTable

    style = ParagraphStyle("t", fontName="Helvetica")
    rows = [[f"Жол {r} " * (r % 4 + 1), "ұяшық " * r] for r in range(12)]
    plain = Table([[Paragraph(c, style) for c in row] for row in rows], colWidths=[150, None])
    fast = FastTable([[FastParagraph(c, style) for c in row] for row in rows], [150, None])
    measures = plain.wrap(400, 2000)
    calls = []
    fast._calc = lambda *a, calc=fast._calc: calls.append(a) or calc(*a)
    assert fast.wrap(400, 2000) == fast.wrap(400, 1500) == measures
    assert fast._rowHeights == plain._rowHeights and len(calls) == 1
    fast.wrap(300, 2000)  # another width, or less room than the table needs: measured
    fast.wrap(400, 100)
    assert len(calls) == 3 and fast.wrap(400, 2000) == measures


@pytest.mark.parametrize("numbers", [("9", "10"), ("99", "100")])
def test_a_table_is_measured_again_when_its_see_page_changes(numbers) -> None:
    """A piece's layout passes lay out the same flowables, each printing the pages
    the pass before found (``document.lay_out_piece``): a clean build's first pass
    prints "see page …", an edit rebuild's the page the anchor had in the last build.
    A table kept the measures of its first pass, so where the anchor moved from page
    9 to 10 (or 99 to 100) a cell that wrapped "see page …" and not "see page 9" (or
    the other way round) kept a different height in the two builds: the edit rebuild
    differed from a clean build (and the drawn text overflowed its row). Measured
    again when what its cells print changes, it is as tall as its text in both."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from casekit.formats.pdf.flowables import FastTable, LazyParagraph

    style = ParagraphStyle("t", fontName="Helvetica", fontSize=10, leading=12)
    before, after = numbers
    shown = {"page": "…"}  # what the pass prints for the anchor

    def finish(template: str) -> str:
        return template.replace("\x00", f"see page {shown['page']}")

    # a column that fits one of "see page …" and "see page {before}" on a line and
    # not the other (cell padding: 6 pt either side)
    first, last = sorted(stringWidth(f"Text, see page {n}", "Helvetica", 10) for n in ("…", before))
    width = (first + last) / 2 + 12

    def final_height(history: list[str]) -> float:
        """The height the last pass lays out, ``history`` the pages printed in turn."""
        table = FastTable([[LazyParagraph("Text, \x00", style, finish)]], [width])
        for page in history:
            shown["page"] = page
            _width, height = table.wrap(width, 1000)
        return height

    clean = final_height(["…", after])  # the anchor's page found by the first pass
    edit = final_height([before, after])  # its page in the last build, then the new one
    assert clean == edit == final_height([after]) == 2 * 12 + 6  # two lines, padding
