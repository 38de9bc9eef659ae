"""Rendered lessons, cached by content, so that editing one lesson re-renders only it.

A writer renders a lesson from the resolved lesson and from what is the same for every
lesson of one job: casekit's code, the course's files other than its lessons (settings,
messages, templates, media), the format, its options and the edition. ``Fragments``
keeps each rendered lesson under a digest of all of that:

- the resolved lesson: the digest ``build/course.py`` gives it, of its source (the
  parsed lesson's cache key) and of everything resolve answered for it (``Resolution``:
  numbers, anchors, link targets, media with their SHA-256), so a lesson whose number
  or link target moved because another lesson changed is rendered again, and an
  unchanged one is never read (``resolve/lazy.py``);
- the job's ``context`` (``build/pipeline.py`` makes it);
- ``parts``: whatever else the writer read (its class, heading level, the EPUB's
  chapter and media files).

A writer that looks things up in a large table that any lesson can change (the EPUB:
which chapter holds which id) does it through ``Lookups``: the answers it got are kept
with the fragment, which is used again only while the table gives the same answers.
A rebuild therefore reads back exactly the bytes rendering would give. Entries are text
in the build cache (``files/cache.py``): nothing in them is run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casekit import tree as t
from casekit.files import typed_json
from casekit.files.cache import (
    BuildCache,
    code_fingerprint,
    digest,
    files_fingerprint,
    tree_fingerprint,
)
from casekit.render.builtin import builtin_templates


def casekit_fingerprint(cache: BuildCache | None = None) -> str:
    """casekit itself as every output depends on it: its code, its templates, and
    SOURCE_DATE_EPOCH (stamped into outputs)."""
    return digest(
        code_fingerprint(),
        tree_fingerprint(builtin_templates(), cache),
        os.environ.get("SOURCE_DATE_EPOCH", ""),
    )


def lessons_context(casekit_fp: str, course_files: list[tuple[str, str]], course: t.Course) -> str:
    """What every lesson is rendered with: casekit, and the course's files (``file_digests``)
    but the lessons' own (a lesson counts through its digest instead)."""
    apart = {lesson.path for lesson in course.lessons()}
    return digest(casekit_fp, files_fingerprint([f for f in course_files if f[0] not in apart]))


def _packed(text: str, answers: dict[str, str]) -> bytes:
    """A text fragment as its cache entry: the ``Lookups`` answers it was rendered with
    (typed JSON, one line), then the text itself (a long lesson's markup read back as
    a JSON string costs more than as UTF-8)."""
    return typed_json.encode(answers) + b"\n" + text.encode("utf-8")


def _unpacked(entry: bytes) -> tuple[str, dict[str, str]] | None:
    """``(text, answers)`` of an entry; ``None`` for one that is not a text fragment."""
    head, newline, body = entry.partition(b"\n")
    try:
        answers = typed_json.decode(head, dict[str, str])
        return (body.decode("utf-8"), answers) if newline else None
    except (typed_json.TypedJsonError, UnicodeDecodeError):
        return None


@dataclass
class Lookups:
    """A table looked up while rendering, recording what was asked (missing: "")."""

    table: dict[str, str]
    asked: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        self.asked[key] = self.table.get(key, "")
        return self.asked[key]

    def same(self, answers: dict[str, str]) -> bool:
        return all(self.table.get(key, "") == value for key, value in answers.items())


@dataclass
class Fragments:
    """The fragment cache of one job (format x edition) of a build."""

    cache: BuildCache
    job: str  # "html:learner": how ``CacheStats.rendered`` names it
    context: str
    #: the resolved lessons' digests by id (``Course.digests``; an edition's lessons are
    #: derived from them, and the edition is part of every key)
    digests: dict[str, str]

    def key(self, lesson: t.Lesson, edition: str, parts: tuple[str, ...]) -> str | None:
        """The cache key of ``lesson`` of ``edition`` rendered with ``parts`` (``None``:
        the lesson is not of this build, so not cached)."""
        known = self.digests.get(lesson.id)
        return None if known is None else digest("fragment", self.context, edition, known, *parts)

    def data(
        self,
        lesson: t.Lesson,
        edition: str,
        parts: tuple[str, ...],
        render: Callable[[], bytes],
        usable: Callable[[bytes], bool] = lambda data: True,
    ) -> bytes:
        """``text`` for a writer whose fragments are bytes (the DOCX: XML and what it
        numbers), kept raw; ``usable`` refuses a cached entry the writer cannot use."""
        key = self.key(lesson, edition, parts)
        if key is None:
            return render()
        cached = self.cache.load("fragment", key, bytes)
        if cached is not None and usable(cached):
            return cached
        data = render()
        self.cache.stats.rendered.append(f"{self.job} {parts[0]} {lesson.id}")
        self.cache.store("fragment", key, data)
        return data

    def text(
        self,
        lesson: t.Lesson,
        edition: str,
        parts: tuple[str, ...],
        render: Callable[[], str],
        lookups: Lookups | None = None,
    ) -> str:
        """``render()``'s text for ``lesson`` of ``edition``: from the cache when this
        lesson was rendered with the same ``parts`` (and ``lookups`` answering the same)
        before, else rendered and kept."""
        found: list[str] = []

        def usable(entry: bytes) -> bool:
            cached = _unpacked(entry)
            if cached is None:
                self.cache.stats.rejected += 1  # not a text fragment: rendered again
                return False
            if lookups is not None and not lookups.same(cached[1]):
                return False
            found.append(cached[0])
            return True

        def rendered() -> bytes:
            if lookups is not None:
                lookups.asked = {}
            found.append(render())
            return _packed(found[-1], lookups.asked if lookups else {})

        self.data(lesson, edition, parts, rendered, usable)
        return found[-1]


def lesson_data(
    fragments: Fragments | None,
    lesson: t.Lesson,
    edition: str,
    name: str,
    expected: Any,
    compute: Callable[[], Any],
) -> Any:
    """``compute()`` (data of type ``expected`` drawn from one lesson, e.g. its search
    entries), kept in the fragment cache under ``name`` like a rendered lesson, so that
    an unchanged lesson is not read to find it again (``resolve/lazy.py``). An entry
    that is not of that type is computed again (``typed_json``)."""
    if fragments is None:
        return compute()
    found: list[Any] = []

    def usable(raw: bytes) -> bool:
        try:
            found.append(typed_json.decode(raw, expected))
        except typed_json.TypedJsonError:
            return False
        return True

    raw = fragments.data(lesson, edition, (name,), lambda: typed_json.encode(compute()), usable)
    return found[0] if found else typed_json.decode(raw, expected)
