"""Rendered lessons cached by content (``render/fragments.py``): after an edit only the
lessons whose rendering can differ are rendered again, and every output is byte for byte
what a clean build of the edited course writes."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from casekit.render.html import HtmlWriter
from tests.conftest import build


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each lesson is really rendered (cache misses), counted at the writer."""
    counted: Counter[str] = Counter()
    original = HtmlWriter.render_lesson

    def counting(self: HtmlWriter, lesson):  # type: ignore[no-untyped-def]
        counted[lesson.id] += 1
        return original(self, lesson)

    monkeypatch.setattr(HtmlWriter, "render_lesson", counting)
    return counted


def edit(course: Path, lesson: str, old: str, new: str) -> None:
    path = course / "lessons" / lesson
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def assert_same_as_clean_build(
    course: Path,
    out: Path,
    tmp_path: Path,
    formats: list[str],
    editions: tuple[str, ...] = ("learner", "teacher"),
) -> None:
    clean_course = tmp_path / "clean-course"
    shutil.rmtree(clean_course, ignore_errors=True)
    shutil.copytree(course, clean_course)
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(clean_course, formats, clean, editions)
    ours, theirs = files_of(out), files_of(clean)
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []


FORMATS = ["html", "epub"]


@pytest.mark.slow
def test_an_edited_lesson_is_the_only_one_rendered_again(
    mini_course: Path, tmp_path: Path, renders: Counter[str]
) -> None:
    out = tmp_path / "out"
    build(mini_course, FORMATS, out)
    # html: 1 render per edition; epub: ids + chapter per edition
    assert renders == {"01-computer": 6, "02-files": 6, "03-safety": 6}
    renders.clear()
    edit(mini_course, "03-safety.md", "\n\n", "\n\nЖаңа абзац: өзгеріс.\n\n")
    result = build(mini_course, FORMATS, out)
    assert renders == {"03-safety": 6}
    assert sorted(result.cache.stats.rendered) == sorted(
        f"{fmt}:{edition} {kind} 03-safety"
        for fmt, kinds in (
            ("html", ["StreamedPageWriter"]),
            ("epub", ["ids", "EpubWriter", "toc"]),  # toc: its headings in the contents
        )
        for edition in ("learner", "teacher")
        for kind in kinds
    )
    page = (out / "mini-kk" / "html" / "mini-kk-learner.html").read_text("utf-8")
    assert "Жаңа абзац: өзгеріс." in page
    assert_same_as_clean_build(mini_course, out, tmp_path, FORMATS)


@pytest.mark.slow
def test_lessons_whose_numbers_or_link_targets_move_are_rendered_again(
    mini_course: Path, tmp_path: Path, renders: Counter[str]
) -> None:
    """An assignment added to lesson 1 renumbers the assignment of lesson 2 (numbers
    run through a module), not anything in module 2 (lesson 3); a heading id renamed in
    lesson 1 changes where lesson 2's link points."""
    out = tmp_path / "out"
    build(mini_course, FORMATS, out)
    renders.clear()
    added = "::: assignment\n## Алдын ала тапсырма\n\nКомпьютерді қосыңыз.\n:::\n\n## Негізгі"
    edit(mini_course, "01-computer.md", "## Негізгі", added)
    build(mini_course, FORMATS, out)
    assert set(renders) == {"01-computer", "02-files"}
    assert_same_as_clean_build(mini_course, out, tmp_path, FORMATS)

    renders.clear()
    edit(mini_course, "01-computer.md", "{#parts}", "{#parts-of-a-computer}")
    edit(mini_course, "02-files.md", "01-computer.md#parts", "01-computer.md#parts-of-a-computer")
    build(mini_course, FORMATS, out)
    assert set(renders) == {"01-computer", "02-files"}
    assert_same_as_clean_build(mini_course, out, tmp_path, FORMATS)


@pytest.mark.slow
def test_the_usb_viewer_reuses_rendered_lessons(
    mini_course: Path, tmp_path: Path, renders: Counter[str]
) -> None:
    out = tmp_path / "out"
    build(mini_course, ["usb"], out, editions=("learner",))
    renders.clear()
    edit(mini_course, "02-files.md", "\n\n", "\n\nТағы бір абзац.\n\n")
    build(mini_course, ["usb"], out, editions=("learner",))
    # the viewer, and the EPUB (ids + chapter) inside the bundle
    assert renders == {"02-files": 3}
    assert_same_as_clean_build(mini_course, out, tmp_path, ["usb"])


@pytest.mark.slow
def test_a_glossary_term_renamed_moves_the_appendix_and_the_links_to_it(
    mini_course: Path, tmp_path: Path, renders: Counter[str]
) -> None:
    """The glossary appendix is drawn from the lesson that defines the term (read from
    the cache, not rendered); a link to the term elsewhere follows its new anchor."""
    out = tmp_path / "out"
    edit(mini_course, "02-files.md", "[Бірінші", "[Монитор](01-computer.md#term-монитор). [Бірінші")
    build(mini_course, FORMATS, out)
    renders.clear()
    edit(mini_course, "01-computer.md", "\nМонитор\n", "\nДисплей\n")
    edit(mini_course, "02-files.md", "#term-монитор", "#term-дисплей")
    build(mini_course, FORMATS, out)
    assert set(renders) == {"01-computer", "02-files"}
    page = (out / "mini-kk" / "html" / "mini-kk-learner.html").read_text("utf-8")
    assert 'href="#01-computer--term-дисплей"' in page and "Монитор</a></dt>" not in page
    assert_same_as_clean_build(mini_course, out, tmp_path, FORMATS)


@pytest.mark.slow
def test_docx_lessons_are_numbered_into_the_document_from_the_cache(
    mini_course: Path, tmp_path: Path
) -> None:
    """The DOCX caches each lesson with ids of its own (formats/docx/pieces.py). An edit
    of lesson 1 that drops its first picture and adds a footnote, a list, a link and a
    drawing moves every footnote, list, drawing, bookmark and picture relationship after
    it: lessons 1 and 2 (whose figure numbers move) are rendered again, lesson 3 comes
    from the cache, and both editions are what a clean build writes."""
    out = tmp_path / "out"
    build(mini_course, ["docx"], out)
    added = (
        "Жаңа сурет[^new] пен [сілтеме](https://example.org/new).\n\n"
        "![Жаңа фото](../media/photo.jpg)\n\n- бірінші\n- екінші\n\n"
        "[^new]: Жаңа ескерту, [сайт](https://example.org/note).\n\n## Негізгі"
    )
    edit(mini_course, "01-computer.md", '![Компьютердің сызбасы](../media/diagram.png "', "<!-- ")
    edit(mini_course, "01-computer.md", 'бөліктері")', "-->")
    edit(mini_course, "01-computer.md", "## Негізгі", added)
    result = build(mini_course, ["docx"], out)
    assert sorted(result.cache.stats.rendered) == [
        f"docx:{edition} docx-lesson {lesson}"
        for edition in ("learner", "teacher")
        for lesson in ("01-computer", "02-files")
    ]
    for edition in ("learner", "teacher"):
        assert_ids_consistent(out / "mini-kk" / "docx" / f"mini-kk-{edition}.docx")
    document = zipfile.ZipFile(out / "mini-kk" / "docx" / "mini-kk-learner.docx")
    assert "Жаңа ескерту, " in document.read("word/footnotes.xml").decode()
    assert "Жаңа фото" in document.read("word/document.xml").decode()
    assert_same_as_clean_build(mini_course, out, tmp_path, ["docx"])


def assert_ids_consistent(path: Path) -> None:
    """Every id the pieces number is unique where it must be and names what exists."""
    with zipfile.ZipFile(path) as package:
        body = package.read("word/document.xml").decode()
        notes = package.read("word/footnotes.xml").decode()
        numbering = package.read("word/numbering.xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
        note_rels = package.read("word/_rels/footnotes.xml.rels").decode()
    referenced = re.findall(r'<w:footnoteReference w:id="(\d+)"', body)
    defined = re.findall(r'<w:footnote w:id="(\d+)"', notes)
    assert len(referenced) == len(set(referenced)) >= 2 and sorted(referenced) == sorted(defined)
    for kind in ("w:bookmarkStart w:id", "wp:docPr id"):
        found = re.findall(rf'<{kind}="(\d+)"', body)
        assert found and len(found) == len(set(found)), kind
    used = set(re.findall(r'<w:numId w:val="(\d+)"', body + notes))
    assert used and used <= set(re.findall(r'<w:num w:numId="(\d+)"', numbering))
    embeds = set(re.findall(r'r:embed="(rId\d+)"', body))
    assert embeds and embeds <= set(re.findall(r'Id="(rId\d+)"[^>]*relationships/image"', rels))
    for text, targets in ((body, rels), (notes, note_rels)):
        links = set(re.findall(r'<w:hyperlink r:id="(rId\d+)"', text))
        assert links and links <= set(re.findall(r'Id="(rId\d+)"', targets))


def pdf_pieces_laid_out(result) -> list[str]:  # type: ignore[no-untyped-def]
    """The PDF pieces a build laid out (not taken from the cache)."""
    return sorted(
        entry.split(" ", 2)[2] for entry in result.cache.stats.rendered if " pdf " in entry
    )


def why_laid_out(result, piece: str) -> str:  # type: ignore[no-untyped-def]
    """Why a build laid out ``piece`` again (``CacheStats.pdf_missed``)."""
    (reason,) = {
        line.split(": ", 1)[1]
        for line in result.cache.stats.pdf_missed
        if line.split(" ")[1] == piece
    }
    return reason


def running_heads_drawn(result) -> list[str]:  # type: ignore[no-untyped-def]
    """The pieces whose running heads a build drew (not taken from the cache)."""
    return sorted(
        entry.split(" ", 2)[2] for entry in result.cache.stats.rendered if " pdf-heads " in entry
    )


@pytest.mark.slow
def test_pdf_lays_out_only_the_edited_module_and_what_its_pages_move(
    mini_course: Path, tmp_path: Path
) -> None:
    """The PDF is laid out in pieces (``formats/pdf/pieces.py``): an edit that keeps the
    page count and no appendix's glossary entries, media or answers lays out its module
    again, and only it; one that adds pages also lays out the pieces whose "see page N"
    or contents moved. Either way the PDF is byte for byte a clean build's."""
    out = tmp_path / "out"
    first = build(mini_course, ["pdf"], out, editions=("learner",))
    assert {"front", "module-1", "module-2", "glossary", "media_index"} <= set(
        pdf_pieces_laid_out(first)
    )
    edit(mini_course, "03-safety.md", "\n\n", "\n\nЖаңа абзац: өзгеріс.\n\n")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["module-2"]
    assert running_heads_drawn(again) == []  # no page moved
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))

    # a page more in module 2, where the blank page before its quiz sheet was: no other
    # piece's pages move, so only module 2's running heads are drawn again
    edit(mini_course, "03-safety.md", "\n\n", "\n\n" + "Ұзын абзац " * 80 + "\n\n")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["module-2"]
    assert running_heads_drawn(again) == ["module-2"]
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))

    # two pages more in module 1: module 2 moves, lesson 1 refers to lesson 2's pages
    long = "\n\n".join(["Ұзын абзац " * 120] * 6)
    edit(mini_course, "02-files.md", "\n\n", f"\n\n{long}\n\n")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    laid = pdf_pieces_laid_out(again)
    assert {"front", "module-1"} <= set(laid), laid
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))


@pytest.mark.slow
def test_pdf_edit_with_characters_new_to_the_course_lays_out_only_its_module(
    mini_course: Path, tmp_path: Path
) -> None:
    """Characters the course did not print before (a Greek letter, guillemets, a numero
    sign, a fraction) take codes that move no other character's (``formats/pdf/codes.py``)
    and the packet's font subsets replace the pieces' when they are joined: the edit lays
    out its module only, and the PDF is byte for byte a clean build's."""
    out = tmp_path / "out"
    build(mini_course, ["pdf"], out, editions=("learner",))
    edit(mini_course, "03-safety.md", "\n\n", "\n\nЖаңа белгілер: Ω ψ «№ 5» ⅓.\n\n")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["module-2"]
    assert running_heads_drawn(again) == []
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))
    # and back: the characters gone again
    edit(mini_course, "03-safety.md", "Жаңа белгілер: Ω ψ «№ 5» ⅓.", "Белгілер жоқ.")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["module-2"]
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))


@pytest.mark.slow
def test_pdf_piece_drawing_a_character_no_tier_foresaw_keeps_its_own_fonts(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A character the packet's codes did not foresee (``Codes`` told here not to count
    one the course prints) is given its code as it is drawn: its piece keeps its own
    font subsets, the character is printed right, and an edit elsewhere is byte for
    byte a clean build."""
    from pypdf import PdfReader

    from casekit.formats.pdf import codes, render

    class Unforeseen(codes.Codes):
        def __init__(self, fonts, casekit, course):  # type: ignore[no-untyped-def]
            super().__init__(fonts, casekit, set(course) - {"ψ"})

    monkeypatch.setattr(render, "Codes", Unforeseen)
    edit(mini_course, "03-safety.md", "\n\n", "\n\nЖаңа белгі: ψ.\n\n")
    out = tmp_path / "out"
    build(mini_course, ["pdf"], out, editions=("learner",))
    edit(mini_course, "01-computer.md", "\n\n", "\n\nЖаңа абзац.\n\n")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["module-1"]
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))
    (pdf,) = out.rglob("*.pdf")
    reader = PdfReader(pdf)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Жаңа белгі: ψ." in text
    faces: set[str] = set()
    for page in reader.pages:
        faces.update(str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values())
    fonts = {f.idnum for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert len(fonts) > len(faces)  # module 2's subsets besides the packet's


@pytest.mark.slow
def test_pdf_piece_is_laid_out_again_when_a_character_it_drew_moves(
    mini_course: Path, tmp_path: Path
) -> None:
    """A character that comes before a rarer one a piece drew moves its code: that piece
    is laid out again too. Also when the PDF draws with a font registered under another
    name than the packet's (the DOCX's SVG rasteriser registers DejaVu Sans first in the
    process, ``fonts._load``): what a piece drew is recorded by the fonts' files."""
    edit(mini_course, "01-computer.md", "\n\n", "\n\nСирек әріп: ψ.\n\n")  # beyond FIXED
    out = tmp_path / "out"
    build(mini_course, ["docx", "pdf"], out, editions=("learner",))
    edit(mini_course, "03-safety.md", "\n\n", "\n\nЖаңа әріп: Ω.\n\n")  # U+03A9 < U+03C8
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["module-1", "module-2"]
    assert why_laid_out(again, "module-1") == "a character it drew has another font code now"
    assert why_laid_out(again, "module-2").startswith("not in the build cache")
    shutil.rmtree(out / "mini-kk" / "docx")  # the first build's, before the edit
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))


@pytest.mark.slow
def test_pdf_appendix_is_laid_out_again_only_when_what_it_prints_changes(
    mini_course: Path, tmp_path: Path
) -> None:
    """An appendix is keyed on what it prints, not on every lesson: editing a glossary
    definition lays out the glossary (and the lesson's module), not the answer key;
    editing a quiz's answer lays out the answer key, not the glossary; characters the
    course did not print before move no other piece's codes (``formats/pdf/codes.py``):
    only their module is laid out. Each rebuild is byte for byte a clean build's."""
    toml = mini_course / "course.toml"
    toml.write_text(toml.read_text("utf-8").replace("\n", "\nanswers_appendix = true\n", 1))
    out = tmp_path / "out"
    first = build(mini_course, ["pdf"], out, editions=("learner",))
    assert {"glossary", "media_index", "answers_appendix"} <= set(pdf_pieces_laid_out(first))
    edit(mini_course, "01-computer.md", "Мәтін енгізуге", "Мәтінді теруге")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["glossary", "module-1"]
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))
    edit(mini_course, "01-computer.md", "   Астана\n", "   Астана қаласы\n")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["answers_appendix", "module-1"]
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))
    edit(mini_course, "03-safety.md", "\n\n", "\n\nЖаңа абзац: café, naïve.\n\n")
    again = build(mini_course, ["pdf"], out, editions=("learner",))
    assert pdf_pieces_laid_out(again) == ["module-2"]
    assert_same_as_clean_build(mini_course, out, tmp_path, ["pdf"], editions=("learner",))
