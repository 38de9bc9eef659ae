"""README.txt for staff: the course language first, then English (from templates)."""

from __future__ import annotations

from casekit import tree as t
from casekit.bundle.viewer import EditionLink
from casekit.messages import built_in_language, course_messages, messages
from casekit.render.common import source_date
from casekit.render.page import render_template


def readme_bytes(course: t.Course, editions: list[EditionLink], bundle: str) -> bytes:
    """UTF-8 with a byte order mark and CRLF line ends, so old Windows Notepad shows it."""
    own = built_in_language(course.config.language) or "en"
    languages = [own] + (["en"] if own != "en" else [])
    parts = []
    for language in languages:
        name = f"bundle/readme-{language}.txt.j2"
        parts.append(
            render_template(
                course,
                name,
                markup=False,  # plain text, not HTML
                config=course.config,
                msg=messages(language),
                viewer_msg=course_messages(course.config),  # labels as the pages show them
                date=source_date(course).date().isoformat(),
                editions=editions,
                bundle=bundle,
                lessons=len(course.lessons()),
                media=sum(1 for m in course.media if m.code),
            )
        )
    text = ("\n" + "=" * 72 + "\n\n").join(parts)
    return "\ufeff".encode() + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
