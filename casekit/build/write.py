"""Writing what a format rendered: every output atomically, into the format's folder."""

from __future__ import annotations

from pathlib import Path

from casekit.diagnostics import error
from casekit.files.atomic import atomic_dir, atomic_file, write_bytes, write_errors
from casekit.formats import Output
from casekit.safety.paths import PathEscape, resolve_inside


def write_outputs(format_name: str, folder: Path, outputs: list[Output]) -> list[Path]:
    """Write ``outputs`` into ``folder`` in order; the paths written."""
    written = []
    for output in outputs:
        try:
            _real, rel = resolve_inside(folder, output.name)
        except PathEscape as exc:
            message = f"{format_name}: output name refused: {exc}"
            raise error(output.name, message, "format-output") from None
        target = folder / rel
        if output.data is not None:
            write_bytes(target, output.data)
        elif output.write is not None:
            with atomic_file(target) as handle, write_errors(target):
                output.write(handle)
        elif output.fill is not None:
            with atomic_dir(target) as temporary:
                output.fill(temporary)
        else:
            raise error(output.name, f"{format_name}: an output without content", "format-output")
        if output.written is not None:
            output.written(target)
        written.append(target)
    return written
