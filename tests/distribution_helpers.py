"""Shared pieces of the shard, shared-cache and Dask tests: a catalogue to build and a
comparison of output folders byte for byte."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import COURSES

#: formats quick enough to build a catalogue many times over in one test
QUICK = ["html", "brf", "cc", "moodle-questions"]
#: folders and files that are a build's own bookkeeping, not its outputs
BOOKKEEPING = {".cache", ".casekit-lock"}


def catalogue(folder: Path) -> Path:
    """A copy of the example catalogue (every course in ``courses/``)."""
    for course in COURSES:
        shutil.copytree(course, folder / course.name)
    return folder


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file below ``out`` by path, without the build's bookkeeping."""
    found = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if path.is_file() and not BOOKKEEPING & set(rel.parts):
            found[rel.as_posix()] = path.read_bytes()
    return found


def quick_flags() -> list[str]:
    return [flag for name in QUICK for flag in ("-f", name)]


def format_plugin(folder: Path, name: str, source: str) -> dict[str, str]:
    """A format plugin ``name`` (the module ``<name>_format`` with ``source``) installed
    into ``folder``: the environment under which casekit (and its workers) find it."""
    folder.mkdir()
    module = f"{name}_format"
    (folder / f"{module}.py").write_text(source, "utf-8")
    info = folder / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[casekit.formats]\n{name} = {module}:FORMAT\n")
    return {"PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])}
