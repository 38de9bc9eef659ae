"""``casekit diff OLD NEW``: what changed between two versions of a course, for the
reviewer who approves the new one (an approval never carries over).

Lessons are matched by their anchor (the lesson file's id), so a renumbered lesson
is "changed" only if its text is; text is compared word by word (Unicode
words, so Kazakh and Russian split as they are read), media by size, duration
and hash, settings field by field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from casekit.trust.snapshot import Lesson, Media, Snapshot

Change = Literal["added", "removed", "changed"]
#: words, runs of white space, and single other characters (punctuation)
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    """A run of the word diff: ``equal`` text, or ``delete``d / ``insert``ed text."""

    op: Literal["equal", "delete", "insert"]
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """``old`` turned into ``new`` as equal, deleted and inserted runs of words."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("delete", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("insert", "".join(b[j1:j2])))
    return pieces


def count_words(pieces: list[Piece], op: str) -> int:
    return sum(len(re.findall(r"\w+", p.text)) for p in pieces if p.op == op)


@dataclass
class SectionDiff:
    title: str
    old: str
    new: str
    pieces: list[Piece]


@dataclass
class LessonDiff:
    anchor: str
    change: Change
    old_title: str
    new_title: str
    sections: list[SectionDiff] = field(default_factory=list)

    @property
    def words_added(self) -> int:
        return sum(count_words(s.pieces, "insert") for s in self.sections)

    @property
    def words_removed(self) -> int:
        return sum(count_words(s.pieces, "delete") for s in self.sections)


@dataclass
class MediaDiff:
    path: str
    change: Change
    old: Media | None
    new: Media | None

    @property
    def details(self) -> list[tuple[str, str, str]]:
        """(what, old, new) for each property that differs."""
        if self.old is None or self.new is None:
            return []
        found = []
        if self.old.size != self.new.size:
            found.append(("size", str(self.old.size), str(self.new.size)))
        if self.old.duration != self.new.duration:
            found.append(("duration", seconds(self.old.duration), seconds(self.new.duration)))
        if self.old.sha256 != self.new.sha256:
            found.append(("sha256", self.old.sha256[:12], self.new.sha256[:12]))
        for name in ("kind", "code", "title"):
            if getattr(self.old, name) != getattr(self.new, name):
                found.append((name, getattr(self.old, name), getattr(self.new, name)))
        return found


def seconds(value: float | None) -> str:
    if value is None:
        return "?"
    whole = round(value)
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass
class SettingDiff:
    name: str
    old: str | None
    new: str | None


@dataclass
class CourseDiff:
    old: Snapshot
    new: Snapshot
    lessons: list[LessonDiff]
    unchanged_lessons: int
    media: list[MediaDiff]
    settings: list[SettingDiff]

    @property
    def changed(self) -> bool:
        return bool(self.lessons or self.media or self.settings)

    def count(self, change: Change) -> int:
        return sum(lesson.change == change for lesson in self.lessons)


def section_diffs(old: Lesson | None, new: Lesson | None) -> list[SectionDiff]:
    """Sections matched by anchor in the new lesson's order (then removed ones)."""
    before = {s.anchor: s for s in old.sections} if old else {}
    after = {s.anchor: s for s in new.sections} if new else {}
    order = list(after) + [anchor for anchor in before if anchor not in after]
    found = []
    for anchor in order:
        a, b = before.get(anchor), after.get(anchor)
        old_text, new_text = (a.text if a else ""), (b.text if b else "")
        if old_text != new_text:
            title = (b or a).title  # type: ignore[union-attr]
            found.append(SectionDiff(title, old_text, new_text, word_diff(old_text, new_text)))
    return found


def compare(old: Snapshot, new: Snapshot) -> CourseDiff:
    lessons = []
    unchanged = 0
    for anchor in list(new.lessons) + [a for a in old.lessons if a not in new.lessons]:
        a, b = old.lessons.get(anchor), new.lessons.get(anchor)
        change: Change = "added" if a is None else "removed" if b is None else "changed"
        if change == "changed" and a.text == b.text and a.title == b.title:  # type: ignore[union-attr]
            unchanged += 1
            continue
        lessons.append(
            LessonDiff(
                anchor, change, a.title if a else "", b.title if b else "", section_diffs(a, b)
            )
        )
    media = []
    for path in sorted(set(old.media) | set(new.media)):
        a2, b2 = old.media.get(path), new.media.get(path)
        if a2 == b2:
            continue
        media.append(
            MediaDiff(
                path, "added" if a2 is None else "removed" if b2 is None else "changed", a2, b2
            )
        )
    settings = [
        SettingDiff(name, old.settings.get(name), new.settings.get(name))
        for name in sorted(set(old.settings) | set(new.settings))
        if old.settings.get(name) != new.settings.get(name)
    ]
    return CourseDiff(old, new, lessons, unchanged, media, settings)
