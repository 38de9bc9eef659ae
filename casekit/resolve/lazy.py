"""Lessons whose body is read only when something uses it.

Editing one lesson of forty should not decode the other thirty-nine trees from the
cache: resolving the course needs only their sites (``resolve/sites.py``), and the
HTML page, the EPUB and the viewer take unchanged lessons as rendered fragments
(``render/fragments.py``). A ``LazyLesson`` carries what is small (id, path, title,
hours, outcomes, number, which kinds of block it holds, its sites) and reads its
``blocks`` and ``footnotes`` on first use, resolved as the eager lesson would be: a
format that walks every block (PDF, DOCX) gets exactly the tree it always got.

A body read is kept while the bodies kept in this process come from at most
``KEPT.budget`` characters of Markdown (a parsed tree takes about 10 bytes per source
character; an edition's lessons share their source's tree and are counted with it); past
it, the body read last before is released and read again (from the build cache) when next
used. A build therefore holds at most the budget's trees, not the course's: memory stays
flat in the number of lessons, and a course within the budget (nearly every real one) is
kept whole and reads no lesson twice. Kept are those read first: a format that walks the
lessons in order finds them again, and reads again only what is past the budget, on every
walk (a clean PDF walks them several times: the 80-lesson benchmark course read 297
bodies again at a budget of 2 million characters, 3 s of CPU).

The budget is a cap rather than sized from the course: a course under it is kept whole
anyway, and only a cap keeps memory flat. Measured (benchmarks/README.md, 2026-11-30
"lesson-tree budget"): 3 million characters keep the generated 40-lesson course (2.1
million) whole, saving 0.3 s of a clean PDF's 12-13 s of CPU for 1-2 MiB of peak; they
cost 11-12 MiB more per job on courses past the cap.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casekit import tree as t
from casekit.resolve.sites import LessonSites, Resolution, apply, apply_to_title, lesson_sites

_BODY = ("blocks", "footnotes")


@dataclass
class LessonSummary:
    """What the build cache keeps beside a parsed lesson so that it can stay unread."""

    title: list[t.Inline]
    hours: float | None
    outcomes: list[str]
    notes: list[int]  # footnote numbers
    kinds: list[str]  # names of the block types it holds, at any depth
    sites: LessonSites
    size: int  # characters of its source: what its tree weighs in ``KEPT``


def summarise(lesson: t.Lesson, size: int) -> LessonSummary:
    kinds = sorted({type(block).__name__ for block in t.iter_blocks(lesson.blocks)})
    notes = [note.number for note in lesson.footnotes]
    return LessonSummary(
        lesson.title, lesson.hours, lesson.outcomes, notes, kinds, lesson_sites(lesson), size
    )


class KeptBodies:
    """The lessons of this process whose body is read, within a budget of source
    characters; the lessons themselves are not kept alive by it. An edition's lesson
    shares its source's summary and every node it does not change
    (``resolve/editions.py``): the lessons of one summary weigh one tree, counted while
    any of them is read."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        #: read lessons by id, in reading order: a weak reference and their summary's id
        self._read: dict[int, tuple[weakref.ref[LazyLesson], int]] = {}
        self._trees: dict[int, tuple[int, int]] = {}  # summary id -> (lessons read, size)
        self.size = 0

    def __len__(self) -> int:
        """The trees kept (one per summary, however many editions read it)."""
        return len(self._trees)

    def add(self, lesson: LazyLesson) -> None:
        """``lesson`` has just been read: if its tree is not counted yet, release the
        last read before it until the tree fits."""
        tree = id(lesson.summary)
        count, size = self._trees.get(tree, (0, max(1, lesson.summary.size)))
        while not count and self._read and self.size + size > self.budget:
            key = next(reversed(self._read))
            last = self._read[key][0]()
            if last is None:
                self.discard(key)
            else:
                last.release()
        key = id(lesson)
        self._read[key] = (weakref.ref(lesson, lambda _ref: self.discard(key)), tree)
        self._trees[tree] = (count + 1, size)
        self.size += 0 if count else size

    def discard(self, key: int) -> None:
        entry = self._read.pop(key, None)
        if entry is None:
            return
        count, size = self._trees.pop(entry[1])
        if count > 1:
            self._trees[entry[1]] = (count - 1, size)
        else:
            self.size -= size


#: every read body of this process: 3 million characters of Markdown (about 1,400 printed
#: pages of the generated benchmark course) make about 30 MB of trees
KEPT = KeptBodies(3_000_000)


class LazyLesson(t.Lesson):
    """A lesson whose ``blocks`` and ``footnotes`` are made by ``body`` when first read."""

    def __init__(
        self, head: t.Lesson, body: Callable[[], t.Lesson], summary: LessonSummary
    ) -> None:  # not the dataclass's __init__: the body stays unset until read
        for name in ("id", "path", "title", "hours", "outcomes", "number", "anchor"):
            setattr(self, name, getattr(head, name))
        self.summary = summary
        self._body = body

    @classmethod
    def unread(
        cls, lesson_id: str, path: str, summary: LessonSummary, read: Callable[[], t.Lesson]
    ) -> LazyLesson:
        head = t.Lesson(lesson_id, path, summary.title, [], [], summary.hours, summary.outcomes)
        return cls(head, read, summary)

    @classmethod
    def parsed(
        cls, lesson: t.Lesson, summary: LessonSummary, read: Callable[[], t.Lesson]
    ) -> LazyLesson:
        """``lesson``, just parsed, read already; ``read`` gives it again once released."""
        lazy = cls(lesson, read, summary)
        lazy._take(lesson)
        return lazy

    def __getattr__(self, name: str) -> Any:  # only for what is not set: the body
        if name not in _BODY:
            raise AttributeError(name)
        self._take(self._body())
        return getattr(self, name)

    def _take(self, whole: t.Lesson) -> None:
        KEPT.add(self)
        self.blocks, self.footnotes = whole.blocks, whole.footnotes

    def release(self) -> None:
        """Forget the body (read again when next used)."""
        if self.read:
            del self.blocks, self.footnotes
            KEPT.discard(id(self))

    @property
    def read(self) -> bool:
        return "blocks" in self.__dict__

    def holds(self, kind: type) -> bool:
        if self.read:
            return super().holds(kind)
        return kind.__name__ in self.summary.kinds

    def resolved(self, resolution: Resolution) -> None:
        """Take resolve's answers: the title now, the body when it is read."""
        self.number, self.anchor = resolution.number, self.id
        apply_to_title(self, self.summary.sites, resolution, self.summary.notes)
        read, title = self._body, self.title  # not self: a lesson is not its own referrer

        def body() -> t.Lesson:
            whole = read()
            whole.title = title  # resolved already, and the one given out
            return apply(whole, resolution)

        self._body = body
        if self.read:  # parsed in this build
            apply(self, resolution)

    def derived(self, change: Callable[[t.Lesson], t.Lesson]) -> LazyLesson:
        """This lesson changed by ``change`` (an edition), still unread."""
        return LazyLesson(self, lambda: change(self.whole()), self.summary)

    def whole(self) -> t.Lesson:
        """A plain ``Lesson`` with the body read."""
        return t.Lesson(*(getattr(self, f.name) for f in dataclasses.fields(t.Lesson)))

    def __reduce__(self) -> tuple[Any, ...]:  # to a worker process: as a plain lesson
        return (t.Lesson, tuple(getattr(self, f.name) for f in dataclasses.fields(t.Lesson)))


def sites_of(lesson: t.Lesson) -> LessonSites:
    """The sites of any lesson: an unread one keeps them."""
    return lesson.summary.sites if isinstance(lesson, LazyLesson) else lesson_sites(lesson)
