"""The resolve pass: global anchors, numbering, media registration, links.

After this pass every node carries what renderers need (numbers, anchors,
``MediaItem``s, ``InternalTarget``s); renderers compute none of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from casekit import tree as t
from casekit.config.settings import config_field_line
from casekit.diagnostics import Diagnostics
from casekit.files.cache import BuildCache, file_digest
from casekit.files.limits import over_4gib
from casekit.files.portable_names import name_problem
from casekit.resolve.layout import PAYLOAD, bundle_name
from casekit.resolve.media import MediaError, Probe, probe
from casekit.resolve.vtt import VttError, parse_vtt
from casekit.safety.paths import SAFE_SCHEMES, PathEscape, is_url, resolve_inside
from casekit.safety.sourcetext import read_source_text

HOURS_PER_CREDIT = 30


def slugify(text: str) -> str:
    """Pandoc-style identifier: lower case, letters/digits kept (any script), spaces to '-'."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w\s.-]", "", text, flags=re.UNICODE)
    text = re.sub(r"\s+", "-", text.strip())
    return text.strip("-.") or "section"


class Resolver:
    def __init__(
        self,
        course: t.Course,
        diags: Diagnostics,
        cache: BuildCache | None = None,
        hash_media: bool = True,
    ) -> None:
        self.course = course
        self.cache = cache
        self.hash_media = hash_media
        self.root = Path(course.root)
        self.diags = diags
        self.used_anchors: set[str] = set()
        self.suffixes: dict[str, int] = {}  # anchor base -> last number tried
        self.explicit_ids: dict[str, t.Pos] = {}
        self.anchors: dict[str, dict[str, str]] = {}  # lesson id -> local id -> global anchor
        self.lesson_by_path = {lesson.path: lesson for lesson in course.lessons()}
        self.media: dict[str, t.MediaItem] = {}
        self.bad_media: set[str] = set()
        self.counts: dict[str, int] = defaultdict(int)

    # ---------------------------------------------------------------- anchors

    def anchor(self, lesson: t.Lesson, local: str, pos: t.Pos, explicit: bool) -> str:
        """A globally unique anchor for ``local`` in ``lesson``; explicit ids must be unique."""
        if explicit:
            key = f"{lesson.id}#{local}"
            if key in self.explicit_ids:
                first = self.explicit_ids[key]
                self.diags.error(
                    pos,
                    f"duplicate id '#{local}' (first used at line {first.line})",
                    "duplicate-id",
                )
            self.explicit_ids[key] = pos
        base = f"{lesson.id}--{local}"
        n = self.suffixes.get(base, 1)  # resume counting: thousands of equal headings stay linear
        anchor = base if n == 1 else f"{base}-{n}"
        while anchor in self.used_anchors:
            n += 1
            anchor = f"{base}-{n}"
        self.suffixes[base] = n
        self.used_anchors.add(anchor)
        self.anchors.setdefault(lesson.id, {}).setdefault(local, anchor)
        return anchor

    def assign_anchors(self, lesson: t.Lesson, module: t.Module) -> None:
        self.used_anchors.add(lesson.id)
        lesson.anchor = lesson.id
        for block in t.iter_blocks(lesson.blocks):
            if isinstance(block, t.Heading):
                local = block.id or slugify(t.plain_text(block.children))
                block.anchor = self.anchor(lesson, local, block.pos, bool(block.id))
            elif isinstance(block, (t.Figure, t.Table, t.Quiz, t.Assignment, t.Exercise)):
                kind = type(block).__name__.lower()
                block.number = self.module_number(module, kind)
                local = block.id or f"{kind}-{block.number}"
                block.anchor = self.anchor(lesson, local, block.pos, bool(block.id))
                if isinstance(block, t.Quiz):
                    for index, question in enumerate(block.questions, start=1):
                        question.number = index
                        question.anchor = self.anchor(
                            lesson, f"{local}-q{index}", question.pos, False
                        )
            elif isinstance(block, t.MediaBlock):
                local = block.id or f"media-{block.pos.line}"
                block.anchor = self.anchor(lesson, local, block.pos, bool(block.id))
            elif isinstance(block, t.Glossary):
                for entry in block.entries:
                    local = "term-" + slugify(t.plain_text(entry.term))
                    entry.anchor = self.anchor(lesson, local, block.pos, False)
            elif isinstance(block, (t.Callout, t.Solution, t.Div)) and block.id:
                self.anchor(lesson, block.id, block.pos, True)

        refs_seen: dict[int, int] = defaultdict(int)
        notes = {note.number: note for note in lesson.footnotes}
        for note in lesson.footnotes:
            note.anchor = f"{lesson.id}--fn-{note.number}"
        for seq in self.inline_sequences(lesson):
            for node in t.iter_inlines(seq):
                if isinstance(node, t.FootnoteRef):
                    refs_seen[node.number] += 1
                    suffix = "" if refs_seen[node.number] == 1 else f"-{refs_seen[node.number]}"
                    node.anchor = f"{lesson.id}--fnref-{node.number}{suffix}"
                    note = notes.get(node.number)
                    node.note = note.anchor if note else ""
                    if note and not note.ref_anchor:
                        note.ref_anchor = node.anchor

    def module_number(self, module: t.Module, kind: str) -> str:
        """Figures, tables, quizzes, ... are numbered per module: "2.3"."""
        key = f"{module.index}:{kind}"
        self.counts[key] += 1
        return f"{module.index}.{self.counts[key]}"

    @staticmethod
    def inline_sequences(lesson: t.Lesson) -> list[list[t.Inline]]:
        seqs: list[list[t.Inline]] = [lesson.title]
        blocks = list(t.iter_blocks(lesson.blocks))
        for note in lesson.footnotes:
            blocks.extend(t.iter_blocks(note.blocks))
        for block in blocks:
            seqs.extend(t.block_inlines(block))
        return seqs

    # ---------------------------------------------------------------- media

    def register(
        self, lesson: t.Lesson, src: str, pos: t.Pos, kind: str, title: str = ""
    ) -> t.MediaItem | None:
        if is_url(src):
            if src.startswith(("http:", "https:")):
                self.diags.warning(
                    pos,
                    f"remote media {src} cannot be shown to offline learners; "
                    "copy the file into the course folder",
                    "remote-media",
                )
            else:
                self.diags.error(pos, f"media reference {src!r} is not allowed", "media-scheme")
            return None
        base = str(PurePosixPath(lesson.path).parent)
        try:
            # markdown-it percent-encodes URLs; the file name is the decoded form
            real, rel = resolve_inside(self.root, unquote(src), base)
        except PathEscape as exc:
            self.diags.error(pos, f"media path {src!r} is refused: {exc}", "path-escape")
            return None
        if rel in self.media:
            item = self.media[rel]
            if kind != "image" and item.kind == "image":
                self.diags.error(pos, f"{src} is an image, not {kind}", "media-kind")
            return item
        if rel in self.bad_media:
            return None
        if not real.is_file():
            self.bad_media.add(rel)
            self.diags.error(pos, f"media file not found: {rel}", "media-missing")
            return None
        try:
            found = self.probe(real, rel)
        except (MediaError, OSError) as exc:
            self.bad_media.add(rel)
            self.diags.error(pos, f"{rel}: {exc}", "media-invalid")
            return None
        too_large = over_4gib(found.size)
        if too_large:  # the usb format refuses it; say so before anything is built
            self.diags.warning(pos, f"{rel} is {too_large}", "file-too-large")
        media_rel = rel if rel.startswith("media/") else f"media/{rel}"
        bundle_path = f"{PAYLOAD}/{media_rel}"
        unportable = name_problem(bundle_name(self.course.config), bundle_path)
        if unportable:  # the usb format refuses it too
            self.diags.warning(pos, f"{rel} on a stick: {unportable}", "unportable-name")
        real_kind = t.FORMAT_KIND[found.format]
        if real_kind != kind and not (kind == "video" and real_kind == "audio"):
            self.diags.error(pos, f"{rel} is {real_kind}, used here as {kind}", "media-kind")
            return None
        # bundle_path: from the bundle's root, which is also what the QR code encodes
        base_url = self.course.config.media_base_url
        item = t.MediaItem(
            path=rel,
            kind=real_kind,  # type: ignore[arg-type]
            format=found.format,
            size=found.size,
            sha256=found.sha256,
            bundle_path=bundle_path,
            target_url=(base_url + bundle_path) if base_url else bundle_path,
            title=title,
            duration=found.duration,
            width=found.width,
            height=found.height,
            first_use=pos,
        )
        if real_kind in ("video", "audio"):
            item.transcript = self.transcript(real, rel, pos)
        self.media[rel] = item
        return item

    def probe(self, real: Path, rel: str) -> Probe:
        """``media.probe`` of a file, remembered by the cache while the file is unchanged."""
        if self.cache is None:
            return probe(real, hashed=self.hash_media)
        key = BuildCache.media_key(real)
        found = self.cache.load("probe", key, Probe)
        if found is None:
            found = probe(real, file_digest(real, self.cache))
            self.cache.stats.probed.append(rel)
            self.cache.store("probe", key, found)
        return found

    def transcript(self, real: Path, rel: str, pos: t.Pos) -> t.Transcript | None:
        vtt_rel = str(PurePosixPath(rel).with_suffix(".vtt"))
        try:
            vtt_real, vtt_rel = resolve_inside(self.root, vtt_rel)
        except PathEscape as exc:
            self.diags.warning(pos, f"transcript {vtt_rel} is refused: {exc}", "path-escape")
            return None
        if not vtt_real.is_file():
            return None
        text = read_source_text(vtt_real, vtt_rel, self.diags)
        if text is None:
            return None
        try:
            return t.Transcript(vtt_rel, parse_vtt(text))
        except VttError as exc:
            self.diags.error(vtt_rel, str(exc), "vtt-invalid", exc.line)
            return None

    def resolve_media(self, lesson: t.Lesson, module: t.Module, codes: dict[str, int]) -> None:
        for block in t.iter_blocks(lesson.blocks):
            if isinstance(block, t.Figure):
                if not block.alt.strip():
                    self.diags.error(
                        block.pos,
                        f"image {block.src} has no alt text: write ![description](...)",
                        "image-no-alt",
                    )
                block.media = self.register(lesson, block.src, block.pos, "image")
            elif isinstance(block, t.MediaBlock):
                if not block.title.strip():
                    self.diags.warning(
                        block.pos, f"{block.kind} {block.src} has no title", "media-no-title"
                    )
                item = self.register(lesson, block.src, block.pos, block.kind, block.title)
                block.media = item
                if item is not None and not item.code:
                    letter = "V" if item.kind == "video" else "A"
                    key = f"{letter}{module.index}"
                    codes[key] = codes.get(key, 0) + 1
                    item.code = f"{key}.{codes[key]}"
                    item.title = item.title or block.title
        for seq in self.inline_sequences(lesson):
            for node in t.iter_inlines(seq):
                if isinstance(node, t.InlineImage):
                    pos = node.pos or lesson.pos
                    if not node.alt.strip():
                        self.diags.error(pos, f"image {node.src} has no alt text", "image-no-alt")
                    node.media = self.register(lesson, node.src, pos, "image")

    # ---------------------------------------------------------------- links

    def resolve_links(self, lesson: t.Lesson) -> None:
        for seq in self.inline_sequences(lesson):
            for node in t.iter_inlines(seq):
                if isinstance(node, t.Link):
                    self.link(lesson, node)

    def link(self, lesson: t.Lesson, link: t.Link) -> None:
        pos = link.pos or lesson.pos
        href = link.href.strip()
        if not href:
            self.diags.error(pos, "link has no target", "link-empty")
            return
        if is_url(href):
            lowered = href.lower()
            if not lowered.startswith(SAFE_SCHEMES):
                self.diags.error(pos, f"link scheme not allowed: {href[:40]!r}", "link-scheme")
                link.href = ""
            elif not lowered.startswith("mailto:"):
                self.diags.warning(
                    pos, f"external link {href} does not work for offline learners", "external-link"
                )
            return
        path, _, fragment = href.partition("#")
        if not path:
            target_lesson = lesson
        else:
            base = str(PurePosixPath(lesson.path).parent)
            try:
                real, rel = resolve_inside(self.root, unquote(path), base)
            except PathEscape as exc:
                self.diags.error(pos, f"link {href!r} is refused: {exc}", "path-escape")
                link.href = ""
                return
            found = self.lesson_by_path.get(rel)
            if found is None:
                if rel.endswith(".md"):
                    self.diags.error(
                        pos,
                        f"link to {rel}, which is not a lesson "
                        "of this course (see modules in course.toml)",
                        "link-broken",
                    )
                elif real.exists():
                    self.diags.warning(
                        pos,
                        f"link to {rel}: only lessons can be "
                        "linked; the file is not carried into the outputs",
                        "link-file",
                    )
                else:
                    self.diags.error(pos, f"link to missing file {rel}", "link-broken")
                return
            target_lesson = found
        anchor = None
        if fragment:
            anchor = self.anchors.get(target_lesson.id, {}).get(unquote(fragment))
            if anchor is None:
                self.diags.error(
                    pos, f"no heading or id '#{fragment}' in {target_lesson.path}", "anchor-broken"
                )
                return
        link.target = t.InternalTarget(target_lesson.id, anchor)

    # ---------------------------------------------------------------- course

    def run(self) -> None:
        codes: dict[str, int] = {}
        for module in self.course.modules:
            module.id = f"module-{module.index}"
            self.used_anchors.add(module.id)
            for index, lesson in enumerate(module.lessons, start=1):
                lesson.number = f"{module.index}.{index}"
                self.assign_anchors(lesson, module)
        for module in self.course.modules:
            for lesson in module.lessons:
                self.resolve_media(lesson, module, codes)
                self.resolve_links(lesson)
        self.course.media = list(self.media.values())
        self.check_credits()

    def check_credits(self) -> None:
        credits = self.course.config.credits
        if credits is None:
            return
        lessons = self.course.lessons()
        missing = [lesson for lesson in lessons if lesson.hours is None]
        for lesson in missing:
            self.diags.warning(
                lesson.pos,
                "lesson has no 'hours:' in its front matter; credits cannot be checked",
                "lesson-hours",
            )
        total = sum(lesson.hours or 0 for lesson in lessons)
        expected = credits * HOURS_PER_CREDIT
        if expected and abs(total - expected) > 0.1 * expected:
            self.diags.warning(
                "course.toml",
                f"credits = {credits:g} means {expected:g} academic hours, but the "
                f"lessons add up to {total:g} hours (more than 10% apart)",
                "credits-mismatch",
                config_field_line(self.root, "credits"),
            )


def resolve(
    course: t.Course, diags: Diagnostics, cache: BuildCache | None = None, hash_media: bool = True
) -> None:
    """Fill in anchors, numbers, media and link targets of ``course`` in place.
    ``hash_media=False`` (``casekit check``) leaves media hashes empty: checking a course
    never reads its videos through."""
    Resolver(course, diags, cache, hash_media).run()
