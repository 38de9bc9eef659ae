"""The ``epub`` format: one EPUB 3 per edition, built with ebooklib from the tree.

Chapters are written by ``EpubWriter`` (the HTML writer with EPUB hooks) into
complete XHTML documents from ``templates/epub``; ebooklib assembles the
package, the navigation document and the NCX; the zip is then rewritten so
the same sources always give the same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ebooklib import epub
from lxml import etree
from markupsafe import Markup

from casekit import tree as t
from casekit.diagnostics import error
from casekit.files.cache import BuildCache
from casekit.files.zips import normalize_zip
from casekit.formats import BuildContext, Output, output_name
from casekit.formats.epub.cover import cached_cover
from casekit.formats.epub.fonts import (
    BookFont,
    book_fonts,
    font_face_css,
    subset_fonts,
    used_characters,
)
from casekit.formats.epub.overlays import add_overlays, narrate_chapter
from casekit.formats.epub.writer import ANSWERS_FILE, BookFiles, EpubWriter
from casekit.messages import Messages
from casekit.render.av_metadata import stripped_copy
from casekit.render.chapters import Document, split_course
from casekit.render.common import edition_label, lesson_title, source_date
from casekit.render.fragments import Fragments, lesson_data
from casekit.render.outline import ANSWER_KEY, GLOSSARY, MEDIA_INDEX, Outline, course_outline
from casekit.render.page import appendix_html, render_template, template
from casekit.render.resample import FITTED, SCREEN_BOX, Fitting, Sizing
from casekit.render.templates import read_template
from casekit.safety.paths import PathEscape, resolve_inside

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EXTENSIONS = {"jpeg": "jpg"}


class _PackageWriter(epub.EpubWriter):
    """ebooklib's writer, plus ``xml:lang`` on the package element; the members waiting
    in files (``_FileItem``) are left out: ``write_package`` streams each into the book
    from its file, once (a video is never whole in memory)."""

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def _write_items(self) -> None:
        items = self.book.items
        self.book.items = [item for item in items if not isinstance(item, _FileItem)]
        try:
            super()._write_items()
        finally:
            self.book.items = items


class _FileItem(epub.EpubItem):
    """A member of the book whose bytes wait in a file until ebooklib writes them: a
    book is never whole in memory, only the member being written."""

    def __init__(self, uid: str, file_name: str, media_type: str, path: Path) -> None:
        super().__init__(uid, file_name, media_type)
        self.path = path

    def get_content(self, default: Any = None) -> bytes:
        return self.path.read_bytes()


@dataclasses.dataclass
class _Scratch:
    """The folder the members wait in while the book is made."""

    folder: Path

    def path(self, uid: str) -> Path:
        return self.folder / uid

    def item(self, uid: str, file_name: str, media_type: str, data: bytes) -> _FileItem:
        self.path(uid).write_bytes(data)
        return _FileItem(uid, file_name, media_type, self.path(uid))


def render_epub(course: t.Course, ctx: BuildContext) -> list[Output]:
    embed_media = ctx.options.embed_media
    narrate = embed_media and ctx.options.narrate
    sizing = Sizing(ctx.cache, ctx.options.original_images)

    def write(target: IO[bytes]) -> None:
        write_epub(target, course, embed_media, ctx.cache, narrate, ctx.fragments, sizing)

    return [Output(output_name(course, "epub"), write=write)]


def epub_bytes(
    course: t.Course,
    embed_media: bool,
    cache: BuildCache | None = None,
    narrate: bool = False,
    fragments: Fragments | None = None,
    sizing: Sizing = FITTED,
) -> bytes:
    """The EPUB ``write_epub`` writes, as bytes."""
    out = io.BytesIO()
    write_epub(out, course, embed_media, cache, narrate, fragments, sizing)
    return out.getvalue()


def write_epub(
    target: IO[bytes],
    course: t.Course,
    embed_media: bool,
    cache: BuildCache | None = None,
    narrate: bool = False,
    fragments: Fragments | None = None,
    sizing: Sizing = FITTED,
) -> None:
    """The EPUB of one edition of ``course``, deterministic, into ``target`` (seekable;
    ``cache``: the build's, where subset fonts and narrations are kept; ``narrate``:
    lessons spoken, as EPUB 3 Media Overlays; ``fragments``: the lessons as earlier
    builds rendered them; ``sizing``: images at screen size or as they are). Documents
    and media wait in a temporary folder, written one at a time."""
    with (
        tempfile.TemporaryDirectory(prefix="casekit-epub-") as folder,
        sizing.fitting(Path(course.root), SCREEN_BOX) as fitting,
    ):
        scratch = _Scratch(Path(folder))
        files = BookFiles()
        writer = EpubWriter(course, files, fragments)
        book = epub.EpubBook()
        played = add_resources(book, course, files, embed_media, fitting, scratch)
        set_metadata(book, course, writer.msg, played)
        css, fonts = add_style(book, course)
        config = course.config
        label = edition_label(course, writer.msg)
        cover = cached_cover(cache, config.title, config.subtitle, config.organisation, label)
        book.set_cover("images/cover.png", cover, create_page=False)
        outline = course_outline(course, writer.msg)
        nav = epub.EpubNav(uid="nav", file_name="nav.xhtml", title=writer.msg("contents"))
        nav.add_item(css)
        book.add_item(nav)
        page = template(course, "epub/document.xhtml.j2")
        documents, items, overlays = [], [], []
        for doc in body_documents(course, outline, writer, cover_document(course, writer.msg)):
            if narrate and doc.matter == "bodymatter":
                doc.body, overlay = narrate_chapter(
                    course, doc.file, doc.body, writer.msg, cache, scratch.item
                )
                overlays += [overlay] if overlay else []
            items.append(book.add_item(document_item(course, doc, page, scratch)))
            documents.append(dataclasses.replace(doc, body=""))  # written: let it go
        add_navigation(book, outline, writer, documents, items, nav)
        add_overlays(book, overlays, items)
        add_fonts(book, course, fonts, writer.msg, cache)
        fitting.wait()  # the images, fitted meanwhile on other threads
        write_package(target, book, course, writer.msg, Path(folder), cache)


def add_navigation(
    book: epub.EpubBook,
    outline: Outline,
    writer: EpubWriter,
    documents: list[Document],
    items: list[epub.EpubItem],
    nav: epub.EpubNav,
) -> None:
    """The reading order (cover, navigation, lessons, back matter), the table of
    contents and the landmarks of the ``documents`` (added as ``items``)."""
    book.spine = [items[0], nav, *items[1:]]
    book.toc = table_of_contents(outline, writer, documents)
    book.add_item(epub.EpubNcx())
    book.guide = [{"type": "toc", "href": "nav.xhtml", "title": writer.msg("contents")}]
    book.guide += [
        {"type": doc.landmark, "href": doc.file, "title": doc.title}
        for doc in documents
        if doc.landmark
    ]
    book.guide.sort(key=lambda entry: entry["type"] != "cover")


def write_package(
    target: IO[bytes],
    book: epub.EpubBook,
    course: t.Course,
    msg: Messages,
    folder: Path,
    cache: BuildCache | None = None,
) -> None:
    """ebooklib writes the package (into ``folder``); the zip is then rewritten into
    ``target`` with fixed order and times."""
    options = {
        "epub2_guide": False,  # EPUB 2 guide types differ from landmarks: no guide at all
        "epub3_pages": False,
        "compresslevel": 0,  # the zip is compressed once, when it is rewritten
        "mtime": source_date(course),
        "landmark_title": msg("landmarks"),
    }
    package = folder / "ebooklib.epub"
    _PackageWriter(str(package), book, options).write()
    normalize_zip(
        package,
        target,
        source_date(course),
        first=("mimetype", "META-INF/container.xml"),
        stored=("mimetype",),
        cache=cache,
        files={
            f"{book.FOLDER_NAME}/{item.file_name}": item.path
            for item in book.items
            if isinstance(item, _FileItem)
        },
    )


# --------------------------------------------------------------------------- metadata


def book_identifier(course: t.Course) -> str:
    """Stable per course id, version and edition: the same book always has the same id."""
    config = course.config
    name = f"casekit:{config.id}:{config.version}:{course.edition or 'full'}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def set_metadata(
    book: epub.EpubBook, course: t.Course, msg: Messages, played: list[t.MediaItem]
) -> None:
    config = course.config
    book.set_identifier(book_identifier(course))
    book.set_title(f"{config.title} — {edition_label(course, msg)}")
    book.set_language(config.language)
    for index, author in enumerate(config.authors, start=1):
        book.add_author(author, uid=f"creator-{index}")
    book.add_metadata("DC", "publisher", config.organisation)
    book.add_metadata("DC", "rights", config.licence)
    book.add_metadata("DC", "date", source_date(course).date().isoformat())
    if config.subtitle:
        book.add_metadata("DC", "description", config.subtitle)
    for prop, value in accessibility_metadata(course, msg, played):
        book.add_metadata(None, "meta", value, {"property": prop})


def accessibility_metadata(
    course: t.Course, msg: Messages, played: list[t.MediaItem]
) -> list[tuple[str, str]]:
    """schema.org accessibility properties describing what the book really contains
    (``played``: the audio and video carried in the book)."""
    has_images = any(m.kind == "image" for m in course.media)
    has_av = bool(played)
    modes = ["textual"] + (["visual"] if has_images or has_av else [])
    modes += ["auditory"] if has_av else []
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
        "alternativeText",
    ]
    if any(m.transcript is not None for m in course.media):
        features.append("transcript")
    if any(m.kind == "video" and m.transcript for m in played):
        features.append("captions")
    hazards = ["noFlashingHazard", "noMotionSimulationHazard", "noSoundHazard"]
    if has_av:
        hazards = ["unknown"]
    return (
        [("schema:accessMode", mode) for mode in modes]
        + [("schema:accessModeSufficient", "textual")]
        + [("schema:accessibilityFeature", feature) for feature in features]
        + [("schema:accessibilityHazard", hazard) for hazard in hazards]
        + [("schema:accessibilitySummary", msg("accessibility_summary"))]
    )


# --------------------------------------------------------------------------- resources


def add_resources(
    book: epub.EpubBook,
    course: t.Course,
    files: BookFiles,
    embed_media: bool,
    fitting: Fitting,
    scratch: _Scratch,
) -> list[t.MediaItem]:
    """Images always (no larger than a screen needs: ``fitting`` writes their files
    while the book is made); with ``embed_media`` also the audio and video every EPUB 3
    reader must play, and video transcripts as WebVTT tracks. Returns the audio and
    video carried; each file waits in ``scratch``. Files get neutral names
    (``images/003.png``): no name needs escaping."""
    root = Path(course.root)
    played = []
    for index, item in enumerate(course.media, start=1):
        ext = EXTENSIONS.get(item.format, item.format)
        uid = f"media-{index:03d}"
        if item.kind == "image":
            name = f"images/{index:03d}.{ext}"
            fitting.add(item, scratch.path(uid))
            book.add_item(_FileItem(uid, name, item.media_type, scratch.path(uid)))
        elif embed_media:
            name, path = f"media/{index:03d}.{ext}", scratch.path(uid)
            stripped_copy(root, item, path)  # no GPS, titles
            with path.open("rb") as head:
                media_type = playable_type(item, head.read(36))
            if media_type is None:
                continue  # stays a figure with QR code and transcript, as on paper
            played.append(item)
            if item.kind == "video" and item.transcript is not None:
                track = f"media/{index:03d}.vtt"
                files.media[item.transcript.path] = track
                vtt = read_course_file(root, item.transcript.path)
                book.add_item(epub.EpubItem(f"track-{index:03d}", track, "text/vtt", content=vtt))
            book.add_item(_FileItem(uid, name, media_type, path))
        else:
            continue
        files.media[item.path] = name
    return played


def playable_type(item: t.MediaItem, data: bytes) -> str | None:
    """The manifest type of an audio or video file (``data``: its first 36 bytes, or
    more), or ``None`` for audio that is not an EPUB core media type (Ogg Vorbis:
    EPUBCheck demands a fallback, readers may not play it). Video has no core types
    and needs no fallback."""
    if item.kind == "video" or item.format in ("mp3", "m4a"):
        return item.media_type
    if item.format == "ogg" and data[28:36] == b"OpusHead":  # first Ogg page, Opus header
        return "audio/ogg; codecs=opus"
    return None


def read_course_file(root: Path, path: str) -> bytes:
    try:
        real, _ = resolve_inside(root, path)
        return real.read_bytes()
    except (PathEscape, OSError) as exc:
        raise error(path, f"cannot read the file for the EPUB: {exc}", "epub-read") from None


def add_style(book: epub.EpubBook, course: t.Course) -> tuple[epub.EpubItem, list[BookFont]]:
    """The book's one stylesheet, and the fonts it names (added once the text is known)."""
    fonts = book_fonts(course)
    css = epub.EpubItem("style", "style.css", "text/css", content=stylesheet(course, fonts))
    book.add_item(css)
    return css, fonts


def add_fonts(
    book: epub.EpubBook,
    course: t.Course,
    fonts: list[BookFont],
    msg: Messages,
    cache: BuildCache | None,
) -> None:
    """The embedded fonts, subset to the characters of every document and stylesheet
    of the book and of the labels (the navigation document is written from them)."""
    if not fonts:
        return
    seen = set("".join(msg.table.values()))
    for item in book.get_items():
        if item.media_type in ("application/xhtml+xml", "text/css") and (
            isinstance(item, _FileItem) or isinstance(item.content, bytes)
        ):  # not the navigation, written at the end
            seen |= used_characters(item.get_content(), cache)
    for index, font in enumerate(subset_fonts(fonts, seen, Path(course.root), cache), start=1):
        book.add_item(epub.EpubItem(f"font-{index}", font.file, font.media_type, content=font.data))


def stylesheet(course: t.Course, fonts: list[BookFont]) -> bytes:
    """``html/style.css`` + ``epub/epub.css`` (both overridable) + the embedded fonts."""
    parts = [font_face_css(fonts), read_template(course, "html/style.css")]
    parts.append(read_template(course, "epub/epub.css"))
    return "\n".join(part for part in parts if part).encode("utf-8")


# --------------------------------------------------------------------------- documents


def cover_document(course: t.Course, msg: Messages) -> Document:
    body = render_template(
        course,
        "epub/cover.xhtml.j2",
        config=course.config,
        msg=msg,
        edition=edition_label(course, msg),
        date=source_date(course).date().isoformat(),
    )
    return Document("cover.xhtml", msg("cover"), body, "frontmatter", landmark="cover")


def lesson_file(number: int) -> str:
    return f"lesson-{number:02d}.xhtml"


def body_documents(
    course: t.Course, outline: Outline, writer: EpubWriter, cover: Document
) -> Iterator[Document]:
    """``cover``, then one document per lesson, then glossary, media index and (learner
    edition, when asked) the answer key, each made when the one before is written."""
    yield cover
    back = {
        GLOSSARY: ("glossary.xhtml", "glossary"),
        MEDIA_INDEX: ("media-index.xhtml", "appendix"),
        ANSWER_KEY: (ANSWERS_FILE, "appendix"),
    }
    yield from split_course(outline, writer, lesson_file, back, appendix_html)


def document_item(
    course: t.Course, doc: Document, page: Callable[..., str], scratch: _Scratch
) -> epub.EpubItem:
    """``doc`` as an XHTML document of the book (``page``: its template), waiting in
    ``scratch``."""
    text = page(
        language=course.config.language,
        title=doc.title,
        matter=doc.matter,
        body=Markup(doc.body),
    )
    uid = f"doc-{Path(doc.file).stem}"
    item = scratch.item(uid, doc.file, "application/xhtml+xml", text.encode())
    item.properties = ["svg"] if "<svg" in doc.body else []
    return item


def top_headings(lesson: t.Lesson, writer: EpubWriter) -> list[tuple[str, str]]:
    """(anchor, text) of the lesson's top-level headings of level 1."""

    def found() -> list[tuple[str, str]]:
        return [
            (b.anchor, t.plain_text(b.children))
            for b in lesson.blocks
            if isinstance(b, t.Heading) and b.level == 1
        ]

    edition = writer.course.edition or ""
    return lesson_data(writer.fragments, lesson, edition, "toc", list[tuple[str, str]], found)


def table_of_contents(outline: Outline, writer: EpubWriter, documents: list[Document]) -> list:
    """Modules > lessons > the lessons' top-level headings, then the back matter.

    NCX entries get numbered ids: an anchor is not always a valid XML name."""
    uids = (f"toc-{n}" for n in itertools.count(1))
    toc: list = []
    for part in outline.parts:
        lessons: list = []
        for lesson in part.lessons:
            file = writer.files.chapters[lesson.id]
            title = lesson_title(lesson)
            headings = [
                epub.Link(f"{file}#{anchor}", text, next(uids))
                for anchor, text in top_headings(lesson, writer)
            ]
            if headings:
                lessons.append((epub.Section(title, file), headings))
            else:
                lessons.append(epub.Link(file, title, next(uids)))
        first = writer.files.chapters[part.lessons[0].id]
        toc.append((epub.Section(part.title, first), lessons))
    toc += [
        epub.Link(doc.file, doc.title, next(uids))
        for doc in documents
        if doc.matter == "backmatter"
    ]
    return toc
