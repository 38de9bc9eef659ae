"""The docx format, checked by re-opening the files with python-docx, reading them
back with pandoc and converting them with LibreOffice (all real clients)."""

from __future__ import annotations

import contextlib
import gc
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from casekit.build.course import load_course
from casekit.diagnostics import CasekitError, Diagnostics
from casekit.formats.docx.reference import REFERENCE, make_reference
from casekit.render.templates import builtin_templates
from casekit.tree import plain_text
from tests.conftest import COURSES, MINI, built, require_tool
from tests.conftest import build as build_formats

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: LibreOffice's PDF export with the blank pages it inserts (before a right-hand section)
PRINTED_PDF = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'

RU_LESSON = """\
---
title: Два списка
---

## Первый список {#first}

1. Альфа
2. Бета
   1. Вложенный пункт
   - вложенный маркер

Текст между списками со [ссылкой](https://example.org/a) и [назад](#first).[^n]

1. Гамма
2. Дельта

::: note
Заметка в рамке.
:::

::: {.quiz #q-ru title="Проверка"}
1. Какой ответ верный?
   - [ ] Неверный
   - [x] Верный ответ
:::

[^n]: Сноска на русском.
"""


def build(course_dir: Path, out: Path, **options: object) -> dict[str, Path]:
    return built(build_formats(course_dir, ["docx"], out, **options), "docx")


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("mini")
    shutil.copytree(MINI, root / "mini")
    return build(root / "mini", root / "out", contents_pages=True)  # mini's toml skips them


@pytest.fixture(scope="module")
def mini_again(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("mini-again")
    shutil.copytree(MINI, root / "mini")
    return build(root / "mini", root / "out", contents_pages=True)


def write_course(root: Path, lesson: str, language: str, extra_toml: str = "") -> Path:
    root.mkdir(parents=True)
    (root / "lessons").mkdir()
    (root / "lessons" / "01.md").write_text(lesson, "utf-8")
    (root / "course.toml").write_text(
        f'id = "lists"\ntitle = "Списки"\nlanguage = "{language}"\nversion = "2"\n'
        'date = 2026-03-01\norganisation = "Орг"\nauthors = ["Иван Петров"]\n'
        f'licence = "CC0"\n{extra_toml}\n[[modules]]\ntitle = "Модуль"\n'
        'lessons = ["lessons/01.md"]\n'
        # the contents' page numbers cost a LibreOffice layout per edition: the tests of
        # contents pages ask for them (contents_pages=True), as tests/conftest.py does
        "\n[docx]\ncontents_pages = false\n",
        "utf-8",
    )
    return root


@pytest.fixture(scope="module")
def lists_ru(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ru")
    course = write_course(root / "course", RU_LESSON, "ru", "answers_appendix = true\n")
    return build(course, root / "out", paper="A5", large_print=True, contents_pages=True)["learner"]


def body_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def part_xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def all_text(path: Path) -> str:
    """The text of every XML part of the package (body, notes, headers, properties)."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            "".join(etree.fromstring(z.read(name)).itertext())
            for name in z.namelist()
            if name.endswith((".xml", ".rels"))
        )


def effective_size(style: docx.styles.style.BaseStyle) -> float:
    """The font size a style gives, through its base styles and the document defaults
    (10 pt: the default of the standard)."""
    styles = style.element.getparent()
    while style is not None:
        if style.font.size is not None:
            return style.font.size.pt
        style = style.base_style
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}sz")
    return int(default.get(f"{W}val")) / 2 if default is not None else 10.0


def paragraphs_by_text(document: docx.document.Document) -> dict[str, str]:
    return {p.text: p.style.name for p in document.paragraphs if p.text}


# --------------------------------------------------------------------------- structure


def test_styles_are_real_and_used(mini: dict[str, Path]) -> None:
    document = docx.Document(str(mini["teacher"]))
    names = {s.name for s in document.styles}
    for name in (
        "Title",
        "Subtitle",
        "Heading 1",
        "Heading 2",
        "Heading 3",
        "Heading 4",
        "Normal",
        "Body Text",
        "List Bullet",
        "List Bullet 2",
        "List Number",
        "List Number 2",
        "Quote",
        "Source Code",
        "Verbatim Char",
        "Caption",
        "Casekit Table",
        "Callout Note",
        "Callout Tip",
        "Callout Warning",
        "Callout Important",
        "Callout",
        "footnote text",
    ):
        assert name in names, name
    used = paragraphs_by_text(document)
    assert used["Сандық сауаттылық негіздері"] == "Title"
    assert used["Тест курсы"] == "Subtitle"
    assert used["1-модуль: Компьютермен танысу"] == "Heading 1"
    assert used["1.1 Компьютер деген не?"] == "Heading 2"
    assert used["Негізгі бөліктер"] == "Heading 3"
    assert used["Білім — таусылмайтын қазына."] == "Quote"
    assert used['print("Сәлем, әлем!")'] == "Source Code"
    assert used["1.1-сурет: Компьютердің негізгі бөліктері"] == "Caption"
    assert used["Бірінші қадам"] == "List Number"
    assert used["Ішкі қадам"] == "List Number 2"
    assert used["белгі"] == "List Bullet 2"
    tables = {t.style.name for t in document.tables}
    assert {"Casekit Table", "Callout Warning", "Callout Tip", "Solution Box"} <= tables


def test_no_direct_character_formatting(mini: dict[str, Path]) -> None:
    """Fonts, sizes and colours come from styles only."""
    body = body_xml(mini["teacher"])
    for tag in ("rFonts", "sz", "color", "shd", "pBdr", "spacing"):
        found = body.findall(f".//{W}r/{W}rPr/{W}{tag}") + body.findall(f".//{W}p/{W}pPr/{W}{tag}")
        assert not found, tag


def test_language_tags_on_runs(mini: dict[str, Path], lists_ru: Path) -> None:
    for path, tag in ((mini["learner"], "kk-KZ"), (lists_ru, "ru-RU")):
        body = body_xml(path)
        runs = [r for r in body.iter(f"{W}r") if r.find(f"{W}t") is not None]
        langs = {r.find(f"{W}rPr/{W}lang").get(f"{W}val") for r in runs}
        assert langs == {tag}
        styles = part_xml(path, "word/styles.xml")
        default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        assert default.get(f"{W}val") == tag


def num_of(paragraph: docx.text.paragraph.Paragraph) -> tuple[int, int] | None:
    num_pr = paragraph._p.find(f"{W}pPr/{W}numPr")
    if num_pr is None:
        return None
    return (
        int(num_pr.find(f"{W}numId").get(f"{W}val")),
        int(num_pr.find(f"{W}ilvl").get(f"{W}val")),
    )


def test_each_numbered_list_restarts_and_nests(lists_ru: Path) -> None:
    document = docx.Document(str(lists_ru))
    by_text = {p.text: p for p in document.paragraphs}
    alpha, beta = num_of(by_text["Альфа"]), num_of(by_text["Бета"])
    gamma, delta = num_of(by_text["Гамма"]), num_of(by_text["Дельта"])
    assert alpha[0] == beta[0] and gamma[0] == delta[0] and alpha[0] != gamma[0]
    assert alpha[1] == gamma[1] == 0
    assert num_of(by_text["Вложенный пункт"])[1] == 1
    assert num_of(by_text["вложенный маркер"])[1] == 1
    numbering = document.part.numbering_part.element
    for num_id in (alpha[0], gamma[0]):
        num = numbering.xpath(f"w:num[@w:numId='{num_id}']")[0]
        start = num.find(f"{W}lvlOverride/{W}startOverride")
        assert start.get(f"{W}val") == "1"
        abstract = numbering.xpath(
            f"w:abstractNum[@w:abstractNumId='{num.find(f'{W}abstractNumId').get(f'{W}val')}']"
        )[0]
        assert abstract.find(f"{W}lvl/{W}numFmt").get(f"{W}val") == "decimal"


def test_page_setup_and_large_print(lists_ru: Path, mini: dict[str, Path]) -> None:
    small = docx.Document(str(lists_ru))
    section = small.sections[0]
    assert round(section.page_width.mm) == 148 and round(section.page_height.mm) == 210
    assert small.styles["Normal"].font.size.pt >= 18
    # tables, captions, notes, code, footers: no style in large print is smaller
    used = {"Table Text", "Table Heading", "Caption", "Table Caption", "footnote text"}
    used |= {"Source Code", "Verbatim Char", "Page Footer", "Quiz Instructions"}
    for style in small.styles:
        if style.type in (1, 2):  # paragraph and character styles
            assert effective_size(style) >= 18, (style.name, effective_size(style))
            used.discard(style.name)
    assert not used, f"styles not found: {used}"
    normal = docx.Document(str(mini["learner"]))
    assert round(normal.sections[0].page_width.mm) == 210
    assert normal.styles["Normal"].font.size.pt == 11
    assert normal.sections[0].header.paragraphs[0].text.startswith("Сандық сауаттылық")
    footer = normal.sections[0].footer.paragraphs[0]._p
    instructions = [i.text.strip() for i in footer.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_core_properties(mini: dict[str, Path]) -> None:
    props = docx.Document(str(mini["learner"])).core_properties
    assert props.title == "Сандық сауаттылық негіздері"
    assert props.subject == "Тест курсы"
    assert props.author == "Айгүл Сейітқызы"
    assert props.language == "kk-KZ"
    assert props.created.date().isoformat() == props.modified.date().isoformat() == "2026-09-01"
    assert "python-docx" not in f"{props.author} {props.comments} {props.last_modified_by}"


def test_footnotes_links_and_bookmarks(mini: dict[str, Path], lists_ru: Path) -> None:
    notes = part_xml(mini["learner"], "word/footnotes.xml")
    texts = ["".join(n.itertext()) for n in notes.findall(f"{W}footnote")]
    assert any("Ноутбукта бұл бөліктер бір корпуста болады." in text for text in texts)
    body = body_xml(mini["learner"])
    assert len(body.findall(f".//{W}footnoteReference")) == 1
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    internal = [h.get(f"{W}anchor") for h in body.iter(f"{W}hyperlink") if h.get(f"{W}anchor")]
    assert internal and set(internal) <= bookmarks
    document = docx.Document(str(lists_ru))
    external = [
        r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")
    ]
    assert external == ["https://example.org/a"]


def test_table_header_repeats_and_images_fit(mini: dict[str, Path]) -> None:
    document = docx.Document(str(mini["learner"]))
    table = next(t for t in document.tables if t.style.name == "Casekit Table")
    assert table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None
    assert [c.text for c in table.rows[1].cells] == ["Монитор", "Кескінді көрсету", "45 000"]
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    shapes = document.inline_shapes
    assert len(shapes) >= 5  # two photos, the SVG chart, QR codes
    assert all(0 < shape.width <= text_width for shape in shapes)


def test_media_qr_code_decodes(mini: dict[str, Path]) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    document = docx.Document(str(mini["learner"]))
    decoded = set()
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/image"):
            image = Image.open(io.BytesIO(rel.target_part.blob))
            decoded |= {r.text for r in zxingcpp.read_barcodes(image)}
    assert decoded == {"data/media/intro.mp4", "data/media/greeting.mp3"}  # targets of V1.1, A2.1


def test_editions(mini: dict[str, Path]) -> None:
    learner, teacher = all_text(mini["learner"]), all_text(mini["teacher"])
    for secret in ("F2 пернесін басыңыз", "Қалта жасау үшін", "Дұрыс жауап", "Астана"):
        assert secret not in learner
        assert secret in teacher
    for both in ("Жауап парағы", "Аты-жөні", "Файлдың атын өзгертіңіз"):
        assert both in learner and both in teacher
    sheet = next(
        p
        for p in docx.Document(str(mini["learner"])).paragraphs
        if p.text.startswith("Жауап парағы")
    )
    assert sheet.style.name == "Answer Sheet Title"
    assert sheet.style.paragraph_format.page_break_before


def test_rebuild_is_byte_identical(mini: dict[str, Path], mini_again: dict[str, Path]) -> None:
    for edition in ("learner", "teacher"):
        assert mini[edition].read_bytes() == mini_again[edition].read_bytes()
    with zipfile.ZipFile(mini["learner"]) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {info.date_time[:3] for info in z.infolist()} == {(2026, 9, 1)}


def test_bundled_reference_is_generated_by_casekit() -> None:
    assert (builtin_templates() / REFERENCE).read_bytes() == make_reference()


# --------------------------------------------------------------------------- user reference


def bare_reference(path: Path, header: str) -> None:
    """A user's letterhead: a header text and almost no styles."""
    document = docx.Document()
    styles = document.styles.element
    for style in list(styles.findall(qn("w:style"))):
        if style.get(qn("w:styleId")) not in ("Normal", "DefaultParagraphFont", "TableNormal"):
            styles.remove(style)
    document.sections[0].header.paragraphs[0].text = header
    document.add_paragraph("This text is not part of the course.")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def test_user_reference_without_styles_builds(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", RU_LESSON, "ru", 'templates = "templates"\n')
    bare_reference(course / "templates" / REFERENCE, "Школа № 5")
    learner = build(course, tmp_path / "out")["learner"]
    document = docx.Document(str(learner))
    assert "Source Code" in {s.name for s in document.styles}
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header == ["Школа № 5", "Списки · Издание для обучающегося"]
    assert not document.sections[0].different_first_page_header_footer  # letterhead on the cover
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Альфа" in text and "not part of the course" not in text


def test_broken_reference_is_one_diagnostic(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", RU_LESSON, "ru", 'templates = "templates"\n')
    (course / "templates" / "docx").mkdir(parents=True)
    (course / "templates" / REFERENCE).write_bytes(b"not a zip")
    out = tmp_path / "out"
    with pytest.raises(CasekitError) as raised:
        build(course, out)
    assert "reference.docx" in str(raised.value.diagnostic)
    assert not list(out.rglob("*.docx"))


def hostile_reference(path: Path, extra: dict[str, bytes]) -> None:
    """The bundled reference document with ``extra`` parts added to its zip."""
    data = (builtin_templates() / REFERENCE).read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, content in extra.items():
            target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"word/bomb.xml": b"\0" * (80 * 2**20)}, "unpacks to 80 MiB; at most 64 MiB"),
        (
            {f"word/p{i}.xml": b"<x/>" for i in range(1200)},
            "has 1216 parts; a reference document has a few dozen",
        ),
        ({"word/vbaProject.bin": b"macro"}, "carries word/vbaProject.bin"),
        ({"word/embeddings/oleObject1.bin": b"MZ"}, "carries word/embeddings/oleObject1.bin"),
        ({"word/activeX/activeX1.xml": b"<x/>"}, "carries word/activeX/activeX1.xml"),
    ],
)
def test_hostile_reference_is_refused_before_it_is_read(
    tmp_path: Path, extra: dict[str, bytes], message: str
) -> None:
    """A zip bomb, a package of thousands of parts, macros or embedded programs: one
    line, and nothing unpacked into memory (the editions go onto learners' sticks)."""
    course = write_course(tmp_path / "course", RU_LESSON, "ru", 'templates = "templates"\n')
    hostile_reference(course / "templates" / REFERENCE, extra)
    with pytest.raises(CasekitError) as raised:
        build(course, tmp_path / "out")
    diagnostic = raised.value.diagnostic
    assert (diagnostic.path, diagnostic.code) == ("templates/" + REFERENCE, "docx-reference")
    assert message in diagnostic.message, diagnostic.message


# --------------------------------------------------------------------------- real readers


def test_pandoc_reads_back_the_source_text(mini: dict[str, Path]) -> None:
    pypandoc = pytest.importorskip("pypandoc")
    markdown = pypandoc.convert_file(
        str(mini["teacher"]), "markdown", format="docx", extra_args=["--wrap=none"]
    )
    for expected in (
        "# 1-модуль: Компьютермен танысу",
        "## 1.1 Компьютер деген не?",
        "### Негізгі бөліктер",
        "Компьютер *монитордан*, пернетақтадан және жүйелік блоктан тұрады[^1]",
        "`Ctrl+C`",
        "Ә Ғ Қ Ң Ө Ұ Ү Һ І әріптерін пернетақтадан табу.",
        "Кескінді көрсету",
        "45 000",
        "[^1]: Ноутбукта бұл бөліктер бір корпуста болады.",
        '    print("Сәлем, әлем!")',
        "> Білім --- таусылмайтын қазына.",
        "1.  Бірінші қадам",
        "    1.  Ішкі қадам",
        "Компьютерді ылғалды қолмен ұстамаңыз.",
    ):
        assert expected in markdown, expected


@pytest.fixture(scope="module")
def converted(
    mini: dict[str, Path], lists_ru: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    """The text of each page of the mini learner edition and the Russian lists course,
    converted to PDF by LibreOffice (a private profile, so parallel runs don't clash),
    blank pages included, as a printer prints them."""
    from pypdf import PdfReader

    soffice = require_tool("soffice")
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    sources = [mini["learner"], lists_ru]
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         PRINTED_PDF, "--outdir", str(out), *map(str, sources)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return {
        source.stem: [page.extract_text() for page in PdfReader(out / f"{source.stem}.pdf").pages]
        for source in sources
    }


def test_libreoffice_converts_with_kazakh_text_and_contents(
    converted: dict[str, list[str]],
) -> None:
    pages = converted["mini-kk-learner"]
    assert 6 <= len(pages) <= 20
    contents = next(text for text in pages if "Мазмұны" in text)
    for entry in (
        "1-модуль: Компьютермен танысу",
        "1.1 Компьютер деген не?",
        "2.1 Құпиясөз қауіпсіздігі",
        "Терминдер сөздігі",
        "Медиа материалдар көрсеткіші",
    ):
        assert entry in contents
    text = "\n".join(pages)
    for expected in (
        "Ә Ғ Қ Ң Ө Ұ Ү Һ І",
        "Ноутбукта бұл бөліктер бір корпуста болады.",
        "Бағасы, ₸",
        "Жауап парағы",
        f"{len(pages)}-бет, барлығы {len(pages)}",
    ):
        assert expected in text, expected
    assert "Дұрыс жауап" not in text
    assert "барлығы" not in pages[0] and "барлығы" in pages[1]  # no running footer on the cover


def test_contents_show_the_pages_headings_land_on(converted: dict[str, list[str]]) -> None:
    """Opened as it is (no field update), the contents list a page number for every
    entry, and it is the page on which LibreOffice lays out that heading."""
    pages = converted["mini-kk-learner"]
    toc_index = next(n for n, text in enumerate(pages) if "Мазмұны" in text)
    lines = [line for line in pages[toc_index].splitlines() if "барлығы" not in line]  # footer
    entries = re.findall(r"^(\S.*?)[ .…]*?(\d+)\s*$", "\n".join(lines), re.M)
    titles = {
        "1-модуль: Компьютермен танысу",
        "1.1 Компьютер деген не?",
        "2.1 Құпиясөз қауіпсіздігі",
        "Терминдер сөздігі",
        "Медиа материалдар көрсеткіші",
    }
    numbered = {title.rstrip(" ."): int(page) for title, page in entries}
    assert titles <= numbered.keys(), pages[toc_index]
    for title, page in numbered.items():
        assert toc_index + 1 < page <= len(pages), (title, page)
        lines = [line.strip() for line in pages[page - 1].splitlines()]
        assert title in lines, f"{title!r} is not on page {page}"
        earlier = "\n".join(pages[toc_index + 1 : page - 1])
        assert title not in earlier.splitlines(), f"{title!r} is before page {page}"


def test_answer_sheets_have_sheets_of_paper_of_their_own(
    converted: dict[str, list[str]],
) -> None:
    """Printed duplex, each answer sheet starts on a right-hand (odd) page, without the
    running header, and the back of its page stays blank."""
    pages = converted["mini-kk-learner"]
    sheets = [n for n, text in enumerate(pages, 1) if "Жауап парағы:" in text]
    assert sheets
    for number in sheets:
        assert number % 2 == 1, f"answer sheet on left-hand page {number}"
        assert "бет, барлығы" not in pages[number - 1]
        assert not pages[number].strip(), f"text on the back of the sheet, page {number + 1}"
        assert "бет, барлығы" in pages[number + 1]  # the lesson goes on, numbered


def test_libreoffice_restarts_each_numbered_list(converted: dict[str, list[str]]) -> None:
    text = "\n".join(converted["lists-learner"])
    for first, second in (("Альфа", "Бета"), ("Гамма", "Дельта")):
        assert re.search(rf"1\.\s*{first}\s+2\.\s*{second}", text), text
    assert re.search(r"1\.\s*Вложенный пункт", text)


def test_learner_answer_key_appendix(lists_ru: Path) -> None:
    paragraphs = [p for p in docx.Document(str(lists_ru)).paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    assert "☐ b) Верный ответ" in texts  # unmarked in the quiz itself
    heading = len(texts) - 1 - texts[::-1].index("Ответы к самопроверкам")  # not the contents
    assert paragraphs[heading].style.name == "Heading 1"
    assert "b) Верный ответ" in texts[heading + 1]


def test_reference_saved_by_libreoffice_is_reused(mini: dict[str, Path], tmp_path: Path) -> None:
    """A teacher restyles the packet in LibreOffice and uses it as the course's reference:
    its styles (LibreOffice names them "Heading 1", Word "heading 1") are used, not doubled."""
    soffice = require_tool("soffice")
    course = write_course(tmp_path / "course", RU_LESSON, "ru", 'templates = "templates"\n')
    folder = course / "templates" / "docx"
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder), str(mini["teacher"])],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    (folder / mini["teacher"].name).rename(folder / "reference.docx")
    before = {s.style_id for s in docx.Document(str(folder / "reference.docx")).styles}
    document = docx.Document(str(build(course, tmp_path / "out")["learner"]))
    after = {s.style_id for s in document.styles}
    assert after == before  # every casekit style was found in it
    assert "Вложенный пункт" in [p.text for p in document.paragraphs]
    assert len(document.part.rels) < 20  # the reference's own pictures are not carried along
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header == ["Списки · Издание для обучающегося"]  # the teacher header replaced
    notes = "".join(part_xml(tmp_path / "out" / "lists" / "docx" / "lists-learner.docx",
                             "word/footnotes.xml").itertext())  # fmt: skip
    assert "Сноска на русском." in notes and "Ноутбукта" not in notes


def test_settings_are_in_schema_order(mini: dict[str, Path]) -> None:
    settings = [child.tag.split("}")[1] for child in part_xml(mini["learner"], "word/settings.xml")]
    assert settings.index("updateFields") < settings.index("footnotePr") < settings.index("compat")
    assert "proofState" not in settings


def test_huge_svg_is_rasterised_within_bounds(tmp_path: Path) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="20000">'
        '<rect width="100000" height="20000" fill="#0b5394"/>'
        '<text x="10" y="15000" font-size="9000" fill="#fff">Қазақ</text></svg>'
    )
    course = write_course(
        tmp_path / "course", "---\ntitle: Сурет\n---\n\n![Үлкен](../media/big.svg)\n", "kk"
    )
    (course / "media").mkdir()
    (course / "media" / "big.svg").write_text(svg, "utf-8")
    document = docx.Document(str(build(course, tmp_path / "out")["learner"]))
    from PIL import Image

    section = document.sections[0]
    (shape,) = document.inline_shapes
    assert shape.width <= section.page_width - section.left_margin - section.right_margin
    blobs = [
        r.target_part.blob for r in document.part.rels.values() if r.reltype.endswith("/image")
    ]
    (image,) = [Image.open(io.BytesIO(blob)) for blob in blobs]
    assert max(image.size) <= 4000


def test_tabs_and_control_characters(tmp_path: Path) -> None:
    """XML cannot carry most control characters: they are dropped, a tab is a Word tab."""
    lesson = '---\ntitle: "Т\\u0001"\n---\n\nБір\x0bекі\tүш.\n\n```\n\tотступ\n```\n'
    course = write_course(tmp_path / "course", lesson, "kk")
    document = docx.Document(str(build(course, tmp_path / "out")["learner"]))
    texts = [p.text for p in document.paragraphs]
    assert "Бірекі\tүш." in texts
    assert "\tотступ" in texts


def test_source_date_epoch_sets_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    course = write_course(tmp_path / "course", RU_LESSON, "ru")
    learner = build(course, tmp_path / "out")["learner"]
    props = docx.Document(str(learner)).core_properties
    assert props.created.isoformat().startswith("2026-01-01T00:00:00")
    with zipfile.ZipFile(learner) as z:
        assert {info.date_time for info in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}


def test_footnote_with_link_and_picture(tmp_path: Path) -> None:
    """A note's link is related from the footnotes part; a picture there becomes its alt text."""
    lesson = (
        "---\ntitle: Ескерту\n---\n\nМәтін ![белгі](../media/dot.png)[^a].\n\n"
        "[^a]: Қараңыз [сайт](https://example.org/kk) және ![белгіше](../media/dot.png) белгісін.\n"
    )
    course = write_course(tmp_path / "course", lesson, "kk")
    (course / "media").mkdir()
    (course / "media" / "dot.png").write_bytes((MINI / "media" / "diagram.png").read_bytes())
    learner = build(course, tmp_path / "out")["learner"]
    notes = part_xml(learner, "word/footnotes.xml")
    assert "белгіше" in "".join(notes.itertext())
    assert notes.find(f".//{W}drawing") is None
    with zipfile.ZipFile(learner) as z:
        rels = z.read("word/_rels/footnotes.xml.rels").decode()
    assert 'Target="https://example.org/kk"' in rels
    (icon,) = docx.Document(str(learner)).inline_shapes  # in the text: one line high
    assert round(icon.height.cm, 1) == 0.5


def test_svg_text_is_drawn_in_bundled_fonts() -> None:
    """Never a base-14 font (no Cyrillic) nor a system font found by fontconfig."""
    from casekit.formats.docx.svg import BundledFonts

    fonts = BundledFonts()
    assert fonts.find_font("Helvetica") == ("CasekitSvgSans-DejaVuSans", True)
    assert fonts.find_font("Times New Roman", "700", "italic")[0] == (
        "CasekitSvgSans-DejaVuSans-BoldOblique"
    )
    assert fonts.find_font("monospace", "bold")[0] == "CasekitSvgMono-DejaVuSansMono-Bold"


@pytest.mark.parametrize("course_dir", COURSES, ids=lambda p: p.name)
def test_example_courses(course_dir: Path, tmp_path: Path) -> None:
    course = load_course(course_dir, Diagnostics())
    teacher = docx.Document(str(build(course_dir, tmp_path / "out")["teacher"]))
    headings = {
        p.text: p.style.name for p in teacher.paragraphs if p.style.name.startswith("Heading")
    }
    for module in course.modules:
        for lesson in module.lessons:
            assert headings[f"{lesson.number} {plain_text(lesson.title)}"] == "Heading 2"
    assert sum(1 for style in headings.values() if style == "Heading 1") >= len(course.modules)
    assert len(teacher.inline_shapes) >= len([m for m in course.media if m.kind == "image"])


def test_the_writer_is_freed_without_a_garbage_collection() -> None:
    """The writer (and the prototypes it caches) form no reference cycle: formats run one
    after another without full collections, and a cycle kept a finished document in
    memory and made the next format of a serial build a quarter slower."""
    from casekit.formats import BuildContext
    from casekit.formats.docx import DocxOptions
    from casekit.formats.docx.render import render_docx
    from casekit.formats.docx.writer import DocxWriter
    from casekit.resolve.editions import apply_edition

    course = load_course(MINI, Diagnostics())
    assert course is not None
    learner = apply_edition(course, "learner")
    gc.collect()
    gc.disable()
    try:
        assert render_docx(learner, BuildContext(Path("unused"), DocxOptions())).startswith(b"PK")
        assert not [o for o in gc.get_objects() if isinstance(o, DocxWriter)]
    finally:
        gc.enable()


def contents_numbers(path: Path) -> list[str]:
    """The page number each contents entry shows, as the DOCX is opened."""
    document = docx.Document(str(path))
    return [
        re.sub(r"^.*\D", "", p.text)
        for p in document.paragraphs
        if p.style is not None and re.fullmatch(r"toc \d", p.style.name)
    ]


def test_contents_pages_are_kept_in_the_build_cache(tmp_path: Path) -> None:
    """A rebuild takes the pages LibreOffice laid out from the build cache: an entry
    changed through the cache's own API shows, so LibreOffice did not run again; a
    damaged entry is refused and the layout redone."""
    from casekit.files.cache import BuildCache
    from casekit.formats.docx.pagination import CACHE_KIND

    shutil.copytree(MINI, tmp_path / "mini")
    out = tmp_path / "out"
    first = build(tmp_path / "mini", out, editions=("learner",), contents_pages=True)["learner"]
    numbers, first_bytes = contents_numbers(first), first.read_bytes()
    assert len(numbers) > 3 and all(n.isdigit() and int(n) > 1 for n in numbers), numbers
    cache = BuildCache(out / "mini-kk")
    entries = [p for p in (cache.folder / CACHE_KIND).rglob("*") if p.is_file()]
    assert len(entries) == 1
    key = entries[0].name
    pages = cache.load(CACHE_KIND, key, dict[str, int])
    assert pages and set(map(str, pages.values())) >= set(numbers)
    cache.store(CACHE_KIND, key, {name: 90 + page for name, page in pages.items()})
    first.unlink()  # the output is rebuilt, the document's bytes before numbering are the same
    again = build(tmp_path / "mini", out, editions=("learner",), contents_pages=True)["learner"]
    assert contents_numbers(again) == [str(90 + int(n)) for n in numbers]
    entries[0].write_bytes(entries[0].read_bytes()[:-3] + b"!!}")  # damaged: refused
    again.unlink()
    third = build(tmp_path / "mini", out, editions=("learner",), contents_pages=True)["learner"]
    assert contents_numbers(third) == numbers and third.read_bytes() == first_bytes


def test_libreoffice_outlasting_its_time_is_one_line_and_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``soffice`` is a launcher: killing it alone on a timeout left ``soffice.bin``
    running. Every process of the layout goes, and the build gets one diagnostic."""
    from casekit.formats.docx import pagination

    shutil.copytree(MINI, tmp_path / "mini")
    document = build(tmp_path / "mini", tmp_path / "out", editions=("learner",))["learner"]
    monkeypatch.setattr(pagination, "TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(pagination, "TIMEOUT_PER_MB", 0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the layout's profile lives here
    with pytest.raises(CasekitError) as raised:
        pagination.bookmark_pages(document.read_bytes(), ["x"], "where.docx")
    assert raised.value.diagnostic.code == "docx-contents"
    assert "took over 0.2 s" in raised.value.diagnostic.message
    left = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and str(tmp_path).encode() in (proc / "cmdline").read_bytes():
                left.append(proc.name)
    assert left == []
