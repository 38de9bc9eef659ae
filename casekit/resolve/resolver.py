"""The resolve pass: global anchors, numbering, media registration, links.

After this pass every node carries what renderers need (numbers, anchors,
``MediaItem``s, ``InternalTarget``s); renderers compute none of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from casekit import tree as t
from casekit.config.settings import config_field_line
from casekit.diagnostics import Diagnostics
from casekit.files.cache import BuildCache
from casekit.files.limits import over_4gib
from casekit.files.portable_names import name_problem
from casekit.resolve.layout import PAYLOAD, bundle_name
from casekit.resolve.lazy import LazyLesson, sites_of
from casekit.resolve.media import MediaError, Probe, cached_probe, probe
from casekit.resolve.sites import (
    NUMBERED,
    AnchorSite,
    LinkSite,
    MediaSite,
    Resolution,
    apply,
)
from casekit.resolve.vtt import VttError, parse_vtt
from casekit.safety.paths import (
    SAFE_SCHEMES,
    PathEscape,
    RememberedPaths,
    is_url,
    resolve_inside,
)
from casekit.safety.sourcetext import read_source_text

HOURS_PER_CREDIT = 30
NUMBERED_KINDS = frozenset(kind.__name__.lower() for kind in NUMBERED)


class Resolver:
    def __init__(
        self,
        course: t.Course,
        diags: Diagnostics,
        cache: BuildCache | None = None,
        hash_media: bool = True,
        begun: Callable[[Path], Probe | None] | None = None,
    ) -> None:
        self.course = course
        self.begun = begun
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
        self.paths = RememberedPaths(self.root)
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

    def answer_anchor(self, lesson: t.Lesson, module: t.Module, site: AnchorSite) -> list[str]:
        """The anchor (a numbered block: number, anchor, and one per question) of a site."""
        if site.kind == "id":
            self.anchor(lesson, site.local, site.pos, True)
            return []
        if site.kind not in NUMBERED_KINDS:
            return [self.anchor(lesson, site.local, site.pos, site.explicit)]
        number = self.module_number(module, site.kind)
        local = site.local or f"{site.kind}-{number}"
        answer = [number, self.anchor(lesson, local, site.pos, site.explicit)]
        for index, pos in enumerate(site.questions, start=1):
            answer.append(self.anchor(lesson, f"{local}-q{index}", pos, False))
        return answer

    def module_number(self, module: t.Module, kind: str) -> str:
        """Figures, tables, quizzes, ... are numbered per module: "2.3"."""
        key = f"{module.index}:{kind}"
        self.counts[key] += 1
        return f"{module.index}.{self.counts[key]}"

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
        try:
            real, rel = self.paths.written_in(lesson.path, src)
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
        found = self.begun(real) if self.begun is not None else None
        return found or cached_probe(real, rel, self.cache)

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

    def answer_media(
        self, lesson: t.Lesson, module: t.Module, site: MediaSite, codes: dict[str, int]
    ) -> t.MediaItem | None:
        if site.site == "block":
            if not site.title.strip():
                self.diags.warning(
                    site.pos, f"{site.kind} {site.src} has no title", "media-no-title"
                )
            item = self.register(lesson, site.src, site.pos, site.kind, site.title)
            if item is not None and not item.code:
                letter = "V" if item.kind == "video" else "A"
                key = f"{letter}{module.index}"
                codes[key] = codes.get(key, 0) + 1
                item.code = f"{key}.{codes[key]}"
                item.title = item.title or site.title
            return item
        if not site.alt.strip():
            hint = ": write ![description](...)" if site.site == "figure" else ""
            self.diags.error(site.pos, f"image {site.src} has no alt text{hint}", "image-no-alt")
        return self.register(lesson, site.src, site.pos, "image")

    # ---------------------------------------------------------------- links

    def answer_link(self, lesson: t.Lesson, site: LinkSite) -> tuple[str, t.InternalTarget | None]:
        """The link's href (emptied when refused) and its target in the course."""
        pos = site.pos
        href = site.href.strip()
        if not href:
            self.diags.error(pos, "link has no target", "link-empty")
            return site.href, None
        if is_url(href):
            lowered = href.lower()
            if not lowered.startswith(SAFE_SCHEMES):
                self.diags.error(pos, f"link scheme not allowed: {href[:40]!r}", "link-scheme")
                return "", None
            elif not lowered.startswith("mailto:"):
                self.diags.warning(
                    pos, f"external link {href} does not work for offline learners", "external-link"
                )
            return site.href, None
        path, _, fragment = href.partition("#")
        if not path:
            target_lesson = lesson
        else:
            try:
                real, rel = self.paths.written_in(lesson.path, path)
            except PathEscape as exc:
                self.diags.error(pos, f"link {href!r} is refused: {exc}", "path-escape")
                return "", None
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
                return site.href, None
            target_lesson = found
        anchor = None
        if fragment:
            anchor = self.anchors.get(target_lesson.id, {}).get(unquote(fragment))
            if anchor is None:
                self.diags.error(
                    pos, f"no heading or id '#{fragment}' in {target_lesson.path}", "anchor-broken"
                )
                return site.href, None
        return site.href, t.InternalTarget(target_lesson.id, anchor)

    # ---------------------------------------------------------------- course

    def run(self) -> dict[str, Resolution]:
        """Answer every lesson's sites, in course order, and write the answers into the
        lessons (an unread lesson takes them when read); returns them by lesson id."""
        sites = {lesson.id: sites_of(lesson) for lesson in self.course.lessons()}
        answers: dict[str, Resolution] = {}
        for module in self.course.modules:
            module.id = f"module-{module.index}"
            self.used_anchors.add(module.id)
            for index, lesson in enumerate(module.lessons, start=1):
                self.used_anchors.add(lesson.id)
                found = Resolution(f"{module.index}.{index}")
                found.anchors = [
                    self.answer_anchor(lesson, module, site) for site in sites[lesson.id].anchors
                ]
                answers[lesson.id] = found
        codes: dict[str, int] = {}
        for module in self.course.modules:
            for lesson in module.lessons:
                found, own = answers[lesson.id], sites[lesson.id]
                found.media = [self.answer_media(lesson, module, s, codes) for s in own.media]
                found.links = [self.answer_link(lesson, s) for s in own.links]
        for lesson in self.course.lessons():
            if isinstance(lesson, LazyLesson):
                lesson.resolved(answers[lesson.id])
            else:
                apply(lesson, answers[lesson.id])
        self.course.media = list(self.media.values())
        self.check_credits()
        return answers

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
    course: t.Course,
    diags: Diagnostics,
    cache: BuildCache | None = None,
    hash_media: bool = True,
    begun: Callable[[Path], Probe | None] | None = None,
) -> dict[str, Resolution]:
    """Fill in anchors, numbers, media and link targets of ``course`` in place, and
    return them by lesson id. ``hash_media=False`` (``casekit check``) leaves media
    hashes empty: checking a course never reads its videos through. ``begun``: a probe of
    the file begun earlier, once ended (``render/resample.Prefit``; ``None``: none, or it
    refused the file, which is then probed again to be reported)."""
    return Resolver(course, diags, cache, hash_media, begun).run()
