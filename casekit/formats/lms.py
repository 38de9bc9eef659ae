"""What the learning-platform packages (``cc``, ``scorm12``) share: the learner pages,
their images, the quizzes of a lesson and the deterministic package zip."""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import BinaryIO

from markupsafe import Markup

from casekit import tree as t
from casekit.files.zips import Writer, write_zip
from casekit.render.common import source_date
from casekit.render.images import write_image
from casekit.render.page import render_template
from casekit.render.templates import read_template
from casekit.resolve.editions import apply_edition

MANIFEST = "imsmanifest.xml"


def learner_edition(full: t.Course) -> t.Course:
    """What a learner sees in a platform package: the learner edition without the
    answers appendix (the platform grades the quizzes)."""
    return dataclasses.replace(apply_edition(full, "learner"), answer_key=[])


def lesson_quizzes(lesson: t.Lesson) -> list[t.Quiz]:
    return [b for b in t.iter_blocks(lesson.blocks) if isinstance(b, t.Quiz)]


#: a package's files by name: bytes, a file streamed in, or what writes one into its entry
Files = dict[str, bytes | Path | Writer]


def images(course: t.Course, folder: str) -> Files:
    """The images the pages show (metadata stripped), at ``folder/<bundle path>``, each
    written from its file when the package is (``write_image``: never held whole)."""
    root = Path(course.root)
    return {
        f"{folder}/{item.bundle_path}": partial(write_image, root, item)
        for item in course.media
        if item.kind == "image"
    }


def lms_page(course: t.Course, title: str, body: str) -> bytes:
    """A self-contained page of a package: the course's HTML style inlined, no script,
    no network."""
    css = Markup(read_template(course, "html/style.css").replace("</", "<\\/"))
    html = render_template(
        course, "lms/page.html.j2", config=course.config, title=title, css=css, body=Markup(body)
    )
    return html.encode("utf-8")


def write_package(course: t.Course, files: Files, out: BinaryIO) -> None:
    """The package into ``out``: the manifest first, then every file by name, all stamped
    with the course's date (same sources, same bytes). A ``Path`` value is a course file
    (a video ...) streamed in, never read whole, as what a writer writes."""
    write_zip(out, files, source_date(course), first=(MANIFEST,))
