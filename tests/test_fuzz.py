"""Property tests: random Markdown, random ``course.toml``, damaged images and damaged
bundles and zips given to ``verify`` never crash casekit.

``check`` and the html build either succeed or report diagnostics; no other
exception may escape (the CLI would show it as an internal error). A longer
session runs outside CI with ``scripts/fuzz.py``.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from casekit.resolve.media import MediaError, probe
from casekit.safety.svg import sanitize_svg, svg_size
from tests.fuzz_inputs import (
    MINI_MEDIA,
    course_toml,
    course_toml_for,
    damaged_bundle,
    damaged_zip,
    lesson_bytes,
    run_course,
    verify_damaged_copy,
    verify_zip_bytes,
)

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

FUZZ = settings(
    max_examples=40,
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


@st.composite
def damaged_media(draw: st.DrawFn) -> tuple[str, bytes]:
    """A sample image with random bytes changed, cut out, inserted or cut off."""
    name = draw(st.sampled_from(["diagram.png", "photo.jpg", "chart.svg"]))
    data = bytearray((MINI_MEDIA / name).read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        edit = draw(st.sampled_from(["set", "cut", "insert"]))
        if edit == "set":
            data[at] = draw(st.integers(0, 255))
        elif edit == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        if not data:
            data = bytearray(b"\0")
    return name, bytes(data[: draw(st.integers(1, len(data)))])


def truncated(name: str) -> tuple[str, bytes]:
    """A sample image cut in half: its header still says what it is."""
    data = (MINI_MEDIA / name).read_bytes()
    return name, data[: len(data) // 2]


@FUZZ
@given(media=damaged_media())
@example(media=truncated("diagram.png"))
@example(media=truncated("photo.jpg"))
def test_damaged_images_are_media_errors(media: tuple[str, bytes]) -> None:
    """A damaged image is refused in one line, or it is accepted because it is whole:
    then the probe read all of it (size, hash) and a full decode gives its pixel size."""
    name, data = media
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / name
        path.write_bytes(data)
        try:
            found = probe(path)
        except MediaError as exc:
            assert "\n" not in str(exc)
            return
    assert (found.size, found.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    if name.endswith(".svg"):
        width, height = svg_size(sanitize_svg(data))
        assert (found.width, found.height) == (round(width), round(height))
    else:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # raises for an image the probe should have refused
            assert (found.width, found.height) == image.size


VERIFY_FUZZ = settings(FUZZ, max_examples=25)


@VERIFY_FUZZ
@given(data=damaged_zip())
def test_damaged_zips_given_to_verify_are_reports_or_one_line(data: bytes) -> None:
    verify_zip_bytes(data)


@VERIFY_FUZZ
@given(operations=damaged_bundle(), stick=st.booleans())
def test_damaged_bundle_folders_given_to_verify_are_reports_or_one_line(
    operations: list[tuple[str, str, bytes]], stick: bool
) -> None:
    verify_damaged_copy(operations, stick)
