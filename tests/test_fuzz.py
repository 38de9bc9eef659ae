"""Property tests: random Markdown and random ``course.toml`` never crash casekit.

``check`` and the html build either succeed or report diagnostics; no other
exception may escape (the CLI would show it as an internal error). A longer
session runs outside CI with ``scripts/fuzz.py``.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_inputs import course_toml, course_toml_for, lesson_bytes, run_course

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(first=lesson_bytes(), second=lesson_bytes(), allow_html=st.booleans())
def test_random_markdown_gives_diagnostics_not_crashes(
    first: bytes, second: bytes, allow_html: bool
) -> None:
    run_course(course_toml_for(["a.md", "b.md"], allow_html), {"a.md": first, "b.md": second})


@FUZZ
@given(toml=course_toml())
def test_random_course_toml_gives_diagnostics_not_crashes(toml: str) -> None:
    lesson = "# Сабақ\n\nМәтін [сілтеме](b.md).\n".encode()
    diags = run_course(toml, {"a.md": lesson, "b.md": "# Б\n".encode()})
    assert all(d.path and d.line >= 1 and d.column >= 1 for d in diags.items)
