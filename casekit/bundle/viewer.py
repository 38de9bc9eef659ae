"""The offline viewer: ``index.html`` and its assets, opened from ``file://``.

Lessons are rendered by ``HtmlWriter`` into one page whose script shows one
lesson at a time; without JavaScript the page still reads top to bottom.
Data the script needs ships as ``.js`` because ``file://`` pages cannot fetch
JSON. Nothing refers to a remote resource, and the page's CSP forbids it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import overload

from markupsafe import Markup

from casekit import tree as t
from casekit.bundle import APPROVALS, MANIFEST_SCRIPT, METADATA_FILES, VIEWER_ASSETS
from casekit.bundle.capacity import human
from casekit.files.atomic import TEMP_PREFIX
from casekit.files.cache import BuildCache
from casekit.files.portable_names import AUTORUN_NAMES, EXECUTABLE_SUFFIXES
from casekit.messages import course_messages
from casekit.render.common import lesson_title, source_date
from casekit.render.fragments import Fragments, lesson_data
from casekit.render.html import HtmlWriter, attr
from casekit.render.narration import narrate
from casekit.render.outline import ANSWER_KEY, GLOSSARY, MEDIA_INDEX, course_outline
from casekit.render.page import appendix_html, render_template, template_parts
from casekit.render.sentences import mark_sentences
from casekit.render.templates import template_path
from casekit.safety.paths import resolve_inside

#: template (under templates/) -> where the viewer keeps it in the bundle
STATIC_ASSETS = {
    "html/style.css": f"{VIEWER_ASSETS}/style.css",
    "viewer/viewer.css": f"{VIEWER_ASSETS}/viewer.css",
    "viewer/viewer.js": f"{VIEWER_ASSETS}/viewer.js",
    "viewer/verify.js": f"{VIEWER_ASSETS}/verify.js",
    "viewer/sha256.js": f"{VIEWER_ASSETS}/sha256.js",
    "fonts/DejaVuSans.ttf": f"{VIEWER_ASSETS}/fonts/DejaVuSans.ttf",
    "fonts/DejaVuSans-Bold.ttf": f"{VIEWER_ASSETS}/fonts/DejaVuSans-Bold.ttf",
}
COURSE_SCRIPT = f"{VIEWER_ASSETS}/course.js"
#: where the bundle keeps the spoken lessons (``--narrate``)
NARRATION = "data/narration"
#: every script a viewer page may load, by its exact path (see render/active_content.py)
VIEWER_SCRIPTS = frozenset(
    (
        COURSE_SCRIPT,
        MANIFEST_SCRIPT,
        f"{VIEWER_ASSETS}/viewer.js",
        f"{VIEWER_ASSETS}/verify.js",
        f"{VIEWER_ASSETS}/sha256.js",
    )
)
#: the files of verify.html (role "verifier" in the manifest; the rest are "viewer")
VERIFIER_FILES = frozenset(
    ("verify.html", f"{VIEWER_ASSETS}/verify.js", f"{VIEWER_ASSETS}/sha256.js")
)
#: verify.html hashes larger files in slices instead of whole with Web Crypto
WHOLE_FILE_LIMIT = 256 * 1024 * 1024


@dataclass(frozen=True)
class EditionLink:
    path: str  # in the bundle
    format: str  # pdf, epub, docx, html
    edition: str  # learner, teacher
    size: int

    @property
    def size_text(self) -> str:
        return human(self.size)


class ViewerWriter(HtmlWriter):
    """Media play in the page: HTML5 players with the WebVTT captions and the transcript."""

    def __init__(self, course: t.Course, fragments: Fragments | None = None) -> None:
        super().__init__(course, fragments)
        self.root = Path(course.root)

    def image_src(self, item: t.MediaItem) -> str:
        return item.bundle_path

    def media(self, block: t.MediaBlock) -> str:
        item = block.media
        if item is None:
            return self.media_figure(block, player="")
        tag = "video" if item.kind == "video" else "audio"
        return self.media_figure(
            block,
            player=(
                f'<{tag} class="player" controls="controls" preload="metadata"'
                f' src="{attr(item.bundle_path)}">{self.captions(item)}</{tag}>\n'
            ),
        )

    def captions(self, item: t.MediaItem) -> str:
        """A captions track; a data: URL, because file:// pages may not load a .vtt file."""
        if item.transcript is None:
            return ""
        real, _ = resolve_inside(self.root, item.transcript.path)
        data = base64.b64encode(real.read_bytes()).decode("ascii")
        language = self.course.config.language
        return (
            f'<track kind="captions" srclang="{language}" label="{attr(self.msg("transcript"))}"'
            f' src="data:text/vtt;base64,{data}" default="default"/>'
        )


def _block_text(block: t.Block) -> str:
    parts: list[str] = []
    for inner in t.iter_blocks([block]):
        parts.extend(t.plain_text(seq) for seq in t.block_inlines(inner))
        if isinstance(inner, t.CodeBlock):
            parts.append(inner.text)
        elif isinstance(inner, t.Figure):
            parts.append(inner.alt)
        elif isinstance(inner, t.MediaBlock):
            parts.append(inner.title)
            if inner.media is not None:
                parts.append(inner.media.code)
                if inner.media.transcript is not None:
                    parts.append(inner.media.transcript.text)
    return " ".join(p for p in parts if p)


def search_entries(
    course: t.Course, fragments: Fragments | None = None
) -> Iterator[dict[str, str]]:
    """One entry per lesson section (split at top-level headings) with its plain text,
    a lesson's entries made when the one before has been taken."""
    edition = course.edition or ""
    for lesson in course.lessons():
        yield from lesson_data(
            fragments,
            lesson,
            edition,
            "search",
            list[dict[str, str]],
            lambda lesson=lesson: _lesson_entries(lesson),
        )


def _lesson_entries(lesson: t.Lesson) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    label = lesson_title(lesson)
    current = {"anchor": lesson.anchor, "lesson": label, "title": label, "text": ""}
    texts = [label]
    blocks = list(lesson.blocks) + [b for note in lesson.footnotes for b in note.blocks]
    for block in blocks:
        if isinstance(block, t.Heading) and block in lesson.blocks:
            entries.append({**current, "text": " ".join(texts)})
            title = t.plain_text(block.children)
            current = {"anchor": block.anchor, "lesson": label, "title": title, "text": ""}
            texts = [title]
        else:
            texts.append(_block_text(block))
    entries.append({**current, "text": " ".join(texts)})
    return [e for e in entries if e["text"]]


def media_anchors(course: t.Course, fragments: Fragments | None = None) -> dict[str, str]:
    """Short code -> anchor of the media block that first shows it."""
    anchors: dict[str, str] = {}
    edition = course.edition or ""
    for lesson in course.lessons():
        if not lesson.holds(t.MediaBlock):
            continue

        def found(lesson: t.Lesson = lesson) -> list[tuple[str, str]]:
            return [
                (block.media.code, block.anchor)
                for block in t.iter_blocks(lesson.blocks)
                if isinstance(block, t.MediaBlock) and block.media and block.media.code
            ]

        codes = lesson_data(fragments, lesson, edition, "codes", list[tuple[str, str]], found)
        for code, anchor in codes:
            anchors.setdefault(code, anchor)
    return anchors


def _script_parts(
    name: str, data: object, lists: dict[str, Iterable[object]] | None = None
) -> Iterator[str]:
    """``window.<name> = <data as JSON>;``. The ``lists`` join ``data`` (a dict) as arrays
    under their keys, encoded an item at a time: the text of every lesson (the search
    data) is never whole in memory."""
    yield f"window.{name} = "
    if lists:
        assert isinstance(data, dict)
        # each list goes where an empty one is encoded: the keys are sorted, and no
        # string holds an unescaped quote, so ``"key":[]`` is nowhere else
        text = _JSON.encode({**data, **dict.fromkeys(lists, [])})
        for key in sorted(lists):
            empty = f"{_JSON.encode(key)}:[]"
            before, _, text = text.partition(empty)
            yield before + empty[:-1]
            for index, item in enumerate(lists[key]):
                yield ("," if index else "") + _JSON.encode(item)
            yield "]"
        yield text
    else:
        yield from _JSON.iterencode(data)
    yield ";\n"


_JSON = json.JSONEncoder(ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def _script(name: str, data: object) -> bytes:
    return "".join(_script_parts(name, data)).encode("ascii")


def manifest_script(manifest: bytes) -> bytes:
    """verify.html's copy of manifest.json (the exact text, so its hash can be checked)."""
    return _script("CASEKIT_MANIFEST_JSON", manifest.decode("utf-8"))


def _render(
    course: t.Course, name: str, context: dict[str, object], extra: frozenset[str] = frozenset()
) -> bytes:
    scripts = VIEWER_SCRIPTS | extra
    return render_template(course, name, scripts=scripts, **context).encode("utf-8")


def _written(folder: Path | None, name: str, chunks: Iterable[bytes]) -> bytes | Path:
    """``chunks`` as bytes, or with a ``folder`` written into the file ``name`` there
    chunk by chunk."""
    if folder is None:
        return b"".join(chunks)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.writelines(chunks)
    return path


def _utf8(parts: Iterable[str]) -> Iterator[bytes]:
    return (part.encode("utf-8") for part in parts)


@dataclass
class _Page:
    """A lesson's page of the viewer, rendered when the template shows it."""

    lesson: t.Lesson
    module: str
    previous: t.Lesson | None
    next: t.Lesson | None
    make: Callable[[], tuple[str, str]]  # its markup and its "listen" control
    made: tuple[Markup, Markup] | None = None

    @property
    def html(self) -> Markup:
        return self._made()[0]

    @property
    def listen(self) -> Markup:
        return self._made()[1]

    def _made(self) -> tuple[Markup, Markup]:
        if self.made is None:
            html, listen = self.make()
            self.made = Markup(html), Markup(listen)
        return self.made


class _Pages(Sequence[_Page]):
    """The lesson pages in order, each made anew when asked for and dropped once shown:
    never all in memory."""

    def __init__(self, pages: list[Callable[[], _Page]]) -> None:
        self.pages = pages

    def __len__(self) -> int:
        return len(self.pages)

    @overload
    def __getitem__(self, index: int) -> _Page: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[_Page]: ...
    def __getitem__(self, index: int | slice) -> _Page | Sequence[_Page]:
        if isinstance(index, slice):
            return [page() for page in self.pages[index]]
        return self.pages[index]()


def verify_context() -> dict[str, object]:
    """What verify.js needs besides its labels (verify-attributes.j2): the stick's
    verify.html and the facility's page (``casekit verifier-page``) share it."""
    return {
        "manifest_script": MANIFEST_SCRIPT,
        "metadata": sorted(METADATA_FILES),
        "approvals": APPROVALS,
        "whole_file_limit": WHOLE_FILE_LIMIT,
        "temporary_prefix": TEMP_PREFIX,
        "runnable_suffixes": sorted(EXECUTABLE_SUFFIXES),
        "autorun_names": sorted(AUTORUN_NAMES),
    }


def narrated_lesson(
    course: t.Course, lesson: t.Lesson, html: str, cache: BuildCache | None
) -> tuple[str, str, bytes]:
    """``html`` with its sentences marked, the "listen" control, and the lesson's audio
    (kept at ``NARRATION/<lesson-id>.ogg``); the control is "" when nothing is read."""
    marked, sentences = mark_sentences(html, f"{lesson.anchor}-sentence-")
    if not sentences:
        return html, "", b""
    msg = course_messages(course.config)
    spoken = narrate(sentences, course.config.language, msg, cache)
    clips = json.dumps([[c.id, c.begin, c.end] for c in spoken.clips], separators=(",", ":"))
    control = (
        f'<p class="listen"><button type="button" class="listen-button" aria-pressed="false"'
        f' data-audio="{attr(f"{NARRATION}/{lesson.id}.ogg")}" data-clips="{attr(clips)}"'
        f' data-listen="{attr(msg("listen"))}" data-pause="{attr(msg("pause"))}">'
        f"{escape(msg('listen'))}</button></p>\n"
    )
    return marked, control, spoken.audio


def viewer_files(
    course: t.Course,
    editions: list[EditionLink],
    narrate_lessons: bool = False,
    cache: BuildCache | None = None,
    fragments: Fragments | None = None,
    extra_scripts: dict[str, bytes] | None = None,
    verifier: bool = True,
    folder: Path | None = None,
) -> dict[str, bytes | Path]:
    """Every file of the viewer (pages, styles, scripts, fonts, with ``narrate_lessons``
    the lessons' audio) by its path in the bundle; lesson pages kept as ``fragments``
    by earlier builds are taken from them. ``extra_scripts`` (path -> bytes) load after the viewer's own (the
    SCORM runtime); ``verifier=False`` leaves out ``verify.html`` (a package without the
    bundle's manifest). With a ``folder`` (the bundle's), the two files that grow with
    the course (the page of every lesson, the search data) are written in their places
    there part by part, never whole in memory, and given as their paths; else every
    file is bytes."""
    extra_scripts = extra_scripts or {}
    writer = ViewerWriter(course, fragments)
    msg = writer.msg
    outline = course_outline(course, msg)
    placed = [(part, lesson) for part in outline.parts for lesson in part.lessons]
    lessons = [lesson for _part, lesson in placed]
    audio: dict[str, bytes | Path] = {}

    def made(lesson: t.Lesson) -> tuple[str, str]:
        html, listen = writer.lesson(lesson, level=2), ""
        if narrate_lessons:
            html, listen, sound = narrated_lesson(course, lesson, html, cache)
            if sound:
                name = f"{NARRATION}/{lesson.id}.ogg"
                audio[name] = _written(folder, name, [sound])
        return html, listen

    def page(index: int) -> Callable[[], _Page]:
        part, lesson = placed[index]
        previous = lessons[index - 1] if index > 0 else None
        following = lessons[index + 1] if index + 1 < len(lessons) else None
        return lambda: _Page(lesson, part.title, previous, following, lambda: made(lesson))

    titles = {lesson.id: Markup(writer.inlines(lesson.title)) for lesson in lessons}
    context = {
        "course": course,
        "config": course.config,
        "msg": msg,
        "date": source_date(course).date().isoformat(),
        "pages": _Pages([page(index) for index in range(len(placed))]),
        "titles": titles,
        # the back matter of the outline, by the name the template gives each section
        **{
            name: Markup(appendix_html(course, writer, key, 2) if outline.has(key) else "")
            for name, key in (
                ("glossary", GLOSSARY),
                ("media_index", MEDIA_INDEX),
                ("answer_key", ANSWER_KEY),
            )
        },
        "editions": editions,
        "assets": VIEWER_ASSETS,
        "course_script": COURSE_SCRIPT,
        "extra_scripts": list(extra_scripts),  # in the order given
        "verifier": verifier,
        **verify_context(),
    }
    scripts = VIEWER_SCRIPTS | frozenset(extra_scripts)
    index = template_parts(course, "viewer/index.html.j2", scripts=scripts, **context)
    data = {
        "codes": media_anchors(course, fragments),
        "labels": {
            "no_results": msg("no_results"),
            "code_not_found": msg("code_not_found", code="{code}"),
        },
    }
    search = {"search": search_entries(course, fragments)}
    files: dict[str, bytes | Path] = {
        "index.html": _written(folder, "index.html", _utf8(index)),
        COURSE_SCRIPT: _written(
            folder, COURSE_SCRIPT, _utf8(_script_parts("CASEKIT_COURSE", data, search))
        ),
    }
    if verifier:
        files["verify.html"] = _render(course, "viewer/verify.html.j2", context)
    for name, target in STATIC_ASSETS.items():
        if verifier or target not in VERIFIER_FILES:
            files[target] = template_path(course, name).read_bytes()
    return files | audio | extra_scripts
