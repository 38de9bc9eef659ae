"""EPUB 3: validated by EPUBCheck and DAISY Ace, and read back from the package."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urldefrag

import pypandoc
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from casekit.build.pipeline import build_course
from casekit.diagnostics import CasekitError
from tests.conftest import COURSES, MINI, MINIMAL_TOML, ROOT, built
from tests.conftest import build as build_formats
from tests.validators import ace_violations, epubcheck

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


class Book:
    """An EPUB read back: its zip, package document and parsed XHTML documents."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path.read_bytes()
        self.zip = zipfile.ZipFile(path)
        self.opf = etree.fromstring(self.zip.read("EPUB/content.opf"))
        self.docs = {
            name[len("EPUB/") :]: etree.fromstring(self.zip.read(name))
            for name in self.zip.namelist()
            if name.endswith(".xhtml")
        }

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f".//opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f".//dc:{name}", NS)]

    def text(self, name: str) -> str:
        return "".join(self.docs[name].itertext())

    def ids(self, name: str) -> set[str]:
        return {e.get("id") for e in self.docs[name].iter() if e.get("id")}

    def find(self, name: str, xpath: str) -> list[etree._Element]:
        return self.docs[name].xpath(xpath, namespaces=NS)


def build(course: Path, out: Path, **options: object) -> dict[str, Book]:
    books = built(build_formats(course, ["epub"], out, **options), "epub")
    return {edition: Book(path) for edition, path in books.items()}


ENGLISH_TOML = MINIMAL_TOML.format(lessons='"a.md", "b.md"').replace(
    'authors = ["A"]', 'authors = ["A", "B"]\ntemplates = "tpl"'
)


#: a heading inside a solution: the learner edition lacks it, links to it must still resolve
HIDDEN_TARGET = """\
---
title: Two
---

Text.

::: solution
## Hint {#hint}

The answer.
:::
"""


#: Opus is an EPUB core audio type, Vorbis is not (EPUBCheck would demand a fallback)
AUDIO = """
![Opus tone](media/opus.ogg)

![Vorbis tone](media/vorbis.ogg)
"""


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Book]:
    """Built once for the whole module: the mini course in both editions, plain and
    again (determinism); a variant with the answers appendix and embedded media;
    a small English course with its own stylesheet."""
    tmp = tmp_path_factory.mktemp("epub")
    plain = build(MINI, tmp / "plain")
    rebuilt = build(MINI, tmp / "again")
    variant = tmp / "mini-answers"
    shutil.copytree(MINI, variant)
    toml = variant / "course.toml"
    toml.write_text(
        re.sub(r"(?m)^licence = .*$", r"\g<0>\nanswers_appendix = true", toml.read_text("utf-8")),
        "utf-8",
    )
    embedded = build(variant, tmp / "embedded", embed_media=True)
    english = tmp / "english"
    (english / "tpl" / "epub").mkdir(parents=True)
    (english / "course.toml").write_text(ENGLISH_TOML, "utf-8")
    (english / "a.md").write_text("---\ntitle: One\n---\n\nSee [the hint](b.md#hint).\n", "utf-8")
    (english / "b.md").write_text(HIDDEN_TARGET + AUDIO, "utf-8")
    shutil.copytree(ROOT / "tests" / "data" / "epub-audio", english / "media")
    (english / "tpl" / "epub" / "epub.css").write_text(".own-rule { color: red; }\n", "utf-8")
    return {
        "learner": plain["learner"],
        "teacher": plain["teacher"],
        "learner-again": rebuilt["learner"],
        "teacher-again": rebuilt["teacher"],
        "learner-embedded": embedded["learner"],
        "teacher-embedded": embedded["teacher"],
        "english": build(english, tmp / "en", embed_media=True)["learner"],
    }


@pytest.fixture(scope="module")
def epubcheck_reports(books: dict[str, Book]) -> dict[str, list[str]]:
    keys = ["learner", "teacher", "learner-embedded", "teacher-embedded", "english"]
    reports = epubcheck([books[key].path for key in keys])
    return {key: reports[books[key].path] for key in keys}


@pytest.mark.parametrize(
    "key", ["learner", "teacher", "learner-embedded", "teacher-embedded", "english"]
)
def test_epubcheck_reports_nothing(epubcheck_reports: dict[str, list[str]], key: str) -> None:
    assert epubcheck_reports[key] == []


@pytest.fixture(scope="module")
def embedded_examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Book]]:
    """Each example course's two editions with embedded media, built once for the
    EPUBCheck and the DAISY Ace test below."""
    tmp = tmp_path_factory.mktemp("examples")
    return {course.name: build(course, tmp / course.name, embed_media=True) for course in COURSES}


@pytest.mark.parametrize("course", COURSES, ids=[c.name for c in COURSES])
def test_example_courses_pass_epubcheck(
    course: Path, tmp_path: Path, embedded_examples: dict[str, dict[str, Book]]
) -> None:
    """Both editions; the teacher one with embedded media (the two options share the
    two runs)."""
    learner = build(course, tmp_path / "plain")["learner"]
    teacher = embedded_examples[course.name]["teacher"]
    reports = epubcheck([learner.path, teacher.path])
    assert all(messages == [] for messages in reports.values()), reports


def test_rebuild_is_byte_identical(books: dict[str, Book]) -> None:
    assert books["learner"].data == books["learner-again"].data
    assert books["teacher"].data == books["teacher-again"].data
    assert books["learner"].data != books["teacher"].data


def test_zip_layout_is_fixed(books: dict[str, Book]) -> None:
    infos = books["teacher-embedded"].zip.infolist()
    assert infos[0].filename == "mimetype"
    assert infos[0].compress_type == zipfile.ZIP_STORED
    assert books["teacher"].zip.read("mimetype") == b"application/epub+zip"
    assert infos[1].filename == "META-INF/container.xml"
    assert {i.date_time for i in infos} == {(2026, 9, 1, 0, 0, 0)}  # the course date
    names = [i.filename for i in infos[2:]]
    assert names == sorted(names)


def test_package_metadata(books: dict[str, Book]) -> None:
    learner, teacher = books["learner"], books["teacher"]
    opf = learner.opf
    assert opf.get(XML_LANG) == "kk"
    assert learner.dc("title") == ["Сандық сауаттылық негіздері — Білім алушыға арналған басылым"]
    assert learner.dc("language") == ["kk"]
    assert learner.dc("creator") == ["Айгүл Сейітқызы"]
    assert learner.dc("publisher") == ["Ашық білім орталығы"]
    assert learner.dc("rights") == ["CC BY-SA 4.0"]
    assert learner.meta("dcterms:modified") == ["2026-09-01T00:00:00Z"]
    identifier = opf.find(f".//dc:identifier[@id='{opf.get('unique-identifier')}']", NS).text
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", identifier)
    assert identifier == books["learner-again"].dc("identifier")[0]
    assert identifier != teacher.dc("identifier")[0]
    assert learner.meta("schema:accessMode") == ["textual", "visual"]
    assert learner.meta("schema:accessModeSufficient") == ["textual"]
    features = learner.meta("schema:accessibilityFeature")
    assert {"alternativeText", "tableOfContents", "structuralNavigation", "transcript"} <= set(
        features
    )
    assert learner.meta("schema:accessibilityHazard") == [
        "noFlashingHazard",
        "noMotionSimulationHazard",
        "noSoundHazard",
    ]
    assert "Әр суреттің" in learner.meta("schema:accessibilitySummary")[0]
    embedded = books["learner-embedded"]
    assert "auditory" in embedded.meta("schema:accessMode")
    assert embedded.meta("schema:accessibilityHazard") == ["unknown"]


def test_every_document_declares_its_language(books: dict[str, Book]) -> None:
    for key in ("learner", "teacher-embedded", "learner-embedded", "english"):
        language = "en" if key == "english" else "kk"
        for name, root in books[key].docs.items():
            assert root.get(XML_LANG) == language, (key, name)
            assert root.get("lang") == language, (key, name)


def test_navigation_is_nested_with_landmarks(books: dict[str, Book]) -> None:
    book = books["teacher"]
    toc = book.find("nav.xhtml", "//x:nav[@epub:type='toc']/x:ol")[0]
    top = toc.xpath("x:li", namespaces=NS)
    titles = [t.xpath("string(x:a)", namespaces=NS) for t in top]
    assert titles == [
        "1-модуль: Компьютермен танысу",
        "2-модуль: Қауіпсіздік",
        "Терминдер сөздігі",
        "Медиа материалдар көрсеткіші",
    ]
    lessons = top[0].xpath("x:ol/x:li", namespaces=NS)
    assert [li.xpath("string(x:a)", namespaces=NS) for li in lessons] == [
        "1.1 Компьютер деген не?",
        "1.2 Файлдар мен қалталар",
    ]
    headings = lessons[0].xpath("x:ol/x:li/x:a", namespaces=NS)
    assert [(a.text, a.get("href")) for a in headings] == [
        ("Негізгі бөліктер", "lesson-01.xhtml#01-computer--parts")
    ]
    landmarks = {
        a.get(EPUB_TYPE): a.get("href")
        for a in book.find("nav.xhtml", "//x:nav[@epub:type='landmarks']//x:a")
    }
    assert landmarks == {
        "cover": "cover.xhtml",
        "toc": "nav.xhtml",
        "bodymatter": "lesson-01.xhtml",
        "glossary": "glossary.xhtml",
        "appendix": "media-index.xhtml",
    }
    spine = [i.get("idref") for i in book.opf.iterfind(".//opf:itemref", NS)]
    assert spine[:3] == ["doc-cover", "nav", "doc-lesson-01"]


def test_cover_names_course_organisation_and_edition(books: dict[str, Book]) -> None:
    text = books["teacher"].text("cover.xhtml")
    for words in ("Сандық сауаттылық негіздері", "Ашық білім орталығы", "Оқытушыға арналған"):
        assert words in text
    image = books["teacher"].opf.find(".//opf:item[@properties='cover-image']", NS)
    data = books["teacher"].zip.read("EPUB/" + image.get("href"))
    assert data.startswith(b"\x89PNG") and image.get("media-type") == "image/png"


@pytest.mark.parametrize("key", ["learner", "teacher-embedded", "learner-embedded", "english"])
def test_every_link_resolves_to_an_existing_id(books: dict[str, Book], key: str) -> None:
    book = books[key]
    names = {n[len("EPUB/") :] for n in book.zip.namelist()}
    checked = 0
    for name, root in book.docs.items():
        for element in root.iter():
            ref = element.get("href") or element.get("src")
            if (
                not ref
                or ref.startswith(("http:", "https:", "mailto:"))
                or element.tag.endswith("link")
            ):
                continue
            path, fragment = urldefrag(ref)
            target = str(PurePosixPath(name).parent / path) if path else name
            target = target.removeprefix("./")
            assert target in names, (name, ref)
            if fragment:
                assert fragment in book.ids(target), (name, ref)
            checked += 1
    assert checked > 5


def test_cross_lesson_links_point_into_the_right_chapter(books: dict[str, Book]) -> None:
    book = books["learner"]
    forward = book.find("lesson-01.xhtml", "//x:a[@class='internal']/@href")
    back = book.find("lesson-02.xhtml", "//x:a[@class='internal']/@href")
    assert forward == ["lesson-02.xhtml#02-files--folders"]
    assert back == ["lesson-01.xhtml#01-computer--parts"]
    assert "02-files--folders" in book.ids("lesson-02.xhtml")


def test_footnotes_link_both_ways_with_roles(books: dict[str, Book]) -> None:
    book = books["learner"]
    refs = book.find("lesson-01.xhtml", "//x:a[@epub:type='noteref']")
    assert len(refs) == 1
    ref = refs[0]
    assert ref.get("role") == "doc-noteref"
    note_id = ref.get("href").removeprefix("#")
    note = book.find("lesson-01.xhtml", f"//*[@id='{note_id}']")[0]
    assert note.get(EPUB_TYPE) == "footnote"
    assert note.get("role") == "doc-footnote"
    assert "Ноутбукта" in "".join(note.itertext())
    back = note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)[0]
    assert back.get("href") == "#" + ref.get("id")


def test_learner_edition_has_no_solutions_and_teacher_has(books: dict[str, Book]) -> None:
    solutions = ("F2 пернесін басыңыз", "«Жаңа қалта» таңдаңыз")
    learner = "".join(books["learner"].text(n) for n in books["learner"].docs)
    teacher = "".join(books["teacher"].text(n) for n in books["teacher"].docs)
    for text in solutions:
        assert text not in learner
        assert text in teacher
    assert not books["learner"].find("lesson-01.xhtml", "//*[@class='correct']")
    assert len(books["teacher"].find("lesson-01.xhtml", "//*[@class='correct']")) == 3
    assert "answers.xhtml" not in books["learner"].docs


def test_answer_key_only_when_the_course_asks(books: dict[str, Book]) -> None:
    book = books["learner-embedded"]
    assert "answers.xhtml" in book.docs
    key = book.text("answers.xhtml")
    assert "Пернетақта" in key and "Астана" in key
    links = book.find("lesson-01.xhtml", "//x:p[@class='answer-link']/x:a/@href")
    assert links[0] == "answers.xhtml#key-01-computer--q-parts-q1"
    toc = book.find("nav.xhtml", "//x:nav[@epub:type='toc']//x:a/@href")
    assert "answers.xhtml" in toc
    assert "answers.xhtml" not in books["teacher-embedded"].docs


def test_media_as_on_paper_by_default(books: dict[str, Book]) -> None:
    book = books["learner"]
    names = book.zip.namelist()
    assert not [n for n in names if n.endswith((".mp4", ".mp3"))]
    assert not book.find("lesson-01.xhtml", "//x:video")
    figure = book.find("lesson-01.xhtml", "//x:figure[contains(@class, 'media-video')]")[0]
    text = "".join(figure.itertext())
    assert "V1.1" in text and "0:03" in text and "Сәлеметсіз бе!" in text
    assert figure.xpath(".//*[local-name()='svg']")  # the QR code


def test_embedded_media_with_transcript_fallback(books: dict[str, Book]) -> None:
    book = books["teacher-embedded"]
    video = book.find("lesson-01.xhtml", "//x:video")[0]
    assert video.get("src").endswith(".mp4")
    assert book.zip.read("EPUB/" + video.get("src"))[4:8] == b"ftyp"
    track = video.xpath("x:track", namespaces=NS)[0]
    assert book.zip.read("EPUB/" + track.get("src")).startswith(b"WEBVTT")
    assert "V1.1" in "".join(video.itertext())  # fallback text inside the element
    audio = book.find("lesson-03.xhtml", "//x:audio")[0]
    assert audio.get("src").endswith(".mp3")
    figure = video.getparent()
    assert "Сәлеметсіз бе!" in "".join(figure.itertext())  # the transcript stays visible
    types = {i.get("href"): i.get("media-type") for i in book.opf.iterfind(".//opf:item", NS)}
    assert types[video.get("src")] == "video/mp4"
    assert types[track.get("src")] == "text/vtt"


def test_images_carry_alt_text_and_sanitised_svg(books: dict[str, Book]) -> None:
    book = books["learner"]
    images = [img for doc in book.docs for img in book.find(doc, "//x:img")]
    assert len(images) == 3
    assert all(img.get("alt") for img in images)
    svg = next(i.get("src") for i in images if i.get("src").endswith(".svg"))
    data = book.zip.read("EPUB/" + svg)
    assert b"<script" not in data and b"<svg" in data


def test_kazakh_course_embeds_fonts_and_stylesheet(books: dict[str, Book]) -> None:
    book = books["learner"]
    fonts = [
        i.get("href")
        for i in book.opf.iterfind(".//opf:item", NS)
        if i.get("media-type") == "font/ttf"
    ]
    assert len(fonts) == 5
    css = book.zip.read("EPUB/style.css").decode()
    for font in fonts:
        assert f'url("{font}")' in css
    assert ".callout" in css and ".module-label" in css  # html/style.css + epub/epub.css


def test_embedded_fonts_are_subset_but_cover_the_text(books: dict[str, Book]) -> None:
    """Every character of every document, in either case (the stylesheet upper-cases
    module labels), has its glyph in the embedded faces, which are a fraction of the
    bundled DejaVu files; the names (family, licence) are kept."""
    book = books["learner"]
    text = "".join(book.text(name) for name in book.docs)
    wanted = {ord(c) for c in text + text.upper() + text.lower() if not c.isspace()}
    for face, bundled in (("regular", "DejaVuSans.ttf"), ("mono", "DejaVuSansMono.ttf")):
        full = TTFont(ROOT / "templates" / "fonts" / bundled)
        data = book.zip.read(f"EPUB/fonts/{face}.ttf")
        subset = TTFont(io.BytesIO(data))
        assert len(data) < (ROOT / "templates" / "fonts" / bundled).stat().st_size / 5
        assert wanted & set(full.getBestCmap()) <= set(subset.getBestCmap())
        assert {ord(c) for c in "ӘәҒғҚқҢңӨөҰұҮүҺһІі"} <= set(subset.getBestCmap())
        assert subset["name"].getDebugName(1) == full["name"].getDebugName(1)
        assert subset["name"].getDebugName(13) == full["name"].getDebugName(13)  # licence


def test_font_that_forbids_subsetting_is_embedded_whole(make_course, tmp_path: Path) -> None:
    face = TTFont(ROOT / "templates" / "fonts" / "DejaVuSans.ttf")
    face["OS/2"].fsType = 0x0100  # "no subsetting"
    whole = io.BytesIO()
    face.save(whole)
    toml = MINIMAL_TOML.format(lessons='"a.md"').replace(
        "[[modules]]", '[fonts]\nregular = "fonts/whole.ttf"\n\n[[modules]]'
    )
    course = make_course(
        {"a.md": "---\ntitle: Бір\n---\n\nӘліпби.\n"},
        toml=toml,
        files={"fonts/whole.ttf": whole.getvalue()},
    )
    book = build(course, tmp_path / "out")["learner"]
    assert book.zip.read("EPUB/fonts/regular.ttf") == whole.getvalue()
    assert len(book.zip.read("EPUB/fonts/bold.ttf")) < 100_000  # the others are subset


def test_damaged_font_is_one_error_and_keeps_the_previous_book(make_course, tmp_path: Path) -> None:
    toml = MINIMAL_TOML.format(lessons='"a.md"')
    course = make_course({"a.md": "---\ntitle: One\n---\n\nText.\n"}, toml=toml)
    out = tmp_path / "out"
    before = build(course, out)["learner"].data
    (course / "fonts").mkdir()
    (course / "fonts" / "bad.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 300)
    damaged = toml.replace("[[modules]]", '[fonts]\nregular = "fonts/bad.ttf"\n\n[[modules]]')
    (course / "course.toml").write_text(damaged, "utf-8")
    with pytest.raises(CasekitError) as caught:
        build_course(course, ["epub"], ("learner",), out)
    message = str(caught.value)
    assert message.startswith(
        "course.toml:11:1: error: fonts.regular: font 'fonts/bad.ttf' cannot be read: "
    )
    assert message.endswith("[font-invalid]") and "\n" not in message
    assert (out / "t" / "epub" / "t-learner.epub").read_bytes() == before


def test_english_course_without_fonts_and_with_own_stylesheet(books: dict[str, Book]) -> None:
    book = books["english"]
    assert not [n for n in book.zip.namelist() if "/fonts/" in n]
    assert ".own-rule" in book.zip.read("EPUB/style.css").decode()
    assert book.dc("creator") == ["A", "B"]
    assert book.opf.get(XML_LANG) == "en"


def test_link_to_an_element_missing_from_the_edition_goes_to_its_lesson(
    books: dict[str, Book],
) -> None:
    book = books["english"]  # learner edition: the "hint" heading is in a solution
    assert book.find("lesson-01.xhtml", "//x:a[@class='internal']/@href") == ["lesson-02.xhtml#b"]


@pytest.mark.parametrize("key", ["learner-embedded", "teacher"])
def test_daisy_ace_finds_no_violations(books: dict[str, Book], key: str, tmp_path: Path) -> None:
    assert ace_violations(books[key].path, tmp_path / "ace") == []


def test_unreadable_font_is_one_diagnostic_and_keeps_the_previous_book(
    make_course, tmp_path: Path
) -> None:
    toml = MINIMAL_TOML.format(lessons='"a.md"')
    course = make_course({"a.md": "---\ntitle: One\n---\n\nText.\n"}, toml=toml)
    out = tmp_path / "out"
    before = build(course, out)["learner"].data
    broken = toml.replace("[[modules]]", '[fonts]\nregular = "fonts/missing.ttf"\n\n[[modules]]')
    (course / "course.toml").write_text(broken, "utf-8")
    result = build_course(course, ["epub"], ("learner", "teacher"), out)
    assert result.stopped  # the check finds it, before any format runs
    assert [str(d) for d in result.diagnostics.sorted()] == [
        "course.toml:11:1: error: fonts.regular: file not found: fonts/missing.ttf [font-missing]"
    ]
    assert (out / "t" / "epub" / "t-learner.epub").read_bytes() == before


def test_pandoc_reads_chapters_headings_links_and_notes(books: dict[str, Book]) -> None:
    """A real EPUB reader (pandoc's) recovers the structure, the note and the links."""
    run = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", "epub", "-t", "markdown", str(books["teacher"].path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    markdown = run.stdout
    headings = re.findall(r"(?m)^(#+) (.*?)(?: \{#.*)?$", markdown)
    assert ("#", "[1.1]{.number} Компьютер деген не?") in headings
    assert ("##", "Негізгі бөліктер") in headings
    assert ("#", "Терминдер сөздігі") in headings
    assert "тұрады[^1]." in markdown  # pandoc took the noteref for a footnote
    assert re.search(r"(?m)^\[\^1\]:.*\n\n?\s+Ноутбукта бұл бөліктер", markdown)
    assert "](#lesson-02.xhtml_02-files--folders){.internal}" in markdown


def test_only_core_audio_types_are_carried(books: dict[str, Book]) -> None:
    book = books["english"]
    sources = book.find("lesson-02.xhtml", "//x:audio/@src")
    assert len(sources) == 1
    types = {i.get("href"): i.get("media-type") for i in book.opf.iterfind(".//opf:item", NS)}
    assert types[sources[0]] == "audio/ogg; codecs=opus"
    vorbis = book.find("lesson-02.xhtml", "//x:figure[contains(@class, 'media-audio')]")[1]
    assert not vorbis.xpath(".//x:audio", namespaces=NS)
    assert vorbis.xpath(".//*[local-name()='svg']")  # as on paper: the QR code


@pytest.mark.parametrize("course", COURSES, ids=[c.name for c in COURSES])
def test_example_courses_pass_daisy_ace(
    course: Path, tmp_path: Path, embedded_examples: dict[str, dict[str, Book]]
) -> None:
    book = embedded_examples[course.name]["learner"]
    assert ace_violations(book.path, tmp_path / "ace") == []
