"""Running pandoc (the binary the ``pypandoc-binary`` wheel ships) into its JSON AST."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from casekit.diagnostics import error

TIMEOUT_S = 300
#: pandoc's heap limit (its manual's advice for untrusted input); GHC exits 251 past it
MAX_HEAP_MIB = 1536
HEAP_EXHAUSTED = 251
#: the AST major version this module reads (pandoc-types 1.23)
API_MAJOR = (1, 23)


def pandoc_binary() -> str:
    try:
        import pypandoc
    except ImportError:  # a broken install: the dependency is declared
        raise error("pandoc", "pypandoc-binary is not installed", "import-pandoc") from None
    return str(pypandoc.get_pandoc_path())


def read_ast(source: Path, reader: str, media_dir: Path) -> dict[str, Any]:
    """The document as pandoc's AST; pictures are written to ``media_dir``.

    ``--sandbox`` lets the reader open nothing but the input (an HTML page's
    remote or local pictures are not fetched), the heap is bounded and the run
    timed; tracked changes are accepted (``ooxml`` reports them)."""
    command = [
        pandoc_binary(),
        "+RTS",
        f"-M{MAX_HEAP_MIB}m",
        "-RTS",
        "--sandbox",
        "--from",
        reader,
        "--to",
        "json",
        "--track-changes=accept",
        f"--extract-media={media_dir}",
        str(source),
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise error(
            str(source), f"reading took more than {TIMEOUT_S} s; refused", "import-damaged"
        ) from None
    if done.returncode == HEAP_EXHAUSTED:
        raise error(
            str(source),
            f"reading needs more than {MAX_HEAP_MIB} MiB of memory (damaged or hostile?); refused",
            "import-damaged",
        )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise error(
            str(source),
            f"cannot be read: {reason[-1] if reason else 'pandoc failed'}",
            "import-damaged",
        )
    ast = json.loads(done.stdout)
    if tuple(ast.get("pandoc-api-version", [])[:2]) != API_MAJOR:
        raise error("pandoc", "unexpected pandoc AST version", "import-pandoc")
    return ast
