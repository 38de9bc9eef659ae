"""Putting imported documents into a course: lesson files, media, ``course.toml``.

Everything is converted before anything is written, so a bad document leaves
the course as it was. ``--into`` edits ``course.toml`` with tomlkit, which keeps
the user's comments and layout.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import tomlkit

from casekit.config.scaffold import placeholder_text
from casekit.config.settings import BCP47, COURSE_FILE
from casekit.diagnostics import Diagnostics, error
from casekit.files.atomic import atomic_dir, write_bytes
from casekit.importer.ast import Node, nodes, plain_text
from casekit.importer.images import MediaSet
from casekit.importer.markdown import LessonWriter, Links
from casekit.importer.odt_styles import styled_divs
from casekit.importer.ooxml import (
    Finding,
    clean_docx,
    clean_odt,
    docx_properties,
    odt_pictures,
)
from casekit.importer.pandoc import read_ast
from casekit.importer.shape import Module, describe_pictures, shape
from casekit.importer.source import MACRO_PARTS, vet

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        (
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
            "a",
            "g",
            "q",
            "n",
            "o",
            "u",
            "u",
            "h",
            "i",
        ),  # fmt: skip
        strict=True,
    )
)


@dataclass
class ImportedLesson:
    path: str  # lessons/03-title.md
    text: str


@dataclass
class ImportedModule:
    title: str
    lessons: list[ImportedLesson]


@dataclass
class Imported:
    """What the documents become, before anything is written."""

    modules: list[ImportedModule] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    title: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    organisation: str = ""
    text_sample: list[str] = field(default_factory=list)


def slug(text: str, limit: int = 40) -> str:
    """An ASCII file name part from a (Kazakh, Russian, English) title."""
    lowered = "".join(TRANSLIT.get(c, c) for c in text.lower())
    ascii_only = re.sub(r"[^a-z0-9]+", "-", lowered).strip("-")
    return ascii_only[:limit].rstrip("-") or "lesson"


def detect_language(texts: list[str]) -> str:
    """kk when Kazakh letters appear, ru for other Cyrillic, else en."""
    text = " ".join(texts)
    if sum(c in KAZAKH_LETTERS for c in text) >= 3:
        return "kk"
    cyrillic = sum("а" <= c.lower() <= "я" for c in text)
    return "ru" if cyrillic > len(text) // 10 else "en"


def _meta_text(meta: dict, key: str) -> str:
    value = meta.get(key)
    if not value:
        return ""
    if value["t"] == "MetaList":
        return "; ".join(plain_text(item["c"]) for item in value["c"])
    return plain_text(value["c"])


def _findings_to(diags: Diagnostics, shown: str, findings: list[Finding]) -> None:
    for f in findings:
        where = f"paragraph {f.paragraph} «{f.snippet}»: " if f.paragraph else ""
        diags.warning(shown, where + f.message, f.code, max(f.paragraph, 1))


def convert(
    files: list[Path],
    split: bool,
    language: str | None,
    taken: set[str],
    diags: Diagnostics,
    first_number: int = 1,
    course: Path | None = None,
) -> tuple[Imported, str]:
    """Every document as lessons and media; ``taken``: lesson paths already in use."""
    imported = Imported()
    number = first_number
    pending: list[tuple[Path, list[Module], MediaSet, set[str]]] = []
    for path in files:
        shown = str(path)
        vetted = vet(path)
        for note in vetted.notes:
            diags.warning(shown, note, "import-macros")
        with tempfile.TemporaryDirectory(prefix="casekit-import-") as temp:
            keep = _not_macros
            source = path
            properties = {"title": "", "authors": "", "organisation": ""}
            if vetted.kind == "docx":
                source = Path(temp) / "document.docx"
                findings = clean_docx(path, source, keep)
                _findings_to(diags, shown, findings)
                properties = docx_properties(path)
                imported.organisation = imported.organisation or properties["organisation"]
                author = properties["authors"]
                if author and not imported.authors:
                    imported.authors = [a.strip() for a in author.split(";") if a.strip()]
            elif vetted.kind == "odt":
                source = Path(temp) / "document.odt"
                _findings_to(diags, shown, clean_odt(path, source, keep))
            ast = read_ast(source, vetted.reader, Path(temp) / "media")
            if vetted.kind == "odt":
                blocks = styled_divs(ast["blocks"])
                ast["blocks"] = describe_pictures(blocks, odt_pictures(path))
            title = _meta_text(ast["meta"], "title") or properties["title"] or path.stem
            if not imported.title:
                imported.title = title
                imported.subtitle = _meta_text(ast["meta"], "subtitle")
            author = _meta_text(ast["meta"], "author")
            if author and not imported.authors:
                imported.authors = [a.strip() for a in author.split(";") if a.strip()]
            shaped = shape(ast["blocks"], title, split)
            linked = _linked_anchors(ast["blocks"])
            for code, note in shaped.notes:
                diags.warning(shown, note, code)
            imported.text_sample.append(plain_text(ast["blocks"])[:20000])
            media = MediaSet(
                f"media/{slug(path.stem)}", path.parent, shown=shown, naming=slug, course=course
            )
            # pictures are read while the temporary folder exists
            for module in shaped.modules:
                for lesson in module.lessons:
                    _collect_images(lesson.blocks, media)
            pending.append((path, shaped.modules, media, linked))
    lang = language or detect_language(imported.text_sample)
    for path, modules, media, linked in pending:
        shown = str(path)
        paths: dict[int, str] = {}
        for module in modules:
            for lesson in module.lessons:
                candidate = f"lessons/{number:02d}-{slug(lesson.title)}.md"
                while candidate in taken:
                    number += 1
                    candidate = f"lessons/{number:02d}-{slug(lesson.title)}.md"
                taken.add(candidate)
                paths[id(lesson)] = candidate
                number += 1
        links = DocumentLinks(
            {path: lesson.own_id for module in modules for lesson in module.lessons
             for path in [paths[id(lesson)]]},
            {
                anchor: paths[id(lesson)]
                for module in modules
                for lesson in module.lessons
                for anchor in lesson.ids
            },
            media,
            linked,
        )  # fmt: skip
        for module in modules:
            out = ImportedModule(module.title, [])
            for lesson in module.lessons:
                here = paths[id(lesson)]
                writer = LessonWriter(links.of(here), lang)
                text = writer.lesson(lesson.title, lesson.blocks, lesson.outcomes, lesson.hours)
                for code, note in writer.notes:
                    diags.warning(shown, f"{here}: {note}", code)
                out.lessons.append(ImportedLesson(here, text))
            imported.modules.append(out)
        for note in media.notes:
            diags.warning(shown, note, "import-image")
        imported.media.update(media.files)
    return imported, lang


@dataclass
class DocumentLinks:
    """Where a document's anchors and pictures went once it was split into lessons."""

    own: dict[str, str]  # lesson path -> the id of the heading that became its title
    where: dict[str, str]  # anchor -> the lesson path that holds it
    media: MediaSet
    linked: set[str]  # anchors some link points to: written as {#id}

    def of(self, here: str) -> Links:
        def anchor(name: str) -> str | None:
            target = self.where.get(name)
            if target is None:
                return None
            if target == here:
                return "" if name == self.own[here] else f"#{name}"
            file = PurePosixPath(target).name
            return file if name == self.own[target] else f"{file}#{name}"

        def image(src: str) -> str | None:
            target = self.media.by_source.get(src)
            return f"../{target}" if target else None

        return Links(anchor, image, self.linked)


def _not_macros(part: str) -> bool:
    """Whether a package part is copied for pandoc: never macros or controls."""
    return not any(marker in part.lower() for marker in MACRO_PARTS)


def _linked_anchors(blocks: list[Node]) -> set[str]:
    """The ``#anchors`` the document's links point to."""
    return {link["c"][2][0][1:] for link in nodes(blocks, "Link") if link["c"][2][0][:1] == "#"}


def _collect_images(blocks: list[Node], media: MediaSet) -> None:
    for image in nodes(blocks, "Image"):
        media.add(image["c"][2][0], plain_text(image["c"][1]))


# ---------------------------------------------------------------- writing


def _course_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def new_course(
    folder: Path, files: list[Path], split: bool, language: str | None, diags: Diagnostics
) -> list[str]:
    """Create the course ``folder`` from ``files``; returns the lesson paths written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise error(
            str(folder),
            "folder exists and is not empty; choose a new folder or use --into",
            "new-not-empty",
        )
    imported, lang = convert(files, split, language, set(), diags)
    text = placeholder_text(lang)
    doc = tomlkit.document()
    doc["id"] = slug(folder.name, 64) if folder.name else "course"
    doc["title"] = imported.title or text["title"]
    if imported.subtitle:
        doc["subtitle"] = imported.subtitle
    doc["language"] = lang
    doc["version"] = "0.1.0"
    doc["date"] = _course_date()
    doc["organisation"] = imported.organisation or text["organisation"]
    doc["authors"] = imported.authors or [text["author"]]
    doc["licence"] = "CC BY-SA 4.0"
    modules = tomlkit.aot()
    for module in imported.modules:
        table = tomlkit.table()
        table["title"] = module.title
        table["lessons"] = [lesson.path for lesson in module.lessons]
        modules.append(table)
    doc["modules"] = modules
    with atomic_dir(folder) as temp:
        (temp / COURSE_FILE).write_text(tomlkit.dumps(doc), encoding="utf-8")
        _write_files(temp, imported)
    return [lesson.path for m in imported.modules for lesson in m.lessons]


def into_course(
    course: Path, files: list[Path], split: bool, module: int | None, diags: Diagnostics
) -> list[str]:
    """Add the lessons of ``files`` to the existing ``course``."""
    toml_path = course / COURSE_FILE
    try:
        doc = tomlkit.parse(toml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise error(str(toml_path), f"cannot be read or edited: {exc}", "config-syntax") from None
    language = doc.get("language")
    existing = doc.get("modules")
    if not (isinstance(language, str) and BCP47.match(language)) or not isinstance(existing, list):
        raise error(
            str(toml_path),
            "run casekit check first: language or modules are not valid",
            "config-value",
        )
    taken = {str(p) for m in existing for p in m.get("lessons", [])}
    taken |= {f"lessons/{p.name}" for p in (course / "lessons").glob("*.md")}
    first = len(taken) + 1
    imported, _lang = convert(files, split, str(language), taken, diags, first, course)
    if module is not None:
        if not 1 <= module <= len(existing):
            raise error(
                str(toml_path),
                f"there is no module {module} (the course has {len(existing)})",
                "config-value",
            )
        lessons = existing[module - 1]["lessons"]
        for m in imported.modules:
            for lesson in m.lessons:
                lessons.append(lesson.path)
    else:
        for m in imported.modules:
            existing[-1].add(tomlkit.nl())
            table = tomlkit.table()
            table["title"] = m.title
            table["lessons"] = [lesson.path for lesson in m.lessons]
            existing.append(table)
    for rel in [le.path for m in imported.modules for le in m.lessons]:
        if (course / rel).exists():
            raise error(str(course / rel), "exists already; nothing was imported", "import-exists")
    _write_files(course, imported)
    write_bytes(toml_path, tomlkit.dumps(doc).encode("utf-8"))
    return [lesson.path for m in imported.modules for lesson in m.lessons]


def _write_files(root: Path, imported: Imported) -> None:
    for rel, data in sorted(imported.media.items()):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        write_bytes(root / rel, data)
    for module in imported.modules:
        for lesson in module.lessons:
            (root / lesson.path).parent.mkdir(parents=True, exist_ok=True)
            write_bytes(root / lesson.path, lesson.text.encode("utf-8"))
