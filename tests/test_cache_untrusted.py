"""The build cache is untrusted input: whoever can write the build folder (or, later, a
shared cache) can neither run code through it nor make casekit read outside it, and a
damaged or forged entry is ignored and rebuilt (issue 19)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

from casekit import tree as t
from casekit.build.course import load_course
from casekit.diagnostics import Diagnostic, Diagnostics
from casekit.files import typed_json
from casekit.files.cache import CACHE_DIR
from tests.conftest import COURSES, MINI
from tests.conftest import build as build_formats


class RunsCode:
    """A pickle that creates a file when it is loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def html_pages(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "mini-kk" / "html").glob("*.html"))}


def build(course: Path, out: Path, **options: object):
    return build_formats(course, ["html"], out, ("learner",), **options)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    out = tmp_path / "out"
    build(course, out)
    return course, out, html_pages(out)


def entries(out: Path) -> list[Path]:
    found = [p for p in (out / "mini-kk" / CACHE_DIR).rglob("*") if p.is_file()]
    found = [p for p in found if p.name != "outputs.json"]
    assert {p.relative_to(out / "mini-kk" / CACHE_DIR).parts[0] for p in found} >= {
        "lesson",
        "probe",
        "check",
    }
    return found


def forget_outputs(out: Path, keep: Path | None = None) -> None:
    """Forget what was written and the rendered lessons (but ``keep``), so that the next
    build reads the entries again (parsed lessons too: resolve/lazy.py reads them only
    to render)."""
    (out / "mini-kk" / CACHE_DIR / "outputs.json").unlink(missing_ok=True)
    for fragment in (out / "mini-kk" / CACHE_DIR / "fragment").rglob("*"):
        if fragment.is_file() and fragment != keep:
            fragment.unlink()


def test_a_pickle_in_the_cache_never_runs(built, tmp_path: Path) -> None:
    course, out, before = built
    marker = tmp_path / "ran"
    payload = pickle.dumps(RunsCode(marker))
    check = hashlib.sha256(payload).hexdigest().encode()
    for entry in entries(out):
        kind, key = entry.parent.parent.name, entry.name
        for magic in (b"casekit-cache-1\n", f"casekit-cache-2 {kind} {key}\n".encode()):
            entry.write_bytes(magic + check + payload)
            forget_outputs(out, keep=entry)
            result = build(course, out)
            assert not marker.exists(), f"a cache entry ran code ({entry})"
            assert html_pages(out) == before
            assert result.cache.stats.rejected >= 1, entry


FORGED = [
    b'{"$":"Lesson"}',  # required fields missing
    b'{"$":"Probe","format":"png","size":"12","sha256":"x"}',  # a string for an int
    b'{"$":"Probe","format":"png","size":1,"sha256":"x","__class__":"os.system"}',
    b'[{"$":"Diagnostic","path":"a","line":1,"column":1,"severity":"fatal","code":"c","message":"m"}]',
    b"[" * 100000 + b"]" * 100000,  # nested deeper than any parser's stack
    b"\xff\xfe not utf-8",
    b'{"$":"os.system","args":["touch x"]}',
]


@pytest.mark.parametrize("payload", FORGED, ids=range(len(FORGED)))
def test_an_entry_of_the_wrong_shape_is_ignored_and_rebuilt(built, payload: bytes) -> None:
    course, out, before = built
    for entry in entries(out):
        kind, key = entry.parent.parent.name, entry.name
        header = f"casekit-cache-2 {kind} {key}\n".encode()
        entry.write_bytes(header + hashlib.sha256(payload).hexdigest().encode() + payload)
    forget_outputs(out)
    result = build(course, out)
    assert html_pages(out) == before
    assert result.cache.stats.rejected >= 3 and result.cache.stats.reused == []


def test_an_entry_moved_to_another_key_is_refused(built) -> None:
    course, out, before = built
    lessons = sorted(p for p in entries(out) if p.parent.parent.name == "lesson")
    first, second = lessons[0].read_bytes(), lessons[1].read_bytes()
    lessons[0].write_bytes(second)
    lessons[1].write_bytes(first)
    forget_outputs(out)
    result = build(course, out)
    assert html_pages(out) == before
    assert result.cache.stats.rejected == 2 and len(result.cache.stats.parsed) == 2


def test_outputs_json_may_name_only_files_in_the_build_folder(built, tmp_path: Path) -> None:
    course, out, before = built
    record = out / "mini-kk" / CACHE_DIR / "outputs.json"
    data = json.loads(record.read_text("utf-8"))
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes(b"<p>planted</p>")
    st = elsewhere.stat()
    for job in data.values():
        job["files"] = [{"path": str(elsewhere), "stat": [st.st_size, st.st_mtime_ns]}]
    record.write_text(json.dumps(data), "utf-8")
    result = build(course, out)
    assert not any(r.cached for r in result.outputs)
    assert [p for r in result.outputs for p in r.paths] != [elsewhere]
    for broken in (
        '{"html:learner": {"fingerprint": 1, "files": 5}}',
        "[]",
        '{"x": {"files": [7]}}',
    ):
        record.write_text(broken, "utf-8")
        build(course, out)
    assert html_pages(out) == before


@pytest.mark.slow
@pytest.mark.parametrize("course_dir", [MINI, *COURSES], ids=lambda p: p.name)
def test_every_lesson_of_the_example_courses_round_trips(course_dir: Path) -> None:
    diags = Diagnostics()
    course = load_course(course_dir, diags)
    assert course is not None
    for lesson in course.lessons():
        value = (lesson, list(diags.items))
        again = typed_json.decode(typed_json.encode(value), tuple[t.Lesson, list[Diagnostic]])
        assert again == value
