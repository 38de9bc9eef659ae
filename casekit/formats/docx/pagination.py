"""Page numbers for the DOCX contents, from a LibreOffice layout of the document.

A DOCX stores no layout: only a word processor knows where its pages break. The
contents field's result is written with placeholder numbers; LibreOffice lays the
document out headlessly (converting it to PDF, with each Word bookmark exported as
a named destination), and the page of each heading's bookmark becomes the number
of its contents entry. Same document and fonts, same numbers: the build stays
deterministic. Word and LibreOffice both show that result until the field is
updated. The placeholder is as wide as the numbers put in, so no contents line
moves and the pages found stay right.

The layout costs LibreOffice's start, 3-5 s per edition (far more on a loaded
machine), so the pages found are kept in the build cache by the document's bytes
and the LibreOffice installed: a rebuild, or another edition with the same bytes,
never starts LibreOffice again.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from casekit.diagnostics import error
from casekit.files.cache import BuildCache, digest

#: writer_pdf_Export's filter options: bookmarks as named destinations, blank pages kept,
#: nothing else costly
_FILTER = (
    'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":'
    '{"type":"boolean","value":"true"},'
    # the blank pages a right-hand answer sheet leaves count, as on paper
    '"IsSkipEmptyPages":{"type":"boolean","value":"false"},'
    '"ReduceImageResolution":{"type":"boolean","value":"true"},'
    '"MaxImageResolution":{"type":"long","value":"75"}}'
)
#: LibreOffice's time to lay out a document: a base, and more for each MB of DOCX
TIMEOUT_SECONDS = 300
TIMEOUT_PER_MB = 60


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _destination(bookmark: str) -> str:
    """The name LibreOffice gives the destination of a bookmark: ``_`` written as its
    hex code ``5F`` (casekit's bookmark names are letters, digits and ``_``)."""
    return "/" + bookmark.replace("_", "5F")


#: the build cache's kind for the pages LibreOffice laid out
CACHE_KIND = "docx-pages"


def bookmark_pages(
    docx: bytes, bookmarks: list[str], where: str, cache: BuildCache | None = None
) -> dict[str, int]:
    """The page (1 = the first) on which LibreOffice lays out each of ``bookmarks``;
    ``cache``, the build cache, keeps the layout of each document between builds."""
    program = soffice()
    key = digest(CACHE_KIND, _FILTER, libreoffice_identity(program), docx)
    pages = cache.load(CACHE_KIND, key, dict[str, int]) if cache else None
    if pages is None or not all(page >= 1 for page in pages.values()):
        pages = _lay_out(program, docx, where)
        if cache:
            cache.store(CACHE_KIND, key, pages)
    return {name: pages[_destination(name)] for name in bookmarks if _destination(name) in pages}


@functools.cache
def libreoffice_identity(program: str | None) -> str:
    """What tells one LibreOffice installation from another without starting it (that
    costs seconds): its version file and the size and time of its program files, which
    an upgrade replaces."""
    if program is None:
        return "none"
    folder = Path(program).resolve().parent
    parts: list[bytes | str] = [str(folder)]
    for name in ("versionrc", "soffice.bin", "libmergedlo.so"):
        path = folder / name
        try:
            st = path.stat()
            parts += [name, str(st.st_size), str(st.st_mtime_ns)]
            if name == "versionrc":
                parts.append(path.read_bytes())
        except OSError:
            parts.append(f"{name} missing")
    return digest(*parts)


def _lay_out(program: str | None, docx: bytes, where: str) -> dict[str, int]:
    """The page of every named destination LibreOffice exports (one per bookmark)."""
    if program is None:
        raise error(
            where,
            "the DOCX contents get their page numbers from a LibreOffice layout: install "
            "LibreOffice (soffice), or set contents_pages = false in [docx]",
            "docx-contents",
        )
    with tempfile.TemporaryDirectory(prefix="casekit-docx-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(docx)
        # a profile of its own: parallel builds and an open LibreOffice do not clash
        profile = (folder / "profile").as_uri()
        command = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            _FILTER,
            "--outdir",
            str(folder),
            str(source),
        ]
        timeout = TIMEOUT_SECONDS + TIMEOUT_PER_MB * len(docx) // 1_000_000
        if not _run_whole(command, timeout):
            raise error(
                where,
                f"LibreOffice took over {timeout} s to lay out the DOCX for its "
                "contents page numbers (set contents_pages = false in [docx] to skip it)",
                "docx-contents",
            )
        pdf = folder / "document.pdf"
        if not pdf.is_file():
            raise error(
                where,
                "LibreOffice could not lay out the DOCX for its contents page numbers "
                "(set contents_pages = false in [docx] to skip it)",
                "docx-contents",
            )
        from pypdf import PdfReader  # only when LibreOffice ran: a rebuild need not import it

        reader = PdfReader(io.BytesIO(pdf.read_bytes()))
        destinations = reader.named_destinations
    return {
        str(name): reader.get_destination_page_number(found) + 1
        for name, found in destinations.items()
    }


def _run_whole(command: list[str], timeout: float) -> bool:
    """Run ``command`` in a session of its own; False, with every process of it killed,
    when it outlasts ``timeout`` (``soffice`` is a launcher: killing it alone would leave
    ``soffice.bin`` running)."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    finished = False
    try:
        process.wait(timeout)
        finished = True
    except subprocess.TimeoutExpired:
        pass
    finally:
        if not finished:  # timed out or interrupted (Ctrl-C): none of it stays
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return finished
